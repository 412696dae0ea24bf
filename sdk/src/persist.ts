import { type EventStore, type KeyValue, readRecords, type StoredEvent } from './store.js';

/**
 * Keeps the store in step with the queue. Writes run one after another (an acknowledgement's
 * delete never overtakes the write of the same event). IndexedDB is asynchronous and a closing
 * page may die before a write completes, so `rescue` copies whatever is not yet written to
 * localStorage synchronously on `pagehide`; the next page moves it into the store.
 */
export class Persister {
  private chain: Promise<unknown> = Promise.resolve();
  private readonly unsaved = new Map<string, StoredEvent>();

  constructor(
    private readonly store: EventStore,
    private readonly kv: KeyValue | undefined,
    private readonly rescueKey: string,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /**
   * Every stored record, the last page's rescued ones included. The rescue is moved into the
   * store, and cleared only once that write has succeeded (else it waits for the next page).
   */
  async load(): Promise<StoredEvent[]> {
    const rescued = this.kv ? Object.values(readRecords(this.kv, this.rescueKey)) : [];
    if (rescued.length > 0) {
      try {
        await this.store.put(rescued);
        this.kv!.removeItem(this.rescueKey);
      } catch (err) {
        this.onError(err);
      }
    }
    const stored = await this.store.load();
    const ids = new Set(stored.map((r) => r.id));
    return [...stored, ...rescued.filter((r) => !ids.has(r.id))];
  }

  save(records: readonly StoredEvent[]): void {
    for (const r of records) this.unsaved.set(r.id, r);
    this.run(
      () => this.store.put(records),
      () => {
        for (const r of records) if (this.unsaved.get(r.id) === r) this.unsaved.delete(r.id);
      },
    );
  }

  drop(ids: readonly string[]): void {
    for (const id of ids) this.unsaved.delete(id);
    this.run(() => this.store.remove(ids));
  }

  /** Synchronously copies records whose write has not completed to the key-value store. */
  rescue(): void {
    if (!this.kv || this.unsaved.size === 0) return;
    const m = readRecords(this.kv, this.rescueKey);
    for (const r of this.unsaved.values()) m[r.id] = r;
    try {
      this.kv.setItem(this.rescueKey, JSON.stringify(m));
    } catch (err) {
      this.onError(err);
    }
  }

  /** Resolves once every write queued so far has finished. */
  settled(): Promise<void> {
    return this.chain.then(() => undefined);
  }

  private run(op: () => Promise<void>, done?: () => void): void {
    this.chain = this.chain.then(op).then(done, this.onError);
  }
}
