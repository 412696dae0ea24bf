import type { LearningEvent, StoredEvent } from '../../domain/events/types.js';
import type { Queryable } from '../db.js';

/**
 * Appends events to the log in one statement, skipping ids already in it (idempotency across
 * the whole log through event_ids). Ids are inserted in sorted order so that concurrent
 * transactions claiming overlapping ids lock them in the same order and cannot deadlock.
 * Returns the events that were new, with their sequence numbers.
 */
const APPEND_SQL = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS x(
    id uuid, type text, "occurredAt" timestamptz, "userId" text, "courseId" text, "itemId" text,
    "liveSessionId" text, "clientSessionId" text, device jsonb, value double precision, data jsonb)
),
fresh AS (
  INSERT INTO event_ids (id, received_at)
  SELECT id, $2::timestamptz FROM input ORDER BY id
  ON CONFLICT (id) DO NOTHING
  RETURNING id
),
stored AS (
  INSERT INTO events (id, type, occurred_at, received_at, user_id, course_id, item_id, live_session_id,
                      client_session_id, device, value, data)
  SELECT i.id, i.type, i."occurredAt", $2::timestamptz, i."userId", i."courseId", i."itemId", i."liveSessionId",
         i."clientSessionId", i.device, i.value, i.data
  FROM input i JOIN fresh USING (id)
  RETURNING id, seq
)
SELECT id::text AS id, seq FROM stored`;

export async function appendEvents(
  tx: Queryable,
  events: readonly LearningEvent[],
  receivedAt: Date,
): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  const receivedIso = receivedAt.toISOString();
  const rows = await tx.query<{ id: string; seq: number }>(APPEND_SQL, [JSON.stringify(events), receivedIso]);
  const seqById = new Map(rows.map((r) => [r.id, r.seq]));
  const stored: StoredEvent[] = [];
  for (const e of events) {
    const seq = seqById.get(e.id);
    if (seq !== undefined) stored.push({ ...e, seq, receivedAt: receivedIso });
  }
  return stored;
}
