import type { LearningEvent } from '../events/types.js';
import { heartbeatMs, type ItemProgress, playedMs } from './item-progress.js';
import { addRecent, type RecentDays } from './recent-days.js';

/** A learner's progress in one course. Times are epoch milliseconds; percent sums in hundredths. */
export interface CourseProgress {
  userId: string;
  courseId: string;
  itemsCompleted: number;
  timeSpentMs: number;
  firstAt: number;
  lastAt: number;
  sessions: number;
  /** Start of the learner's latest learning session, which ends at `lastAt` (null: none yet). */
  latestSessionStart: number | null;
  videosStarted: number;
  videoPctSum: number;
  scrollItems: number;
  scrollPctSum: number;
  /** Visits and time on task of the latest 14 local days. */
  recent: RecentDays;
}

/** Everything a learner does in a course counts as activity, except what the platform issues. */
export const isLearnerActivity = (e: LearningEvent): boolean =>
  e.type !== 'certification_issued' && !e.type.startsWith('x-');

/** Time on task (SPEC §5): heartbeat active seconds plus video seconds played, in milliseconds. */
export const timeOnTaskMs = (e: LearningEvent): number => heartbeatMs(e) + playedMs(e);

/** Percent in hundredths of a point, so that sums of many learners' percents are exact integers. */
export const hundredths = (pct: number): number => Math.round(pct * 100);

/** What an item's new state changes in its course's totals. */
export interface ItemChange {
  itemsCompleted: number;
  videosStarted: number;
  videoPctSum: number;
  scrollItems: number;
  scrollPctSum: number;
}

/**
 * The difference an item's progress update makes to the course totals: counts move when an item
 * becomes completed, a video is first opened or a page first scrolled; sums by the change of the
 * item's maximum. Adding these differences keeps the totals equal to a recount of the items.
 */
export function itemChange(
  before: ItemProgress | undefined,
  after: ItemProgress,
  isVideo: boolean,
): ItemChange {
  const completed = (p: ItemProgress | undefined) => (p?.completedAt != null ? 1 : 0);
  const scrolled = (p: ItemProgress | undefined) => (p?.maxScroll != null ? 1 : 0);
  return {
    itemsCompleted: completed(after) - completed(before),
    videosStarted: isVideo && !before ? 1 : 0,
    videoPctSum: isVideo ? hundredths(after.progressPct) - hundredths(before?.progressPct ?? 0) : 0,
    scrollItems: scrolled(after) - scrolled(before),
    scrollPctSum: hundredths(after.maxScroll ?? 0) - hundredths(before?.maxScroll ?? 0),
  };
}

/**
 * Folds a batch into a course's progress: course events (time, first and last activity, recent
 * days by the learner's local day `dayOf`), the items' changes, the change in the number of
 * sessions and the start of the latest one.
 */
export function foldCourseProgress(
  prev: CourseProgress,
  events: readonly LearningEvent[],
  changes: readonly ItemChange[],
  sessions: { delta: number; latestStart: number | null },
  dayOf: (e: LearningEvent) => string,
): CourseProgress {
  const p = { ...prev };
  const days = new Map<string, { visits: number; ms: number }>();
  for (const e of events) {
    const t = Date.parse(e.occurredAt);
    const ms = timeOnTaskMs(e);
    p.firstAt = Math.min(p.firstAt, t);
    p.lastAt = Math.max(p.lastAt, t);
    p.timeSpentMs += ms;
    const day = dayOf(e);
    const d = days.get(day) ?? { visits: 0, ms: 0 };
    d.visits += e.type === 'course_visit' ? 1 : 0;
    d.ms += ms;
    days.set(day, d);
  }
  for (const [day, d] of days) p.recent = addRecent(p.recent, day, d.visits, d.ms);
  for (const c of changes) {
    p.itemsCompleted += c.itemsCompleted;
    p.videosStarted += c.videosStarted;
    p.videoPctSum += c.videoPctSum;
    p.scrollItems += c.scrollItems;
    p.scrollPctSum += c.scrollPctSum;
  }
  p.sessions += sessions.delta;
  p.latestSessionStart = sessions.latestStart;
  return p;
}

/** Items completed / items in the catalog × 100; 0 for a course without items. */
export const completionPercent = (completed: number, total: number): number =>
  total > 0 ? (Math.min(completed, total) / total) * 100 : 0;

export type CourseStatus = 'active' | 'completed' | 'inactive';

/**
 * `completed` once every catalog item is completed; otherwise `active` with learning activity in
 * the last `inactivityDays` days, else `inactive` (never started counts as inactive).
 */
export function courseStatus(
  completed: number,
  total: number,
  lastActivityAt: number | null,
  now: number,
  inactivityDays: number,
): CourseStatus {
  if (total > 0 && completed >= total) return 'completed';
  if (lastActivityAt !== null && now - lastActivityAt < inactivityDays * 86_400_000) return 'active';
  return 'inactive';
}
