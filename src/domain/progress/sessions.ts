import { clampInstant } from '../time/range.js';

/** A new learning session starts after this long without activity (SPEC §5). */
export const SESSION_GAP_MS = 30 * 60 * 1000;

/** One learning session: the first and last activity in it (epoch milliseconds). */
export interface Session {
  start: number;
  end: number;
}

/**
 * Merges activity instants into sessions. Sessions are the groups of a learner's activity times
 * in which consecutive times are less than 30 minutes apart, so they depend only on the set of
 * times: merging in any order and batching gives the same sessions. `existing` must hold every
 * stored session that could touch the new times (any ending after `min - gap` and starting before
 * `max + gap`); sessions further away cannot merge with them.
 * @example mergeSessions([{ start: 0, end: 60_000 }], [600_000]) // [{ start: 0, end: 600_000 }]
 */
export function mergeSessions(existing: readonly Session[], times: readonly number[]): Session[] {
  const all: Session[] = [...existing, ...times.map((t) => ({ start: t, end: t }))];
  all.sort((a, b) => a.start - b.start);
  const out: Session[] = [];
  for (const s of all) {
    const last = out[out.length - 1];
    if (last && s.start - last.end < SESSION_GAP_MS) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/** The window of stored sessions that new activity at `times` may merge with. */
export function sessionWindow(times: readonly number[]): { from: number; to: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const t of times) {
    if (t < min) min = t;
    if (t > max) max = t;
  }
  return { from: clampInstant(min - SESSION_GAP_MS), to: clampInstant(max + SESSION_GAP_MS) };
}

/**
 * What merging changed: stored sessions to delete and merged ones to insert. Most batches only
 * stretch the learner's latest session, so most sessions are in neither list.
 */
export function sessionDiff(
  existing: readonly Session[],
  merged: readonly Session[],
): { removed: Session[]; added: Session[] } {
  const same = (a: Session, b: Session) => a.start === b.start && a.end === b.end;
  return {
    removed: existing.filter((s) => !merged.some((m) => same(m, s))),
    added: merged.filter((m) => !existing.some((s) => same(m, s))),
  };
}

/**
 * The stored sessions new activity at `times` may merge with, when the course row alone can tell:
 * the learner has no session yet (`latest` null), or no new time is before the start of their
 * latest session. Every earlier session then ends at least 30 minutes before that start, so
 * only the latest can merge. Undefined: the stored sessions in `sessionWindow(times)` must be read.
 * This is the common case of a tracker's in-order heartbeats, which spares a read per batch.
 */
export function candidatesFromLatest(
  latest: Session | null,
  times: readonly number[],
): Session[] | undefined {
  if (latest === null) return [];
  for (const t of times) if (t < latest.start) return undefined;
  return [latest];
}

/**
 * The learner's latest session after a merge: the merged session ending last, unless the one
 * stored before ends later (it was outside the window read, and so unchanged). Sessions are
 * disjoint, so the one ending last is the latest.
 */
export function latestAfterMerge(before: Session | null, merged: readonly Session[]): Session | null {
  let last: Session | null = null;
  for (const s of merged) if (last === null || s.end > last.end) last = s;
  if (last === null) return before;
  return before !== null && before.end > last.end ? before : last;
}
