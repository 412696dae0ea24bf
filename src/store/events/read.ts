import type { StoredEvent } from '../../domain/events/types.js';
import type { Queryable, Row } from '../db.js';

const COLUMNS = `id::text AS id, seq, type, occurred_at, received_at, user_id, course_id, item_id, live_session_id,
  client_session_id, device, value, data`;

interface EventRow extends Row {
  id: string;
  seq: number;
  type: string;
  occurred_at: Date;
  received_at: Date;
  user_id: string;
  course_id: string | null;
  item_id: string | null;
  live_session_id: string | null;
  client_session_id: string | null;
  device: StoredEvent['device'] | null;
  value: number | null;
  data: Record<string, unknown> | null;
}

function toEvent(r: EventRow): StoredEvent {
  const e: StoredEvent = {
    id: r.id,
    seq: r.seq,
    type: r.type,
    occurredAt: r.occurred_at.toISOString(),
    receivedAt: r.received_at.toISOString(),
    userId: r.user_id,
  };
  if (r.course_id !== null) e.courseId = r.course_id;
  if (r.item_id !== null) e.itemId = r.item_id;
  if (r.live_session_id !== null) e.liveSessionId = r.live_session_id;
  if (r.client_session_id !== null) e.clientSessionId = r.client_session_id;
  if (r.device !== null) e.device = r.device;
  if (r.value !== null) e.value = r.value;
  if (r.data !== null) e.data = r.data;
  return e;
}

/**
 * Reads the whole log in chunks through a server-side cursor; must run inside a transaction.
 * No index is needed: order does not matter to projections, which are order-independent.
 */
export async function* readAllEvents(tx: Queryable, chunk = 5000): AsyncGenerator<StoredEvent[]> {
  await tx.query(`DECLARE replay_cursor NO SCROLL CURSOR FOR SELECT ${COLUMNS} FROM events`);
  try {
    for (;;) {
      const rows = await tx.query<EventRow>(`FETCH FORWARD ${Number(chunk)} FROM replay_cursor`);
      if (rows.length === 0) return;
      yield rows.map(toEvent);
    }
  } finally {
    await tx.query('CLOSE replay_cursor');
  }
}

/** Every event of some learners (reconciling their projections after a catalog change). */
export async function readUsersEvents(tx: Queryable, userIds: readonly string[]): Promise<StoredEvent[]> {
  const rows = await tx.query<EventRow>(`SELECT ${COLUMNS} FROM events WHERE user_id = ANY($1::text[])`, [
    [...userIds],
  ]);
  return rows.map(toEvent);
}

/** The video heartbeats of some (video, learner) pairs. */
export async function readHeartbeatEvents(
  tx: Queryable,
  keys: readonly { itemId: string; userId: string }[],
): Promise<StoredEvent[]> {
  const rows = await tx.query<EventRow>(
    `SELECT ${COLUMNS} FROM events
     WHERE type = 'video_heartbeat' AND (user_id, item_id) IN
       (SELECT "userId", "itemId" FROM jsonb_to_recordset($1::text::jsonb) AS k("itemId" text, "userId" text))`,
    [JSON.stringify(keys)],
  );
  return rows.map(toEvent);
}
