import type { Queryable } from '../db.js';

/**
 * Per course day from `fromDay` to `toDay`: learners active, time on task, visits and items
 * completed, from the totals kept at ingest minus the share of `outsiders` (users who are not the
 * course's learners). Each learner's activity is on their own local days.
 */
export async function readCourseTrend(
  db: Queryable,
  courseId: string,
  fromDay: string,
  toDay: string,
  outsiders: readonly string[],
): Promise<
  { day: string; active_learners: number; active_ms: number; visits: number; items_completed: number }[]
> {
  return db.query(
    `WITH days AS (
       SELECT day, learners, active_ms, visits, 0 AS items FROM course_daily
       WHERE course_id = $1 AND day BETWEEN $2::date AND $3::date
       UNION ALL
       SELECT day, 0, 0, 0, items_completed FROM course_daily_completions
       WHERE course_id = $1 AND day BETWEEN $2::date AND $3::date
       UNION ALL
       SELECT day, -1, -active_ms, -visits, 0 FROM daily_activity
       WHERE user_id = ANY($4::text[]) AND course_id = $1 AND day BETWEEN $2::date AND $3::date
       UNION ALL
       SELECT day, 0, 0, 0, -items_completed FROM daily_completions
       WHERE user_id = ANY($4::text[]) AND course_id = $1 AND day BETWEEN $2::date AND $3::date
     )
     SELECT day::text AS day, sum(learners)::integer AS active_learners, sum(active_ms)::bigint AS active_ms,
            sum(visits)::integer AS visits, sum(items)::integer AS items_completed
     FROM days GROUP BY day`,
    [courseId, fromDay, toDay, outsiders],
  );
}

/**
 * Per catalog item in course order: learners who started it and who completed it, from the counts
 * kept at ingest minus the rows of `outsiders`.
 */
export async function readItemFunnel(
  db: Queryable,
  courseId: string,
  outsiders: readonly string[],
): Promise<
  { item_id: string; title: string; type: string; position: number; started: number; completed: number }[]
> {
  return db.query(
    `WITH outside AS (
       SELECT p.item_id, count(*)::integer AS started, count(p.completed_at)::integer AS completed
       FROM item_progress p JOIN items i ON i.id = p.item_id
       WHERE p.user_id = ANY($2::text[]) AND i.course_id = $1
       GROUP BY p.item_id
     )
     SELECT i.id AS item_id, i.title, i.type, i.position,
            coalesce(s.started, 0) - coalesce(o.started, 0) AS started,
            coalesce(s.completed, 0) - coalesce(o.completed, 0) AS completed
     FROM items i LEFT JOIN item_stats s ON s.item_id = i.id LEFT JOIN outside o ON o.item_id = i.id
     WHERE i.course_id = $1
     ORDER BY i.position, i.id`,
    [courseId, outsiders],
  );
}

/** Certificates issued in a course to its learners. */
export async function countCertificates(db: Queryable, courseId: string): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `SELECT count(*)::integer AS n FROM certificates c
     JOIN enrollments e ON e.course_id = c.course_id AND e.user_id = c.user_id AND e.active AND e.role = 'student'
     WHERE c.course_id = $1`,
    [courseId],
  );
  return rows[0]?.n ?? 0;
}
