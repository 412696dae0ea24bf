import type { UserInput } from '../domain/catalog/schemas.js';
import { canonicalTimeZone } from '../domain/time/local-day.js';
import { AppError } from '../errors/app-error.js';
import { LOG_LOCK } from '../projections/apply.js';
import { replayUser } from '../projections/replay.js';
import type { Projection } from '../projections/projection.js';
import { type Db, retryingTransaction } from '../store/db.js';
import { type User, upsertUsers } from '../store/catalog/users.js';

/** First key of the per-user advisory locks (the second is the hash of the user id). */
const USER_LOCK_SPACE = 72_143;

/**
 * Upserts users. Events may have arrived before their learner (counted in UTC then); when a
 * learner's time zone is new or changed, their local-day projections are rebuilt from their
 * events in the same transaction, so daily figures follow the learner's own days.
 */
export async function saveUsers(
  db: Db,
  projections: readonly Projection[],
  users: readonly (UserInput & { id: string })[],
): Promise<User[]> {
  const canonical = users.map((u) => {
    if (u.timezone === undefined) return u;
    const timezone = canonicalTimeZone(u.timezone);
    if (!timezone) {
      throw new AppError('validation_failed', `Unknown time zone "${u.timezone}" for user ${u.id}`, {
        userId: u.id,
        field: 'timezone',
      });
    }
    return { ...u, timezone };
  });
  return retryingTransaction(db, async (tx) => {
    const ids = canonical.map((u) => u.id);
    // Serialise upserts of the same users, existing or not (a row that does not exist yet cannot
    // be locked FOR UPDATE), so each reads the zone the previous one committed. Only saveUsers
    // writes users, so these locks also make the read below stable until commit.
    await tx.query(
      `SELECT pg_advisory_xact_lock($2, h)
       FROM (SELECT DISTINCT hashtext(id) AS h FROM unnest($1::text[]) AS id ORDER BY h) AS keys`,
      [ids, USER_LOCK_SPACE],
    );
    const previous = await tx.query<{ id: string; timezone: string }>(
      'SELECT id, timezone FROM users WHERE id = ANY($1::text[])',
      [ids],
    );
    const zoneBefore = new Map(previous.map((r) => [r.id, r.timezone]));
    const moved = canonical.filter((u) => (zoneBefore.get(u.id) ?? 'UTC') !== (u.timezone ?? 'UTC'));
    // Ingest transactions hold LOG_LOCK shared from before they read time zones until they commit:
    // taking it exclusively waits for those in flight, and later ones then read the new zone.
    if (moved.length > 0) await tx.query('SELECT pg_advisory_xact_lock($1)', [LOG_LOCK]);
    const saved = await upsertUsers(tx, canonical);
    for (const u of moved) await replayUser(tx, projections, u.id);
    return saved;
  });
}
