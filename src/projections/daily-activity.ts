import { DAILY_ACTIVITY_TYPES, dailyActivityDeltas } from '../domain/daily-activity.js';
import type { Queryable } from '../store/db.js';
import type { Projection } from './projection.js';

const UPSERT_SQL = `
INSERT INTO daily_activity (user_id, course_id, day, active_ms, visits, events, quiz_attempts)
SELECT "userId", "courseId", day, "activeMs", visits, events, "quizAttempts"
FROM jsonb_to_recordset($1::text::jsonb) AS x("userId" text, "courseId" text, day date, "activeMs" bigint,
  visits integer, events integer, "quizAttempts" integer)
ON CONFLICT (user_id, course_id, day) DO UPDATE
SET active_ms = daily_activity.active_ms + excluded.active_ms,
    visits = daily_activity.visits + excluded.visits,
    events = daily_activity.events + excluded.events,
    quiz_attempts = daily_activity.quiz_attempts + excluded.quiz_attempts
RETURNING course_id, day::text AS day, (xmax = 0) AS created`;

/** Course totals per day: `learners` grows when a learner's first activity of a day arrives. */
const COURSE_DAILY_SQL = `
INSERT INTO course_daily (course_id, day, learners, active_ms, visits)
SELECT "courseId", day, learners, "activeMs", visits
FROM jsonb_to_recordset($1::text::jsonb) AS x("courseId" text, day date, learners integer, "activeMs" bigint, visits integer)
ORDER BY "courseId", day
ON CONFLICT (course_id, day) DO UPDATE
SET learners = course_daily.learners + excluded.learners,
    active_ms = course_daily.active_ms + excluded.active_ms,
    visits = course_daily.visits + excluded.visits`;

interface CourseDay {
  courseId: string;
  day: string;
  learners: number;
  activeMs: number;
  visits: number;
}

async function addCourseDays(tx: Queryable, days: Map<string, CourseDay>): Promise<void> {
  if (days.size > 0) await tx.query(COURSE_DAILY_SQL, [JSON.stringify([...days.values()])]);
}

/**
 * Daily activity per (learner, course, local day), the basis of weekly charts and streaks, and
 * its totals per (course, day) for the course trend.
 */
export const dailyActivityProjection: Projection = {
  name: 'daily_activity',
  version: 4,
  eventTypes: new Set(DAILY_ACTIVITY_TYPES),
  tables: ['daily_activity', 'course_daily'],
  async apply(tx, events, ctx) {
    const deltas = dailyActivityDeltas(
      events,
      (u) => ctx.timeZoneOf(u),
      (e) => ctx.courseOf(e),
    );
    if (deltas.length === 0) return;
    const rows = await tx.query<{ course_id: string; day: string; created: boolean }>(UPSERT_SQL, [
      JSON.stringify(deltas),
    ]);
    const days = new Map<string, CourseDay>();
    for (const d of deltas) {
      const key = `${d.courseId}\u0000${d.day}`;
      const c = days.get(key) ?? { courseId: d.courseId, day: d.day, learners: 0, activeMs: 0, visits: 0 };
      c.activeMs += d.activeMs;
      c.visits += d.visits;
      days.set(key, c);
    }
    for (const r of rows) if (r.created) days.get(`${r.course_id}\u0000${r.day}`)!.learners += 1;
    await addCourseDays(tx, days);
  },
  async resetUser(tx, userId) {
    await tx.query(
      `UPDATE course_daily c SET learners = c.learners - 1, active_ms = c.active_ms - d.active_ms,
         visits = c.visits - d.visits
       FROM daily_activity d WHERE d.user_id = $1 AND c.course_id = d.course_id AND c.day = d.day`,
      [userId],
    );
    await tx.query(
      `DELETE FROM course_daily c USING daily_activity d
       WHERE d.user_id = $1 AND c.course_id = d.course_id AND c.day = d.day AND c.learners = 0`,
      [userId],
    );
    await tx.query('DELETE FROM daily_activity WHERE user_id = $1', [userId]);
  },
};
