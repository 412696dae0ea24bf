import type { RecentDays } from '../../domain/progress/recent-days.js';
import type { Queryable } from '../db.js';

/** One of a course's learners with their course progress; times in epoch milliseconds. */
export interface RosterRow {
  userId: string;
  displayName: string;
  zone: string;
  enrolledAt: number;
  itemsCompleted: number;
  timeSpentMs: number;
  firstAt: number | null;
  lastAt: number | null;
  sessions: number;
  videosStarted: number;
  videoPctSum: number;
  scrollItems: number;
  scrollPctSum: number;
  recent: RecentDays | null;
}

type PackedRow = [
  string,
  string,
  string,
  number,
  number,
  number,
  number | null,
  number | null,
  number,
  number,
  number,
  number,
  number,
  RecentDays | null,
];

/**
 * A course's learners (active student enrollments), one entry each with their course progress,
 * in one query. The rows travel as one JSON array, parsed at once: for 10,000 learners that is
 * several times faster than the driver decoding 10,000 rows column by column.
 */
export async function readRoster(db: Queryable, courseId: string): Promise<RosterRow[]> {
  const rows = await db.query<{ roster: string }>(
    `SELECT coalesce(json_agg(json_build_array(
              e.user_id, coalesce(u.display_name, e.user_id), coalesce(u.timezone, 'UTC'),
              (extract(epoch FROM e.created_at) * 1000)::float8, coalesce(cp.items_completed, 0),
              coalesce(cp.time_spent_ms, 0), (extract(epoch FROM cp.first_at) * 1000)::float8,
              (extract(epoch FROM cp.last_at) * 1000)::float8, coalesce(cp.sessions, 0),
              coalesce(cp.videos_started, 0), coalesce(cp.video_pct_sum, 0), coalesce(cp.scroll_items, 0),
              coalesce(cp.scroll_pct_sum, 0), cp.recent)), '[]')::text AS roster
     FROM enrollments e
     LEFT JOIN users u ON u.id = e.user_id
     LEFT JOIN course_progress cp ON cp.user_id = e.user_id AND cp.course_id = e.course_id
     WHERE e.course_id = $1 AND e.active AND e.role = 'student'`,
    [courseId],
  );
  return (JSON.parse(rows[0]!.roster) as PackedRow[]).map((r) => ({
    userId: r[0],
    displayName: r[1],
    zone: r[2],
    enrolledAt: r[3],
    itemsCompleted: r[4],
    timeSpentMs: r[5],
    firstAt: r[6],
    lastAt: r[7],
    sessions: r[8],
    videosStarted: r[9],
    videoPctSum: r[10],
    scrollItems: r[11],
    scrollPctSum: r[12],
    recent: r[13],
  }));
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
): Promise<{ user_id: string; item_id: string; title: string; failures: number }[]> {
  return db.query(
    `SELECT p.user_id, p.item_id, coalesce(i.title, p.item_id) AS title, p.failed_attempts AS failures
     FROM item_progress p LEFT JOIN items i ON i.id = p.item_id
     WHERE p.course_id = $1 AND p.failed_attempts > 0 AND p.passed_at IS NULL
     ORDER BY p.user_id, p.item_id`,
    [courseId],
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
