import { assessRisk, median, type Risk } from '../domain/engagement/at-risk.js';
import { type EngagementScore, engagementScore } from '../domain/engagement/score.js';
import type { ResolvedCourseSettings } from '../domain/catalog/schemas.js';
import { completionPercent } from '../domain/progress/course-progress.js';
import { localDay } from '../domain/time/local-day.js';
import { addDays, daysBetween } from '../domain/engagement/streak.js';
import type { CourseCache } from './course-cache.js';
import { emptyRecent, recentWindows, type Windows } from '../domain/progress/recent-days.js';
import {
  countItems,
  readFailing,
  readLearnerDaysIn,
  readRoster,
  type RosterRow,
} from '../store/analytics/roster.js';
import type { Queryable } from '../store/db.js';

/** Everything the engagement views say about one learner of a course. */
export interface LearnerEngagement {
  userId: string;
  displayName: string;
  timezone: string;
  visits7d: number;
  timeOnTaskSec: number;
  sessions: number;
  avgSessionSec: number;
  videoWatchedPercent: number | null;
  scrollDepthPercent: number | null;
  itemsCompleted: number;
  progressPercent: number;
  startedAt: string | null;
  lastActivityAt: string | null;
  engagement: EngagementScore;
  risk: Risk;
}

export interface CourseRoster {
  /** The instant the figures were computed for. */
  asOf: Date;
  totalItems: number;
  medianProgress: number;
  learners: LearnerEngagement[];
}

/**
 * A course's learners with their engagement and risk, in a constant number of queries whatever
 * the size of the course: the figures come from the course rows the projections keep, and the
 * per-learner formulas are the pure functions of `domain/engagement`.
 */
export async function loadRoster(
  db: Queryable,
  courseId: string,
  settings: ResolvedCourseSettings,
  now: Date,
): Promise<CourseRoster> {
  const totalItems = await countItems(db, courseId);
  const rows = await readRoster(db, courseId);
  const failing = await readFailing(db, courseId);
  const failingByUser = new Map<string, { itemId: string; title: string; failures: number }[]>();
  for (const f of failing) {
    const list = failingByUser.get(f.user_id) ?? [];
    list.push({ itemId: f.item_id, title: f.title, failures: f.failures });
    failingByUser.set(f.user_id, list);
  }
  const windows = await learnerWindows(db, courseId, rows, now);
  const progressOf = (r: RosterRow) => completionPercent(r.itemsCompleted, totalItems);
  const medianProgress = median(rows.map(progressOf));
  const nowMs = now.getTime();
  const learners = rows.map((r): LearnerEngagement => {
    const timeOnTaskSec = r.timeSpentMs / 1000;
    const sessions = r.sessions;
    const w = windows.get(r.userId)!;
    const inputs = {
      visits7d: w.visits7d,
      avgSessionSec: sessions > 0 ? timeOnTaskSec / sessions : 0,
      videoWatchedPercent: r.videosStarted > 0 ? r.videoPctSum / 100 / r.videosStarted : null,
      scrollDepthPercent: r.scrollItems > 0 ? r.scrollPctSum / 100 / r.scrollItems : null,
    };
    const progressPercent = progressOf(r);
    return {
      userId: r.userId,
      displayName: r.displayName,
      timezone: r.zone,
      ...inputs,
      timeOnTaskSec,
      sessions,
      itemsCompleted: r.itemsCompleted,
      progressPercent,
      startedAt: r.firstAt === null ? null : new Date(r.firstAt).toISOString(),
      lastActivityAt: r.lastAt === null ? null : new Date(r.lastAt).toISOString(),
      engagement: engagementScore(inputs, settings.engagementWeights),
      risk: assessRisk(
        {
          lastActivityAt: r.lastAt,
          enrolledAt: r.enrolledAt,
          progressPercent,
          failing: failingByUser.get(r.userId) ?? [],
          activeMsLast7: w.activeMsLast7,
          activeMsPrevious7: w.activeMsPrevious7,
        },
        medianProgress,
        settings,
        nowMs,
      ),
    };
  });
  return { asOf: now, totalItems, medianProgress, learners };
}

/**
 * The whole course's roster through the cache: reused while the course's data and settings are
 * unchanged and the entry is young (see RosterCache).
 */
export function courseRoster(
  cache: CourseCache<CourseRoster>,
  db: Queryable,
  course: { id: string; settings: ResolvedCourseSettings },
  now: Date,
): Promise<CourseRoster> {
  return cache.get(course.id, JSON.stringify(course.settings), () =>
    loadRoster(db, course.id, course.settings, now),
  );
}

/**
 * Each learner's 7-day windows ending on their own local today, from the recent days on their
 * course row; the rare learner whose row cannot tell (activity dated after their today) is read
 * from daily activity, all such learners in one query.
 */
async function learnerWindows(
  db: Queryable,
  courseId: string,
  rows: readonly RosterRow[],
  now: Date,
): Promise<Map<string, Windows>> {
  const todayOf = new Map<string, string>();
  const today = (zone: string) => {
    let d = todayOf.get(zone);
    if (d === undefined) {
      d = localDay(now, zone);
      todayOf.set(zone, d);
    }
    return d;
  };
  const out = new Map<string, Windows>();
  const unknown: RosterRow[] = [];
  for (const r of rows) {
    const w = recentWindows(r.recent ?? emptyRecent(), today(r.zone));
    if (w) out.set(r.userId, w);
    else unknown.push(r);
  }
  if (unknown.length > 0) {
    const from = addDays([...todayOf.values()].sort()[0]!, -13);
    const days = await readLearnerDaysIn(
      db,
      courseId,
      unknown.map((r) => r.userId),
      from,
    );
    for (const r of unknown) {
      const t = today(r.zone);
      const w: Windows = { visits7d: 0, activeMsLast7: 0, activeMsPrevious7: 0 };
      for (const d of days) {
        if (d.user_id !== r.userId || d.day > t) continue;
        const age = daysBetween(d.day, t);
        if (age < 7) {
          w.visits7d += d.visits;
          w.activeMsLast7 += d.active_ms;
        } else if (age < 14) w.activeMsPrevious7 += d.active_ms;
      }
      out.set(r.userId, w);
    }
  }
  return out;
}
