import type { LiveSessionInput } from '../../domain/catalog/schemas.js';
import type { Queryable, Row } from '../db.js';
import { decodeCursor, type Page, toPage } from '../pagination.js';

export interface LiveSession {
  id: string;
  courseId: string | null;
  title: string;
  instructorId: string;
  scheduledStart: string;
  scheduledEnd: string;
  recordingItemId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Registration {
  sessionId: string;
  userId: string;
  registeredAt: string;
}

interface LiveSessionRow extends Row {
  id: string;
  course_id: string | null;
  title: string;
  instructor_id: string;
  scheduled_start: Date;
  scheduled_end: Date;
  recording_item_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const toSession = (r: LiveSessionRow): LiveSession => ({
  id: r.id,
  courseId: r.course_id,
  title: r.title,
  instructorId: r.instructor_id,
  scheduledStart: r.scheduled_start.toISOString(),
  scheduledEnd: r.scheduled_end.toISOString(),
  recordingItemId: r.recording_item_id,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export async function upsertLiveSession(
  tx: Queryable,
  id: string,
  s: LiveSessionInput,
): Promise<LiveSession> {
  const rows = await tx.query<LiveSessionRow>(
    `INSERT INTO live_sessions (id, course_id, title, instructor_id, scheduled_start, scheduled_end, recording_item_id)
     VALUES ($1, $2, $3, $4, date_trunc('milliseconds', $5::timestamptz),
       date_trunc('milliseconds', $6::timestamptz), $7)
     ON CONFLICT (id) DO UPDATE SET course_id = excluded.course_id, title = excluded.title,
       instructor_id = excluded.instructor_id, scheduled_start = excluded.scheduled_start,
       scheduled_end = excluded.scheduled_end, recording_item_id = excluded.recording_item_id, updated_at = now()
     RETURNING *`,
    [
      id,
      s.courseId ?? null,
      s.title,
      s.instructorId,
      s.scheduledStart,
      s.scheduledEnd,
      s.recordingItemId ?? null,
    ],
  );
  return toSession(rows[0]!);
}

export async function getLiveSession(db: Queryable, id: string): Promise<LiveSession | undefined> {
  const rows = await db.query<LiveSessionRow>('SELECT * FROM live_sessions WHERE id = $1', [id]);
  return rows[0] && toSession(rows[0]);
}

/**
 * Sessions visible to a viewer, newest first: all (viewer undefined), or those the user runs,
 * teaches the course of, is registered for, or whose course they are enrolled in.
 */
export async function listLiveSessions(
  db: Queryable,
  viewer: string | undefined,
  limit: number,
  cursor?: string,
  filter: { instructorId?: string | undefined; from?: string | undefined; to?: string | undefined } = {},
): Promise<Page<LiveSession>> {
  const after = decodeCursor(cursor, ['timestamp', 'text']);
  const rows = await db.query<LiveSessionRow>(
    `SELECT s.* FROM live_sessions s
     WHERE ($1::timestamptz IS NULL OR (s.scheduled_start, s.id) < ($1::timestamptz, $2::text))
       AND ($3::text IS NULL OR s.instructor_id = $3
            OR EXISTS (SELECT 1 FROM live_session_registrations r WHERE r.session_id = s.id AND r.user_id = $3)
            OR EXISTS (SELECT 1 FROM courses c WHERE c.id = s.course_id AND $3 = ANY (c.instructor_ids))
            OR EXISTS (SELECT 1 FROM enrollments e WHERE e.course_id = s.course_id AND e.user_id = $3 AND e.active))
       AND ($5::text IS NULL OR s.instructor_id = $5)
       AND ($6::timestamptz IS NULL OR s.scheduled_start >= $6) AND ($7::timestamptz IS NULL OR s.scheduled_start < $7)
     ORDER BY s.scheduled_start DESC, s.id DESC LIMIT $4`,
    [
      after?.[0] ?? null,
      after?.[1] ?? null,
      viewer ?? null,
      limit + 1,
      filter.instructorId ?? null,
      filter.from ?? null,
      filter.to ?? null,
    ],
  );
  return toPage(rows, limit, (r) => [r.scheduled_start.toISOString(), r.id], toSession);
}

export async function upsertRegistration(
  tx: Queryable,
  sessionId: string,
  userId: string,
): Promise<Registration> {
  const rows = await tx.query<{ registered_at: Date }>(
    `INSERT INTO live_session_registrations (session_id, user_id) VALUES ($1, $2)
     ON CONFLICT (session_id, user_id) DO UPDATE SET session_id = excluded.session_id
     RETURNING registered_at`,
    [sessionId, userId],
  );
  return { sessionId, userId, registeredAt: rows[0]!.registered_at.toISOString() };
}

export async function getRegistration(
  db: Queryable,
  sessionId: string,
  userId: string,
): Promise<Registration | undefined> {
  const rows = await db.query<{ registered_at: Date }>(
    'SELECT registered_at FROM live_session_registrations WHERE session_id = $1 AND user_id = $2',
    [sessionId, userId],
  );
  return rows[0] && { sessionId, userId, registeredAt: rows[0].registered_at.toISOString() };
}

export async function isRegistered(db: Queryable, sessionId: string, userId: string): Promise<boolean> {
  return (await getRegistration(db, sessionId, userId)) !== undefined;
}

export async function listRegistrations(
  db: Queryable,
  sessionId: string,
  limit: number,
  cursor?: string,
): Promise<Page<Registration>> {
  const after = decodeCursor(cursor, ['text']);
  const rows = await db.query<{ user_id: string; registered_at: Date }>(
    `SELECT user_id, registered_at FROM live_session_registrations
     WHERE session_id = $1 AND ($2::text IS NULL OR user_id > $2) ORDER BY user_id LIMIT $3`,
    [sessionId, after?.[0] ?? null, limit + 1],
  );
  return toPage(
    rows,
    limit,
    (r) => [r.user_id],
    (r) => ({ sessionId, userId: r.user_id, registeredAt: r.registered_at.toISOString() }),
  );
}

/** Every learner registered for some sessions, by session. */
export async function registeredUsers(
  db: Queryable,
  sessionIds: readonly string[],
): Promise<Map<string, Set<string>>> {
  const rows = await db.query<{ session_id: string; user_id: string }>(
    'SELECT session_id, user_id FROM live_session_registrations WHERE session_id = ANY($1::text[])',
    [sessionIds],
  );
  const out = new Map(sessionIds.map((id) => [id, new Set<string>()]));
  for (const r of rows) out.get(r.session_id)!.add(r.user_id);
  return out;
}

/** Sessions some instructor runs, scheduled to start in [from, to), oldest first. */
export async function listInstructorSessions(
  db: Queryable,
  instructorId: string,
  from: string | null,
  to: string | null,
): Promise<LiveSession[]> {
  const rows = await db.query<LiveSessionRow>(
    `SELECT * FROM live_sessions WHERE instructor_id = $1
       AND ($2::timestamptz IS NULL OR scheduled_start >= $2) AND ($3::timestamptz IS NULL OR scheduled_start < $3)
     ORDER BY scheduled_start, id`,
    [instructorId, from, to],
  );
  return rows.map(toSession);
}

/** Several sessions by id (those that exist). */
export async function getLiveSessions(db: Queryable, ids: readonly string[]): Promise<LiveSession[]> {
  const rows = await db.query<LiveSessionRow>('SELECT * FROM live_sessions WHERE id = ANY($1::text[])', [
    ids,
  ]);
  return rows.map(toSession);
}
