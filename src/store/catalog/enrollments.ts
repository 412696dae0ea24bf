import type { EnrollmentRole } from '../../domain/catalog/schemas.js';
import type { Queryable, Row } from '../db.js';
import { decodeCursor, type Page, toPage } from '../pagination.js';

export interface Enrollment {
  courseId: string;
  userId: string;
  role: EnrollmentRole;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

interface EnrollmentRow extends Row {
  course_id: string;
  user_id: string;
  role: EnrollmentRole;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

const toEnrollment = (r: EnrollmentRow): Enrollment => ({
  courseId: r.course_id,
  userId: r.user_id,
  role: r.role,
  active: r.active,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export async function upsertEnrollments(
  tx: Queryable,
  courseId: string,
  entries: readonly { userId: string; role?: EnrollmentRole | undefined; active?: boolean | undefined }[],
): Promise<Enrollment[]> {
  const sorted = [...entries].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  const rows = await tx.query<EnrollmentRow>(
    `INSERT INTO enrollments (course_id, user_id, role, active)
     SELECT $2, "userId", coalesce(role, 'student'), coalesce(active, true)
     FROM jsonb_to_recordset($1::text::jsonb) AS x("userId" text, role text, active boolean)
     ON CONFLICT (course_id, user_id) DO UPDATE SET role = excluded.role, active = excluded.active, updated_at = now()
     RETURNING *`,
    [JSON.stringify(sorted), courseId],
  );
  return rows.map(toEnrollment);
}

export async function deleteEnrollment(tx: Queryable, courseId: string, userId: string): Promise<boolean> {
  const rows = await tx.query('DELETE FROM enrollments WHERE course_id = $1 AND user_id = $2 RETURNING 1', [
    courseId,
    userId,
  ]);
  return rows.length > 0;
}

export async function getEnrollment(
  db: Queryable,
  courseId: string,
  userId: string,
): Promise<Enrollment | undefined> {
  const rows = await db.query<EnrollmentRow>(
    'SELECT * FROM enrollments WHERE course_id = $1 AND user_id = $2',
    [courseId, userId],
  );
  return rows[0] && toEnrollment(rows[0]);
}

export async function listEnrollments(
  db: Queryable,
  courseId: string,
  limit: number,
  cursor?: string,
): Promise<Page<Enrollment>> {
  const after = decodeCursor(cursor, ['text']);
  const rows = await db.query<EnrollmentRow>(
    `SELECT * FROM enrollments WHERE course_id = $1 AND ($2::text IS NULL OR user_id > $2)
     ORDER BY user_id LIMIT $3`,
    [courseId, after?.[0] ?? null, limit + 1],
  );
  return toPage(rows, limit, (r) => [r.user_id], toEnrollment);
}

/**
 * Whether `viewerId` teaches any course `userId` is actively enrolled in (may see that learner's
 * profile): a learner whose enrollment was ended is no longer the instructor's learner.
 */
export async function teachesUser(db: Queryable, viewerId: string, userId: string): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM enrollments e JOIN courses c ON c.id = e.course_id
     WHERE e.user_id = $2 AND e.active AND ($1 = ANY (c.instructor_ids) OR EXISTS (
       SELECT 1 FROM enrollments t WHERE t.course_id = c.id AND t.user_id = $1 AND t.active
         AND t.role IN ('instructor', 'ta')))
     LIMIT 1`,
    [viewerId, userId],
  );
  return rows.length > 0;
}

/** Whether the user is one of the course's learners (an active student enrollment). */
export async function isLearnerOf(db: Queryable, courseId: string, userId: string): Promise<boolean> {
  const rows = await db.query(
    "SELECT 1 FROM enrollments WHERE course_id = $1 AND user_id = $2 AND active AND role = 'student'",
    [courseId, userId],
  );
  return rows.length > 0;
}
