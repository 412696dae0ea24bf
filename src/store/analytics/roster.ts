import type { Queryable, Row } from '../db.js';

/** One enrolled learner with their course progress and activity windows, as stored. */
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
  visits7: number | null;
  active7: number | null;
  active_prev7: number | null;
}

/**
 * A course's learners (active student enrollments), one row each, in one query: their course
 * progress and, from daily activity, visits and time on task in their own last 7 local days and
 * the 7 before. `todayByZone` gives each learner zone's current local date.
 * `onlyUser` narrows it to one learner.
 */
export async function readRoster(
  db: Queryable,
  courseId: string,
  todayByZone: Record<string, string>,
  onlyUser?: string,
): Promise<RosterRow[]> {
  const earliest = Object.values(todayByZone).sort()[0] ?? '9999-12-31';
  return db.query<RosterRow>(
    `WITH zones AS (SELECT key AS zone, value::date AS today FROM jsonb_each_text($2::text::jsonb)),
     roster AS (
       SELECT e.user_id, e.created_at AS enrolled_at, coalesce(u.display_name, e.user_id) AS display_name,
              coalesce(u.timezone, 'UTC') AS zone
       FROM enrollments e LEFT JOIN users u ON u.id = e.user_id
       WHERE e.course_id = $1 AND e.active AND e.role = 'student' AND ($4::text IS NULL OR e.user_id = $4)
     ),
     win AS (
       SELECT d.user_id,
              sum(d.visits) FILTER (WHERE d.day > z.today - 7) AS visits7,
              sum(d.active_ms) FILTER (WHERE d.day > z.today - 7) AS active7,
              sum(d.active_ms) FILTER (WHERE d.day <= z.today - 7) AS active_prev7
       FROM daily_activity d JOIN roster r ON r.user_id = d.user_id JOIN zones z ON z.zone = r.zone
       WHERE d.course_id = $1 AND d.day >= $3::date - 14 AND d.day > z.today - 14 AND d.day <= z.today
       GROUP BY d.user_id
     )
     SELECT r.user_id, r.display_name, r.zone, r.enrolled_at, cp.items_completed, cp.time_spent_ms, cp.first_at,
            cp.last_at, cp.sessions, cp.videos_started, cp.video_pct_sum, cp.scroll_items, cp.scroll_pct_sum,
            w.visits7::integer AS visits7, w.active7::bigint AS active7, w.active_prev7::bigint AS active_prev7
     FROM roster r
     LEFT JOIN course_progress cp ON cp.user_id = r.user_id AND cp.course_id = $1
     LEFT JOIN win w ON w.user_id = r.user_id`,
    [courseId, JSON.stringify(todayByZone), earliest, onlyUser ?? null],
  );
}

/** The time zones of a course's learners. */
export async function rosterZones(db: Queryable, courseId: string): Promise<string[]> {
  const rows = await db.query<{ zone: string }>(
    `SELECT DISTINCT coalesce(u.timezone, 'UTC') AS zone
     FROM enrollments e LEFT JOIN users u ON u.id = e.user_id
     WHERE e.course_id = $1 AND e.active AND e.role = 'student'`,
    [courseId],
  );
  return rows.map((r) => r.zone);
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
