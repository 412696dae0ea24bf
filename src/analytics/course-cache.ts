interface Entry<T> {
  key: string;
  at: number;
  value: Promise<T>;
}

/**
 * Computed course views (rosters, overviews), kept per course while nothing they depend on
 * changes. A course of 10,000 learners costs a few hundred milliseconds to compute on a small
 * machine; a dashboard asks for it again and again. An entry is dropped when this process commits events of the course,
 * when any catalog write succeeds, and after `maxAgeMs` (the figures that depend on the clock,
 * and writes made through other processes, are at most that old).
 */
export class CourseCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly maxAgeMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The cached value for the course if fresh and computed for the same `key`, else `load()`. */
  get(courseId: string, key: string, load: () => Promise<T>): Promise<T> {
    const now = this.clock();
    const hit = this.entries.get(courseId);
    if (hit && hit.key === key && now - hit.at < this.maxAgeMs) return hit.value;
    if (this.maxAgeMs <= 0) return load();
    const entry: Entry<T> = { key, at: now, value: load() };
    this.entries.set(courseId, entry);
    // A failed computation is not kept.
    entry.value.catch(() => {
      if (this.entries.get(courseId) === entry) this.entries.delete(courseId);
    });
    return entry.value;
  }

  /** Drops the entries of courses whose data changed. */
  invalidate(courseIds: Iterable<string>): void {
    for (const id of courseIds) this.entries.delete(id);
  }

  clear(): void {
    this.entries.clear();
  }
}
