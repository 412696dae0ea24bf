import {
  type CourseInput,
  type CourseSettings,
  type ResolvedCourseSettings,
  resolveCourseSettings,
} from '../../domain/catalog/schemas.js';
import { notFound } from '../../errors/app-error.js';
import type { Queryable, Row } from '../db.js';
import { decodeCursor, type Page, toPage } from '../pagination.js';

export interface Course {
  id: string;
  code: string | null;
  title: string;
  instructorIds: string[];
  /** Stored settings with the defaults filled in. */
  settings: ResolvedCourseSettings;
  createdAt: string;
  updatedAt: string;
}

interface CourseRow extends Row {
  id: string;
  code: string | null;
  title: string;
  instructor_ids: string[];
  settings: CourseSettings;
  created_at: Date;
  updated_at: Date;
}

const toCourse = (r: CourseRow): Course => ({
  id: r.id,
  code: r.code,
  title: r.title,
  instructorIds: r.instructor_ids,
  settings: resolveCourseSettings(r.settings),
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export async function upsertCourse(tx: Queryable, id: string, input: CourseInput): Promise<Course> {
  const rows = await tx.query<CourseRow>(
    `INSERT INTO courses (id, code, title, instructor_ids, settings)
     VALUES ($1, $2, $3, $4::text[], $5::text::jsonb)
     ON CONFLICT (id) DO UPDATE SET code = excluded.code, title = excluded.title,
       instructor_ids = excluded.instructor_ids, settings = excluded.settings, updated_at = now()
     RETURNING *`,
    [id, input.code ?? null, input.title, input.instructorIds ?? [], JSON.stringify(input.settings ?? {})],
  );
  return toCourse(rows[0]!);
}

export async function getCourse(db: Queryable, id: string): Promise<Course | undefined> {
  const rows = await db.query<CourseRow>('SELECT * FROM courses WHERE id = $1', [id]);
  return rows[0] && toCourse(rows[0]);
}

/** The course, or 404: catalog entries that belong to a course (items, enrollments) need it first. */
export async function requireCourseExists(db: Queryable, id: string): Promise<Course> {
  const course = await getCourse(db, id);
  if (!course) throw notFound(`Course ${id}`);
  return course;
}

/**
 * Courses visible to a viewer: all (viewer undefined), or those the user teaches or is actively
 * enrolled in.
 */
export async function listCourses(
  db: Queryable,
  viewer: string | undefined,
  limit: number,
  cursor?: string,
): Promise<Page<Course>> {
  const after = decodeCursor(cursor, ['text']);
  const rows = await db.query<CourseRow>(
    `SELECT c.* FROM courses c
     WHERE ($1::text IS NULL OR c.id > $1)
       AND ($2::text IS NULL OR $2 = ANY (c.instructor_ids)
            OR EXISTS (SELECT 1 FROM enrollments e WHERE e.course_id = c.id AND e.user_id = $2 AND e.active))
     ORDER BY c.id LIMIT $3`,
    [after?.[0] ?? null, viewer ?? null, limit + 1],
  );
  return toPage(rows, limit, (r) => [r.id], toCourse);
}

/** How a user relates to a course: the facts every course-permission decision rests on. */
export interface CourseRelation {
  exists: boolean;
  teaches: boolean;
  enrolled: boolean;
}

export async function courseRelation(
  db: Queryable,
  courseId: string,
  userId: string,
): Promise<CourseRelation> {
  const rows = await db.query<{ teaches: boolean; enrolled: boolean }>(
    `SELECT ($2 = ANY (c.instructor_ids)
             OR EXISTS (SELECT 1 FROM enrollments e WHERE e.course_id = c.id AND e.user_id = $2
                        AND e.active AND e.role IN ('instructor', 'ta'))) AS teaches,
            EXISTS (SELECT 1 FROM enrollments e WHERE e.course_id = c.id AND e.user_id = $2 AND e.active) AS enrolled
     FROM courses c WHERE c.id = $1`,
    [courseId, userId],
  );
  const r = rows[0];
  return r
    ? { exists: true, teaches: r.teaches, enrolled: r.enrolled }
    : { exists: false, teaches: false, enrolled: false };
}
