import type { RecentDays } from '../../domain/progress/recent-days.js';
import type { Queryable, Row } from '../db.js';

/** One of a course's learners with their course progress, as stored. */
export interface RosterRow extends Row {
  user_id: string;
  display_name: string;
  zone: string;
  enrolled_at: Date;
  items_completed: number | null;
  time_spent_ms: number | null;
  first_at: Date | null;
  last_at: Date | null;
  sessions: number | null;
  videos_started: number | null;
  video_pct_sum: number | null;
  scroll_items: number | null;
  scroll_pct_sum: number | null;
  recent: RecentDays | null;
}

/**
 * A course's learners (active student enrollments), one row each with their course progress, in
 * one query: an index scan of the course's enrollments joined with their users and progress rows.
 */
export async function readRoster(db: Queryable, courseId: string, onlyUser?: string): Promise<RosterRow[]> {
  return db.query<RosterRow>(
    `SELECT e.user_id, coalesce(u.display_name, e.user_id) AS display_name, coalesce(u.timezone, 'UTC') AS zone,
            e.created_at AS enrolled_at, cp.items_completed, cp.time_spent_ms, cp.first_at, cp.last_at, cp.sessions,
            cp.videos_started, cp.video_pct_sum, cp.scroll_items, cp.scroll_pct_sum, cp.recent
     FROM enrollments e
     LEFT JOIN users u ON u.id = e.user_id
     LEFT JOIN course_progress cp ON cp.user_id = e.user_id AND cp.course_id = e.course_id
     WHERE e.course_id = $1 AND e.active AND e.role = 'student' AND ($2::text IS NULL OR e.user_id = $2)`,
    [courseId, onlyUser ?? null],
  );
}

/**
 * Daily visits and time on task of some learners from `fromDay` on: the exact windows of the few
 * learners whose course row cannot give them (events dated after their today).
 */
export async function readLearnerDaysIn(
  db: Queryable,
  courseId: string,
  userIds: readonly string[],
  fromDay: string,
): Promise<{ user_id: string; day: string; visits: number; active_ms: number }[]> {
  if (userIds.length === 0) return [];
  return db.query(
    `SELECT user_id, day::text AS day, visits, active_ms FROM daily_activity
     WHERE course_id = $1 AND user_id = ANY($2::text[]) AND day >= $3::date`,
    [courseId, userIds, fromDay],
  );
}

/**
 * Users with activity in the course who are not its learners (instructors, ended enrollments,
 * users never enrolled): the course totals kept at ingest include them, the views take them out.
 */
export async function readOutsiders(db: Queryable, courseId: string): Promise<string[]> {
  const rows = await db.query<{ user_id: string }>(
    `SELECT cp.user_id FROM course_progress cp
     WHERE cp.course_id = $1
       AND NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.course_id = $1 AND e.user_id = cp.user_id
                       AND e.active AND e.role = 'student')`,
    [courseId],
  );
  return rows.map((r) => r.user_id);
}

/** Per learner, the course's assessments they failed and have not passed (yet). */
export async function readFailing(
  db: Queryable,
  courseId: string,
  onlyUser?: string,
): Promise<{ user_id: string; item_id: string; title: string; failures: number }[]> {
  return db.query(
    `SELECT a.user_id, a.item_id, coalesce(min(i.title), a.item_id) AS title,
            (count(*) FILTER (WHERE a.passed = false))::integer AS failures
     FROM assessment_attempts a LEFT JOIN items i ON i.id = a.item_id
     WHERE a.course_id = $1 AND ($2::text IS NULL OR a.user_id = $2)
     GROUP BY a.user_id, a.item_id
     HAVING NOT coalesce(bool_or(a.passed), false) AND count(*) FILTER (WHERE a.passed = false) > 0
     ORDER BY a.user_id, a.item_id`,
    [courseId, onlyUser ?? null],
  );
}

/** How many items the course has in the catalog. */
export async function countItems(db: Queryable, courseId: string): Promise<number> {
  const rows = await db.query<{ n: number }>(
    'SELECT count(*)::integer AS n FROM items WHERE course_id = $1',
    [courseId],
  );
  return rows[0]?.n ?? 0;
}
