import type { CourseSettings } from '../../domain/catalog/schemas.js';
import { DEFAULT_COMPLETION_THRESHOLD } from '../../domain/progress/item-progress.js';
import type { Queryable, Row } from '../db.js';

export interface LearnerCourseRow extends Row {
  course_id: string;
  title: string;
  code: string | null;
  settings: CourseSettings;
  total_items: number;
  items_completed: number | null;
  time_spent_ms: number | null;
  first_at: Date | null;
  last_at: Date | null;
  completed_at: Date | null;
  lessons_completed: number;
  certificate_id: string | null;
  certificate_issued_at: Date | null;
}

/**
 * A learner's courses: active student enrollments, and courses they have progress in unless their
 * enrollment there was ended. `completed_at` is the latest completion among the course's items
 * (the course's completion time once every item is done).
 */
export async function readLearnerCourses(
  db: Queryable,
  userId: string,
  courseId?: string,
): Promise<LearnerCourseRow[]> {
  return db.query<LearnerCourseRow>(
    `WITH mine AS (
       SELECT course_id FROM enrollments WHERE user_id = $1 AND active AND role = 'student'
       UNION
       SELECT cp.course_id FROM course_progress cp
       WHERE cp.user_id = $1
         AND NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.user_id = $1 AND e.course_id = cp.course_id AND NOT e.active)
     )
     SELECT c.id AS course_id, c.title, c.code, c.settings,
            (SELECT count(*)::integer FROM items i WHERE i.course_id = c.id) AS total_items,
            cp.items_completed, cp.time_spent_ms, cp.first_at, cp.last_at,
            (SELECT max(ip.completed_at) FROM item_progress ip JOIN items i ON i.id = ip.item_id
             WHERE ip.user_id = $1 AND i.course_id = c.id) AS completed_at,
            (SELECT count(*)::integer FROM item_progress ip JOIN items i ON i.id = ip.item_id
             WHERE ip.user_id = $1 AND i.course_id = c.id AND ip.completed_at IS NOT NULL
               AND i.type IN ('lesson', 'video', 'page')) AS lessons_completed,
            cert.certificate_id, cert.issued_at AS certificate_issued_at
     FROM mine JOIN courses c ON c.id = mine.course_id
     LEFT JOIN course_progress cp ON cp.user_id = $1 AND cp.course_id = c.id
     LEFT JOIN LATERAL (SELECT certificate_id, issued_at FROM certificates
                        WHERE user_id = $1 AND course_id = c.id ORDER BY issued_at, certificate_id LIMIT 1) cert ON true
     WHERE $2::text IS NULL OR c.id = $2
     ORDER BY cp.last_at DESC NULLS LAST, c.id`,
    [userId, courseId ?? null],
  );
}

export interface LearnerItemRow extends Row {
  item_id: string;
  title: string;
  type: string;
  position: number;
  threshold: number;
  required_quiz_id: string | null;
  progress_pct: number | null;
  started_at: Date | null;
  last_at: Date | null;
  completed_at: Date | null;
  completed_how: string | null;
  resume_sec: number | null;
  time_spent_ms: number | null;
  max_scroll: number | null;
  attempts: number;
  best_score_pct: number | null;
  passed: boolean;
  watched_pct: number | null;
  unique_sec: number | null;
  played_sec: number | null;
  watch_sessions: number | null;
  max_position_sec: number | null;
}

/** Every item of a course in course order, with one learner's progress and attempts on it. */
export async function readLearnerItems(
  db: Queryable,
  userId: string,
  courseId: string,
): Promise<LearnerItemRow[]> {
  return db.query<LearnerItemRow>(
    `SELECT i.id AS item_id, i.title, i.type, i.position, i.required_quiz_id,
            coalesce(i.completion_threshold, (c.settings->>'completionThreshold')::double precision, $3) AS threshold,
            p.progress_pct, p.started_at, p.last_at, p.completed_at, p.completed_how, p.resume_sec, p.time_spent_ms,
            p.max_scroll, coalesce(a.attempts, 0) AS attempts, a.best_score_pct, coalesce(a.passed, false) AS passed,
            v.watched_pct, v.unique_sec, v.played_sec, v.sessions AS watch_sessions, v.max_position_sec
     FROM items i JOIN courses c ON c.id = i.course_id
     LEFT JOIN item_progress p ON p.user_id = $1 AND p.item_id = i.id
     LEFT JOIN video_viewers v ON v.item_id = i.id AND v.user_id = $1 AND v.sessions > 0
     LEFT JOIN (SELECT item_id, count(*)::integer AS attempts, max(score / max_score * 100) AS best_score_pct,
                       bool_or(coalesce(passed, false)) AS passed
                FROM assessment_attempts WHERE user_id = $1 GROUP BY item_id) a ON a.item_id = i.id
     WHERE i.course_id = $2
     ORDER BY i.position, i.id`,
    [userId, courseId, DEFAULT_COMPLETION_THRESHOLD],
  );
}

/** A learner's activity per local day from `fromDay` on, in one course or summed over all theirs. */
export async function readLearnerDays(
  db: Queryable,
  userId: string,
  fromDay: string,
  courseId?: string,
): Promise<{ day: string; active_ms: number; visits: number; events: number; items_completed: number }[]> {
  return db.query(
    `SELECT day::text AS day, sum(active_ms)::bigint AS active_ms, sum(visits)::integer AS visits,
            sum(events)::integer AS events, sum(items_completed)::integer AS items_completed
     FROM (
       SELECT day, active_ms, visits, events, 0 AS items_completed FROM daily_activity
       WHERE user_id = $1 AND day >= $2::date AND ($3::text IS NULL OR course_id = $3::text)
       UNION ALL
       SELECT day, 0, 0, 0, items_completed FROM daily_completions
       WHERE user_id = $1 AND day >= $2::date AND ($3::text IS NULL OR course_id = $3::text)
     ) d GROUP BY day ORDER BY day`,
    [userId, fromDay, courseId ?? null],
  );
}

/** Every local day on which a learner did something in any course (for streaks). */
export async function readActiveDays(db: Queryable, userId: string): Promise<string[]> {
  const rows = await db.query<{ day: string }>(
    'SELECT DISTINCT day::text AS day FROM daily_activity WHERE user_id = $1 AND events > 0 ORDER BY 1',
    [userId],
  );
  return rows.map((r) => r.day);
}

/** A learner's progress on one item, or nothing if they have not started it. */
export async function readItemProgress(
  db: Queryable,
  userId: string,
  itemId: string,
): Promise<{ progress_pct: number; completed_at: Date | null } | undefined> {
  const rows = await db.query<{ progress_pct: number; completed_at: Date | null }>(
    'SELECT progress_pct, completed_at FROM item_progress WHERE user_id = $1 AND item_id = $2',
    [userId, itemId],
  );
  return rows[0];
}

/** Averages over each course's learners (active student enrollments), for anonymous comparison. */
export async function readCohortAverages(
  db: Queryable,
  courseIds: readonly string[],
): Promise<
  { course_id: string; learners: number; avg_items_completed: number; avg_time_spent_ms: number }[]
> {
  if (courseIds.length === 0) return [];
  return db.query(
    `SELECT e.course_id, count(*)::integer AS learners,
            avg(coalesce(cp.items_completed, 0))::double precision AS avg_items_completed,
            avg(coalesce(cp.time_spent_ms, 0))::double precision AS avg_time_spent_ms
     FROM enrollments e LEFT JOIN course_progress cp ON cp.user_id = e.user_id AND cp.course_id = e.course_id
     WHERE e.course_id = ANY($1::text[]) AND e.active AND e.role = 'student'
     GROUP BY e.course_id`,
    [courseIds],
  );
}
