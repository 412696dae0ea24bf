import type { FeedItem, FeedSource } from '../../domain/feed/items.js';
import type { Queryable } from '../db.js';

/** The channel a committed feed change is announced on (payload: the highest seq written). */
export const FEED_CHANNEL = 'learnpulse_feed';

interface StoredItem {
  id: string;
  source: string;
  content: string;
}

const iso = (t: number) => new Date(t).toISOString();

/** Object keys sorted at every level: jsonb reorders keys, so content is compared in this form. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const contentOf = (
  i: Pick<FeedItem, 'type' | 'userId' | 'courseId' | 'itemId' | 'sessionId' | 'data'>,
  at: number,
) => canonical([i.type, at, i.userId, i.courseId, i.itemId, i.sessionId, i.data]);

/**
 * Makes the feed rows of each source equal to the items it now implies: new and changed items
 * are written with the next sequence numbers, vanished ones marked removed (with a seq of their
 * own, so the stream tells subscribers), unchanged ones left alone (so a rebuild that finds the
 * same milestones announces nothing). The sequence row stays locked until commit, so sequence
 * order is commit order across writers and processes: a subscriber resuming after seq N has seen
 * every row numbered below it. Returns the highest seq written.
 */
export async function reconcileFeed(tx: Queryable, sources: readonly FeedSource[]): Promise<number | null> {
  if (sources.length === 0) return null;
  // Rows already removed are not there for subscribers: an item implied again comes back as new
  // (its row is revived by the upsert).
  const stored = await tx.query<StoredItem & { occurred_at: Date } & Record<string, unknown>>(
    `SELECT id, source, type, occurred_at, user_id, course_id, item_id, session_id, data
     FROM feed_items WHERE source = ANY($1::text[]) AND NOT removed`,
    [sources.map((s) => s.source)],
  );
  const have = new Map(
    stored.map((r) => [
      r.id as string,
      contentOf(
        {
          type: r.type as FeedItem['type'],
          userId: r.user_id as string,
          courseId: r.course_id as string | null,
          itemId: r.item_id as string | null,
          sessionId: r.session_id as string | null,
          data: r.data as Record<string, unknown>,
        },
        r.occurred_at.getTime(),
      ),
    ]),
  );
  const wanted = new Set<string>();
  const changed: Changed[] = [];
  for (const s of sources) {
    for (const item of s.items) {
      wanted.add(item.id);
      if (have.get(item.id) !== contentOf(item, item.occurredAt))
        changed.push({ ...item, source: s.source, producer: s.producer });
    }
  }
  return publish(
    tx,
    [...have.keys()].filter((id) => !wanted.has(id)),
    changed,
  );
}

type Changed = FeedItem & { source: string; producer: string };

/**
 * Writes removals, then new and changed items, under the next sequence numbers, and announces
 * the highest. Removals come first, so a subscriber never shows an item beside the one that
 * replaced it (a lesson_completed that became a video_completed).
 */
async function publish(tx: Queryable, removed: string[], changed: Changed[]): Promise<number | null> {
  const count = removed.length + changed.length;
  if (count === 0) return null;
  const [{ last }] = (await tx.query<{ last: string }>(
    'UPDATE feed_sequence SET last = last + $1 WHERE id = 1 RETURNING last::text AS last',
    [count],
  )) as [{ last: string }];
  const first = Number(last) - count + 1;
  if (removed.length > 0) {
    removed.sort();
    await tx.query(
      `UPDATE feed_items f SET removed = true, seq = x.seq
       FROM unnest($1::text[], $2::bigint[]) AS x(id, seq) WHERE f.id = x.id`,
      [removed, removed.map((_, i) => first + i)],
    );
  }
  if (changed.length > 0) {
    // Chronological within a batch, so a subscriber reads a batch's items in the order they happened.
    changed.sort((a, b) => a.occurredAt - b.occurredAt || (a.id < b.id ? -1 : 1));
    const base = first + removed.length;
    await tx.query(
      `INSERT INTO feed_items AS f (id, source, producer, seq, type, occurred_at, user_id, course_id, item_id, session_id, data)
       SELECT id, source, producer, seq, type, "occurredAt", "userId", "courseId", "itemId", "sessionId", data
       FROM jsonb_to_recordset($1::text::jsonb) AS x(id text, source text, producer text, seq bigint, type text,
         "occurredAt" timestamptz, "userId" text, "courseId" text, "itemId" text, "sessionId" text, data jsonb)
       ON CONFLICT (id) DO UPDATE SET source = excluded.source, producer = excluded.producer, seq = excluded.seq,
         type = excluded.type, occurred_at = excluded.occurred_at, user_id = excluded.user_id,
         course_id = excluded.course_id, item_id = excluded.item_id, session_id = excluded.session_id,
         data = excluded.data, removed = false`,
      [
        JSON.stringify(
          changed.map((c, i) => ({
            id: c.id,
            source: c.source,
            producer: c.producer,
            seq: base + i,
            type: c.type,
            occurredAt: iso(c.occurredAt),
            userId: c.userId,
            courseId: c.courseId,
            itemId: c.itemId,
            sessionId: c.sessionId,
            data: c.data,
          })),
        ),
      ],
    );
  }
  await tx.query('SELECT pg_notify($1, $2)', [FEED_CHANNEL, last]);
  return Number(last);
}

/**
 * After a rebuild of some projections (of everyone, or of some learners): their rows whose source
 * the rebuild did not produce (state that no longer exists) are marked removed.
 */
export async function dropUnproduced(
  tx: Queryable,
  producers: readonly string[],
  produced: readonly string[],
  userIds?: readonly string[],
): Promise<void> {
  const rows = await tx.query<{ id: string }>(
    `SELECT id FROM feed_items WHERE producer = ANY($1::text[]) AND NOT (source = ANY($2::text[]))
       AND ($3::text[] IS NULL OR user_id = ANY($3::text[])) AND NOT removed`,
    [producers, produced, userIds ? [...userIds] : null],
  );
  await publish(
    tx,
    rows.map((r) => r.id),
    [],
  );
}
