import type { Queryable } from '../db.js';

/**
 * Takes or renews the delivery lease for `owner` and returns the position to deliver after, or
 * null when another process holds a live lease. The first lease starts at the feed's current end:
 * turning the webhook on does not replay history.
 */
export async function leaseWebhook(db: Queryable, owner: string, leaseMs: number): Promise<number | null> {
  await db.query(
    `INSERT INTO webhook_cursor (id, last_seq) SELECT 1, last FROM feed_sequence WHERE id = 1
     ON CONFLICT (id) DO NOTHING`,
  );
  const rows = await db.query<{ last_seq: string }>(
    `UPDATE webhook_cursor SET owner = $1, lease_until = now() + $2::integer * interval '1 millisecond'
     WHERE id = 1 AND (owner = $1 OR lease_until < now()) RETURNING last_seq::text AS last_seq`,
    [owner, leaseMs],
  );
  return rows[0] ? Number(rows[0].last_seq) : null;
}

/**
 * Records delivery up to `seq` and renews the lease, if `owner` still holds it (false: another
 * process took over, and this one stops).
 */
export async function advanceWebhook(
  db: Queryable,
  owner: string,
  seq: number,
  leaseMs: number,
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE webhook_cursor SET last_seq = greatest(last_seq, $2::bigint), updated_at = now(),
       lease_until = now() + $3::integer * interval '1 millisecond'
     WHERE id = 1 AND owner = $1 RETURNING id`,
    [owner, seq, leaseMs],
  );
  return rows.length > 0;
}

/** Gives the lease up (shutdown), so another process need not wait for it to lapse. */
export async function releaseWebhook(db: Queryable, owner: string): Promise<void> {
  await db.query(`UPDATE webhook_cursor SET lease_until = '-infinity' WHERE id = 1 AND owner = $1`, [owner]);
}
