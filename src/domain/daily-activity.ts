import type { StoredEvent } from './events/types.js';
import { localDay } from './time/local-day.js';

/** What one batch adds to one (learner, course, local day). */
export interface DailyActivityDelta {
  userId: string;
  courseId: string;
  /** YYYY-MM-DD in the learner's time zone. */
  day: string;
  activeMs: number;
  visits: number;
}

export const DEFAULT_HEARTBEAT_SEC = 30;
export const DAILY_ACTIVITY_TYPES = ['heartbeat', 'course_visit'] as const;

/**
 * Folds events into additive per-day deltas: active time from `heartbeat` (`activeSec`, default
 * 30 s, kept in whole milliseconds so sums are exact in any order) and visits from
 * `course_visit`. Events without a course are not part of any course's day.
 * Returns the deltas sorted by key, the order rows are locked in.
 */
export function dailyActivityDeltas(
  events: readonly StoredEvent[],
  timeZoneOf: (userId: string) => string,
): DailyActivityDelta[] {
  const byKey = new Map<string, DailyActivityDelta>();
  for (const e of events) {
    if (!e.courseId) continue;
    if (e.type !== 'heartbeat' && e.type !== 'course_visit') continue;
    const day = localDay(e.occurredAt, timeZoneOf(e.userId));
    const key = `${e.userId}\u0000${e.courseId}\u0000${day}`;
    let delta = byKey.get(key);
    if (!delta) {
      delta = { userId: e.userId, courseId: e.courseId, day, activeMs: 0, visits: 0 };
      byKey.set(key, delta);
    }
    if (e.type === 'heartbeat') {
      const sec = typeof e.data?.activeSec === 'number' ? e.data.activeSec : DEFAULT_HEARTBEAT_SEC;
      delta.activeMs += Math.round(sec * 1000);
    } else {
      delta.visits += 1;
    }
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
}
