import type { ResolvedCourseSettings } from '../domain/catalog/schemas.js';
import { addDays } from '../domain/engagement/streak.js';
import { localDay } from '../domain/time/local-day.js';
import { countCertificates, readCourseTrend, readItemFunnel } from '../store/analytics/course.js';
import { readOutsiders } from '../store/analytics/roster.js';
import type { Queryable } from '../store/db.js';
import type { CourseRoster } from './roster.js';

export const TREND_DAYS = 14;
const DAY = 86_400_000;

/**
 * The instructor's overview of a course. `timezone` is the viewer's: it picks which 14 dates the
 * trend shows (the last 14 ending today there); each learner's activity is on their own local day.
 */
export async function courseAnalytics(
  db: Queryable,
  course: { id: string; settings: ResolvedCourseSettings },
  roster: CourseRoster,
  timezone: string,
) {
  const now = roster.asOf;
  const learners = roster.learners;
  const n = learners.length;
  const today = localDay(now, timezone);
  const from = addDays(today, -(TREND_DAYS - 1));
  const outsiders = await readOutsiders(db, course.id);
  const trendRows = new Map(
    (await readCourseTrend(db, course.id, from, today, outsiders)).map((r) => [r.day, r]),
  );
  const funnel = await readItemFunnel(db, course.id, outsiders);
  const completed = learners.filter(
    (l) => roster.totalItems > 0 && l.itemsCompleted >= roster.totalItems,
  ).length;
  const sum = (f: (l: (typeof learners)[number]) => number) => learners.reduce((s, l) => s + f(l), 0);
  return {
    courseId: course.id,
    asOf: now.toISOString(),
    timezone,
    enrolledLearners: n,
    totalItems: roster.totalItems,
    completedLearners: completed,
    completionRate: n > 0 ? (completed / n) * 100 : 0,
    averageProgressPercent: n > 0 ? sum((l) => l.progressPercent) / n : 0,
    medianProgressPercent: roster.medianProgress,
    averageTimePerLearnerSec: n > 0 ? sum((l) => l.timeOnTaskSec) / n : 0,
    activeLearners7d: learners.filter(
      (l) => l.lastActivityAt !== null && now.getTime() - Date.parse(l.lastActivityAt) < 7 * DAY,
    ).length,
    atRiskCount: learners.filter((l) => l.risk.level !== 'none').length,
    certificatesIssued: await countCertificates(db, course.id),
    trend: Array.from({ length: TREND_DAYS }, (_, i) => {
      const day = addDays(from, i);
      const r = trendRows.get(day);
      return {
        day,
        activeLearners: r?.active_learners ?? 0,
        timeOnTaskSec: (r?.active_ms ?? 0) / 1000,
        visits: r?.visits ?? 0,
        itemsCompleted: r?.items_completed ?? 0,
      };
    }),
    itemFunnel: funnel.map((f) => ({
      itemId: f.item_id,
      title: f.title,
      type: f.type,
      position: f.position,
      started: f.started,
      completed: f.completed,
      startedPercent: n > 0 ? (f.started / n) * 100 : 0,
      completedPercent: n > 0 ? (f.completed / n) * 100 : 0,
    })),
  };
}
