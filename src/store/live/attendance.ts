import type { Attendee } from '../../domain/live/attendee.js';
import type { Mark } from '../../domain/live/attendance.js';
import type { Queryable, Row } from '../db.js';

export const LIVE_TABLES = ['live_attendance'] as const;

interface AttendanceRow extends Row {
  session_id: string;
  user_id: string;
  marks: [number, 'join' | 'leave', string][];
  first_join_at: Date | null;
  last_activity_at: Date | null;
  chat_messages: number;
  questions: number;
  reactions: Record<string, number>;
  rating: number | null;
  comment: string | null;
  feedback_at: Date | null;
  feedback_event: string | null;
}

const toAttendee = (r: AttendanceRow): Attendee => ({
  sessionId: r.session_id,
  userId: r.user_id,
  marks: r.marks.map(([at, kind, connection]): Mark => ({ at, kind, connection })),
  firstJoinAt: r.first_join_at?.getTime() ?? null,
  lastActivityAt: r.last_activity_at?.getTime() ?? null,
  chatMessages: r.chat_messages,
  questions: r.questions,
  reactions: new Map(Object.entries(r.reactions)),
  rating: r.rating,
  comment: r.comment,
  feedbackAt: r.feedback_at?.getTime() ?? null,
  feedbackEvent: r.feedback_event,
});

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/**
 * Locks the (session, learner) rows, creating missing ones, and returns the states stored before.
 * Keys must be sorted; every writer locks in that order.
 */
export async function lockAttendees(
  tx: Queryable,
  keys: readonly { sessionId: string; userId: string }[],
): Promise<Map<string, Attendee>> {
  const json = JSON.stringify(keys);
  const created = await tx.query<{ session_id: string; user_id: string }>(
    `INSERT INTO live_attendance (session_id, user_id)
     SELECT "sessionId", "userId" FROM jsonb_to_recordset($1::text::jsonb) AS k("sessionId" text, "userId" text)
     ORDER BY 1, 2 ON CONFLICT DO NOTHING RETURNING session_id, user_id`,
    [json],
  );
  const fresh = new Set(created.map((r) => `${r.session_id}\u0000${r.user_id}`));
  const rows = await tx.query<AttendanceRow>(
    `SELECT a.* FROM live_attendance a
     JOIN jsonb_to_recordset($1::text::jsonb) AS k("sessionId" text, "userId" text)
       ON a.session_id = k."sessionId" AND a.user_id = k."userId"
     ORDER BY a.session_id, a.user_id FOR UPDATE OF a`,
    [json],
  );
  const out = new Map<string, Attendee>();
  for (const r of rows) {
    const k = `${r.session_id}\u0000${r.user_id}`;
    if (!fresh.has(k)) out.set(k, toAttendee(r));
  }
  return out;
}

export async function writeAttendees(tx: Queryable, attendees: readonly Attendee[]): Promise<void> {
  if (attendees.length === 0) return;
  await tx.query(
    `UPDATE live_attendance a SET marks = k.marks, first_join_at = k."firstJoinAt",
       last_activity_at = k."lastActivityAt", chat_messages = k."chatMessages", questions = k.questions,
       reactions = k.reactions, rating = k.rating, comment = k.comment, feedback_at = k."feedbackAt",
       feedback_event = k."feedbackEvent"
     FROM jsonb_to_recordset($1::text::jsonb) AS k("sessionId" text, "userId" text, marks jsonb,
       "firstJoinAt" timestamptz, "lastActivityAt" timestamptz, "chatMessages" integer, questions integer,
       reactions jsonb, rating smallint, comment text, "feedbackAt" timestamptz, "feedbackEvent" uuid)
     WHERE a.session_id = k."sessionId" AND a.user_id = k."userId"`,
    [
      JSON.stringify(
        attendees.map((a) => ({
          sessionId: a.sessionId,
          userId: a.userId,
          marks: a.marks.map((m) => [m.at, m.kind, m.connection]),
          firstJoinAt: iso(a.firstJoinAt),
          lastActivityAt: iso(a.lastActivityAt),
          chatMessages: a.chatMessages,
          questions: a.questions,
          reactions: Object.fromEntries(a.reactions),
          rating: a.rating,
          comment: a.comment,
          feedbackAt: iso(a.feedbackAt),
          feedbackEvent: a.feedbackEvent,
        })),
      ),
    ],
  );
}

/** Every attendee state of some sessions. */
export async function readAttendees(db: Queryable, sessionIds: readonly string[]): Promise<Attendee[]> {
  if (sessionIds.length === 0) return [];
  const rows = await db.query<AttendanceRow>(
    'SELECT * FROM live_attendance WHERE session_id = ANY($1::text[])',
    [sessionIds],
  );
  return rows.map(toAttendee);
}

export async function deleteUserAttendance(tx: Queryable, userId: string): Promise<void> {
  await tx.query('DELETE FROM live_attendance WHERE user_id = $1', [userId]);
}
