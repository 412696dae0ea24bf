import { resolveCourseSettings } from '../domain/catalog/schemas.js';
import { addDays, streaks } from '../domain/engagement/streak.js';
import { completionPercent, courseStatus } from '../domain/progress/course-progress.js';
import { localDay } from '../domain/time/local-day.js';
import {
  type LearnerCourseRow,
  readActiveDays,
  readCohortAverages,
  readLearnerCourses,
  readLearnerDays,
  readLearnerItems,
} from '../store/progress/read.js';
import type { Queryable } from '../store/db.js';

/** Below this many learners a course average would all but name the others: it is not shown. */
export const MIN_COHORT = 5;

const iso = (d: Date | null) => d?.toISOString() ?? null;

function courseSummary(r: LearnerCourseRow, now: Date) {
  const completed = r.items_completed ?? 0;
  const inactivityDays = resolveCourseSettings(r.settings).atRiskInactivityDays;
  const status = courseStatus(
    completed,
    r.total_items,
    r.last_at?.getTime() ?? null,
    now.getTime(),
    inactivityDays,
  );
  return {
    courseId: r.course_id,
    title: r.title,
    code: r.code,
    status,
    itemsCompleted: completed,
    totalItems: r.total_items,
    completionPercent: completionPercent(completed, r.total_items),
    timeOnTaskSec: (r.time_spent_ms ?? 0) / 1000,
    startedAt: iso(r.first_at),
    lastActivityAt: iso(r.last_at),
    completedAt: status === 'completed' ? iso(r.completed_at) : null,
    certificate: r.certificate_id
      ? { certificateId: r.certificate_id, issuedAt: iso(r.certificate_issued_at) }
      : null,
  };
}

/** The learner's courses, last activity first. */
export async function myCourses(db: Queryable, userId: string, now: Date) {
  return { courses: (await readLearnerCourses(db, userId)).map((r) => courseSummary(r, now)) };
}

/** One course's progress for the learner, item by item with resume positions; undefined if not theirs. */
export async function myCourseProgress(db: Queryable, userId: string, courseId: string, now: Date) {
  const [course] = await readLearnerCourses(db, userId, courseId);
  if (!course) return undefined;
  const items = await readLearnerItems(db, userId, courseId);
  return {
    ...courseSummary(course, now),
    items: items.map((i) => ({
      itemId: i.item_id,
      title: i.title,
      type: i.type,
      position: i.position,
      status: i.completed_at ? 'completed' : i.started_at ? 'in_progress' : 'not_started',
      progressPercent: i.progress_pct ?? 0,
      completionThreshold: i.threshold,
      startedAt: iso(i.started_at),
      lastActivityAt: iso(i.last_at),
      completedAt: iso(i.completed_at),
      completedHow: i.completed_how,
      resumePositionSec: i.resume_sec,
      video:
        i.watch_sessions === null
          ? null
          : {
              watchedPercent: i.watched_pct!,
              watchedSec: i.unique_sec!,
              playedSec: Number(i.played_sec),
              watchSessions: i.watch_sessions,
              maxPositionSec: i.max_position_sec!,
            },
      timeOnTaskSec: (i.time_spent_ms ?? 0) / 1000,
      scrollDepthPercent: i.max_scroll,
      requiredQuizId: i.required_quiz_id,
      attempts: i.attempts,
      bestScorePercent: i.best_score_pct,
      passed: i.passed,
    })),
  };
}

/**
 * A learner's last `n` (at most 28) local days in their time zone, every day present (zeros when
 * idle), in one course or over all theirs.
 */
async function learnerDays(db: Queryable, userId: string, timezone: string, now: Date, courseId?: string) {
  const today = localDay(now, timezone);
  const days = new Map(
    (await readLearnerDays(db, userId, addDays(today, -27), courseId)).map((d) => [d.day, d]),
  );
  const series = (n: number) =>
    Array.from({ length: n }, (_, i) => {
      const day = addDays(today, i - n + 1);
      const d = days.get(day);
      return {
        day,
        timeOnTaskSec: (d?.active_ms ?? 0) / 1000,
        visits: d?.visits ?? 0,
        itemsCompleted: d?.items_completed ?? 0,
        active: (d?.events ?? 0) > 0,
      };
    });
  return { today, series };
}

/** One learner's last 28 local days in one course (their time zone): what their instructors see. */
export async function learnerCourseActivity(
  db: Queryable,
  userId: string,
  courseId: string,
  timezone: string,
  now: Date,
) {
  const { today, series } = await learnerDays(db, userId, timezone, now, courseId);
  return { userId, courseId, timezone, today, last28Days: series(28) };
}

/**
 * The learner's own figures: totals, streaks and the last 7 and 28 local days in their time zone,
 * and, per course, where they stand against the course average (never anyone's own figures).
 */
export async function myStats(db: Queryable, userId: string, timezone: string, now: Date) {
  const courses = await readLearnerCourses(db, userId);
  const { today, series } = await learnerDays(db, userId, timezone, now);
  const streak = streaks(await readActiveDays(db, userId), today);
  const cohorts = new Map(
    (
      await readCohortAverages(
        db,
        courses.map((c) => c.course_id),
      )
    ).map((c) => [c.course_id, c]),
  );
  const summaries = courses.map((c) => courseSummary(c, now));
  return {
    userId,
    timezone,
    today,
    courses: summaries.length,
    coursesCompleted: summaries.filter((c) => c.status === 'completed').length,
    timeOnTaskSec: summaries.reduce((s, c) => s + c.timeOnTaskSec, 0),
    itemsCompleted: summaries.reduce((s, c) => s + c.itemsCompleted, 0),
    lessonsCompleted: courses.reduce((s, c) => s + c.lessons_completed, 0),
    currentStreakDays: streak.current,
    longestStreakDays: streak.longest,
    last7Days: series(7),
    last28Days: series(28),
    comparison: courses.map((c, i) => {
      const cohort = cohorts.get(c.course_id);
      const shown = cohort !== undefined && cohort.learners >= MIN_COHORT;
      return {
        courseId: c.course_id,
        title: c.title,
        you: { progressPercent: summaries[i]!.completionPercent, timeOnTaskSec: summaries[i]!.timeOnTaskSec },
        courseAverage: shown
          ? {
              progressPercent: completionPercent(cohort.avg_items_completed, c.total_items),
              timeOnTaskSec: cohort.avg_time_spent_ms / 1000,
              learners: cohort.learners,
            }
          : null,
      };
    }),
  };
}
