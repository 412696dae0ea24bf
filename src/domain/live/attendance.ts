/** A join or leave of one connection (a tab, a device) of a learner in a live session. */
export interface Mark {
  at: number;
  kind: 'join' | 'leave';
  /** `connectionId`, or '' when the client sends none (one connection per learner). */
  connection: string;
}

/** A time interval [start, end), epoch milliseconds. */
export interface Interval {
  start: number;
  end: number;
}

/** Marks in the one order every rule reads them: time, then leaves before joins (a reconnect at the same instant is continuous). */
export function sortMarks(marks: readonly Mark[]): Mark[] {
  const rank = (m: Mark) => (m.kind === 'leave' ? 0 : 1);
  return [...marks].sort(
    (a, b) =>
      a.at - b.at ||
      rank(a) - rank(b) ||
      (a.connection < b.connection ? -1 : a.connection > b.connection ? 1 : 0),
  );
}

/** The union of intervals, merged where they overlap or touch; empty ones dropped. */
export function unionIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ ...i });
  }
  return out;
}

/**
 * A learner's time in a session: per connection, each join opens an interval that the next
 * leave closes (a second join while open and a leave with nothing open change nothing); a
 * connection still open closes at `closeAt` (never before it opened). Several tabs or
 * reconnections count once: the result is the union over connections.
 * @example attendedIntervals([{ at: 0, kind: 'join', connection: 'a' }, { at: 60_000, kind: 'leave', connection: 'a' }], 0)
 */
export function attendedIntervals(marks: readonly Mark[], closeAt: number): Interval[] {
  const open = new Map<string, number>();
  const intervals: Interval[] = [];
  for (const m of sortMarks(marks)) {
    const since = open.get(m.connection);
    if (m.kind === 'join') {
      if (since === undefined) open.set(m.connection, m.at);
    } else if (since !== undefined) {
      intervals.push({ start: since, end: m.at });
      open.delete(m.connection);
    }
  }
  for (const since of open.values()) intervals.push({ start: since, end: Math.max(since, closeAt) });
  return unionIntervals(intervals);
}

/** Whether any connection is still open after all the marks (a viewer right now, while live). */
export function isConnected(marks: readonly Mark[]): boolean {
  const open = new Set<string>();
  for (const m of sortMarks(marks)) {
    if (m.kind === 'join') open.add(m.connection);
    else open.delete(m.connection);
  }
  return open.size > 0;
}

export const totalMs = (intervals: readonly Interval[]): number =>
  intervals.reduce((n, i) => n + (i.end - i.start), 0);

export interface Concurrency {
  peak: number;
  /** The first instant the peak was reached; null with no attendance. */
  peakAt: number | null;
  /** `points` spans from `from` to `to`: the most viewers at once in each. */
  timeline: { at: number; viewers: number }[];
}

/**
 * Concurrent viewers from each learner's attended intervals, by a sweep over their starts and
 * ends (O(n log n)); at an instant where one leaves and another joins, the leaver is gone first
 * (intervals are half-open), so the two never count together.
 * @example concurrency([[{ start: 0, end: 10 }], [{ start: 5, end: 20 }]], 0, 20, 2).peak // 2
 */
export function concurrency(
  perLearner: readonly (readonly Interval[])[],
  from: number,
  to: number,
  points = 100,
): Concurrency {
  const edges: [number, number][] = [];
  for (const intervals of perLearner) {
    for (const i of intervals) {
      if (i.end <= i.start) continue;
      edges.push([i.start, 1], [i.end, -1]);
    }
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const width = to > from ? (to - from) / points : 0;
  const timeline =
    width > 0
      ? Array.from({ length: points }, (_, k) => ({ at: Math.round(from + k * width), viewers: 0 }))
      : [];
  const bucketOf = (t: number) => Math.min(points - 1, Math.max(0, Math.floor((t - from) / width)));
  let level = 0;
  let peak = 0;
  let peakAt: number | null = null;
  let k = 0;
  while (k < edges.length) {
    const t = edges[k]![0];
    while (k < edges.length && edges[k]![0] === t) level += edges[k++]![1];
    if (level > peak) {
      peak = level;
      peakAt = t;
    }
    // The level holds from t to the next edge: every bucket it spans saw at least this many.
    const next = k < edges.length ? edges[k]![0] : t;
    if (width > 0 && level > 0 && next > from && t < to) {
      // Half-open: a level ending exactly where a bucket starts stays out of it (no epsilon: at
      // epoch milliseconds one would vanish in rounding).
      const last = Math.min(points - 1, Math.ceil((Math.min(next, to) - from) / width) - 1);
      for (let b = bucketOf(Math.max(t, from)); b <= last; b++) {
        timeline[b]!.viewers = Math.max(timeline[b]!.viewers, level);
      }
    }
  }
  return { peak, peakAt, timeline };
}
