import type { Queryable } from '../db.js';

/**
 * Per local day from `fromDay` to `toDay`: learners active, time on task, visits and items
 * completed, over the course's learners (active student enrollments). Each learner's activity
 * is on their own local days.
 */
export async function readCourseTrend(
  db: Queryable,
  courseId: string,
  fromDay: string,
  toDay: string,
): Promise<
  { day: string; active_learners: number; active_ms: number; visits: number; items_completed: number }[]
> {
  return db.query(
    `WITH learners AS (
       SELECT user_id FROM enrollments WHERE course_id = $1 AND active AND role = 'student'
     ),
     activity AS (
       SELECT d.day, count(*) FILTER (WHERE d.events > 0)::integer AS active_learners,
              sum(d.active_ms)::bigint AS active_ms, sum(d.visits)::integer AS visits
       FROM daily_activity d JOIN learners l ON l.user_id = d.user_id
       WHERE d.course_id = $1 AND d.day BETWEEN $2::date AND $3::date
       GROUP BY d.day
     ),
     completions AS (
       SELECT c.day, sum(c.items_completed)::integer AS items_completed
       FROM daily_completions c JOIN learners l ON l.user_id = c.user_id
       WHERE c.course_id = $1 AND c.day BETWEEN $2::date AND $3::date
       GROUP BY c.day
     )
     SELECT coalesce(a.day, c.day)::text AS day, coalesce(a.active_learners, 0) AS active_learners,
            coalesce(a.active_ms, 0) AS active_ms, coalesce(a.visits, 0) AS visits,
            coalesce(c.items_completed, 0) AS items_completed
     FROM activity a FULL JOIN completions c ON c.day = a.day`,
    [courseId, fromDay, toDay],
  );
}

/** Per catalog item in course order: learners who started it and who completed it. */
export async function readItemFunnel(
  db: Queryable,
  courseId: string,
): Promise<
  { item_id: string; title: string; type: string; position: number; started: number; completed: number }[]
> {
  return db.query(
    `WITH learners AS (
       SELECT user_id FROM enrollments WHERE course_id = $1 AND active AND role = 'student'
     ),
     counts AS (
       SELECT p.item_id, count(*)::integer AS started, count(p.completed_at)::integer AS completed
       FROM item_progress p JOIN learners l ON l.user_id = p.user_id
       WHERE p.course_id = $1
       GROUP BY p.item_id
     )
     SELECT i.id AS item_id, i.title, i.type, i.position, coalesce(c.started, 0) AS started,
            coalesce(c.completed, 0) AS completed
     FROM items i LEFT JOIN counts c ON c.item_id = i.id
     WHERE i.course_id = $1
     ORDER BY i.position, i.id`,
    [courseId],
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
