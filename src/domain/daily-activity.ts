import { isLearnerActivity, timeOnTaskMs } from './progress/course-progress.js';
import type { StoredEvent } from './events/types.js';
import { localDay } from './time/local-day.js';
import { NATIVE_EVENT_TYPES } from './events/types.js';

/** What one batch adds to one (learner, course, local day). */
export interface DailyActivityDelta {
  userId: string;
  courseId: string;
  /** YYYY-MM-DD in the learner's time zone. */
  day: string;
  /** Time on task: heartbeat active time plus video played, whole milliseconds. */
  activeMs: number;
  visits: number;
  /** Native learning events of the day (any type but certificates): the basis of streaks. */
  events: number;
  quizAttempts: number;
}

export const DAILY_ACTIVITY_TYPES = NATIVE_EVENT_TYPES.filter((t) => t !== 'certification_issued');

/**
 * Folds events into additive per-day deltas: time on task (heartbeat `activeSec`, default 30 s,
 * plus video seconds played, kept in whole milliseconds so sums are exact in any order), visits
 * from `course_visit`, submissions, and the count of learning events. An event belongs to its
 * course (`courseOf`: the item's catalog course, else the one it names); events without a course
 * are not part of any course's day.
 * Returns the deltas sorted by key, the order rows are locked in.
 */
export function dailyActivityDeltas(
  events: readonly StoredEvent[],
  timeZoneOf: (userId: string) => string,
  courseOf: (e: StoredEvent) => string | undefined = (e) => e.courseId,
): DailyActivityDelta[] {
  const byKey = new Map<string, DailyActivityDelta>();
  for (const e of events) {
    const courseId = courseOf(e);
    if (!courseId || !isLearnerActivity(e)) continue;
    const day = localDay(e.occurredAt, timeZoneOf(e.userId));
    const key = `${e.userId}\u0000${courseId}\u0000${day}`;
    let delta = byKey.get(key);
    if (!delta) {
      delta = { userId: e.userId, courseId, day, activeMs: 0, visits: 0, events: 0, quizAttempts: 0 };
      byKey.set(key, delta);
    }
    delta.events += 1;
    delta.activeMs += timeOnTaskMs(e);
    if (e.type === 'course_visit') delta.visits += 1;
    if (e.type === 'quiz_submit' || e.type === 'assignment_submit') delta.quizAttempts += 1;
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
}
