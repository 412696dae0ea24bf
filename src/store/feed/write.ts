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
 * are written with the next sequence numbers, vanished ones deleted, unchanged ones left alone
 * (so a rebuild that finds the same milestones announces nothing). The sequence row stays locked
 * until commit, so sequence order is commit order across writers and processes: a subscriber
 * resuming after seq N has seen every row numbered below it. Returns the highest seq written.
 */
export async function reconcileFeed(tx: Queryable, sources: readonly FeedSource[]): Promise<number | null> {
  if (sources.length === 0) return null;
  const stored = await tx.query<StoredItem & { occurred_at: Date } & Record<string, unknown>>(
    `SELECT id, source, type, occurred_at, user_id, course_id, item_id, session_id, data
     FROM feed_items WHERE source = ANY($1::text[])`,
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
  const changed: (FeedItem & { source: string; producer: string })[] = [];
  for (const s of sources) {
    for (const item of s.items) {
      wanted.add(item.id);
      if (have.get(item.id) !== contentOf(item, item.occurredAt))
        changed.push({ ...item, source: s.source, producer: s.producer });
    }
  }
  const gone = [...have.keys()].filter((id) => !wanted.has(id)).sort();
  if (gone.length > 0) await tx.query('DELETE FROM feed_items WHERE id = ANY($1::text[])', [gone]);
  if (changed.length === 0) return null;
  // Chronological within a batch, so a subscriber reads a batch's items in the order they happened.
  changed.sort((a, b) => a.occurredAt - b.occurredAt || (a.id < b.id ? -1 : 1));
  const [{ last }] = (await tx.query<{ last: string }>(
    'UPDATE feed_sequence SET last = last + $1 WHERE id = 1 RETURNING last::text AS last',
    [changed.length],
  )) as [{ last: string }];
  const first = Number(last) - changed.length + 1;
  await tx.query(
    `INSERT INTO feed_items AS f (id, source, producer, seq, type, occurred_at, user_id, course_id, item_id, session_id, data)
     SELECT id, source, producer, seq, type, "occurredAt", "userId", "courseId", "itemId", "sessionId", data
     FROM jsonb_to_recordset($1::text::jsonb) AS x(id text, source text, producer text, seq bigint, type text,
       "occurredAt" timestamptz, "userId" text, "courseId" text, "itemId" text, "sessionId" text, data jsonb)
     ON CONFLICT (id) DO UPDATE SET source = excluded.source, producer = excluded.producer, seq = excluded.seq,
       type = excluded.type, occurred_at = excluded.occurred_at, user_id = excluded.user_id,
       course_id = excluded.course_id, item_id = excluded.item_id, session_id = excluded.session_id,
       data = excluded.data`,
    [
      JSON.stringify(
        changed.map((c, i) => ({
          id: c.id,
          source: c.source,
          producer: c.producer,
          seq: first + i,
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
  await tx.query('SELECT pg_notify($1, $2)', [FEED_CHANNEL, last]);
  return Number(last);
}

/**
 * After a rebuild of some projections (of everyone, or of one learner): their rows whose source
 * the rebuild did not produce (state that no longer exists) are deleted.
 */
export async function dropUnproduced(
  tx: Queryable,
  producers: readonly string[],
  produced: readonly string[],
  userId?: string,
): Promise<void> {
  await tx.query(
    `DELETE FROM feed_items WHERE producer = ANY($1::text[]) AND NOT (source = ANY($2::text[]))
       AND ($3::text IS NULL OR user_id = $3::text)`,
    [producers, produced, userId ?? null],
  );
}
