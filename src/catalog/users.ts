import type { UserInput } from '../domain/catalog/schemas.js';
import { canonicalTimeZone } from '../domain/time/local-day.js';
import { AppError, notFound } from '../errors/app-error.js';
import { LOG_LOCK } from '../projections/apply.js';
import { replayUser } from '../projections/replay.js';
import type { Projection } from '../projections/projection.js';
import { type Db, type Queryable, retryingTransaction } from '../store/db.js';
import { getUser, setUserTimeZone, type User, upsertUsers } from '../store/catalog/users.js';

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
    await lockUsers(tx, ids);
    const previous = await tx.query<{ id: string; timezone: string }>(
      'SELECT id, timezone FROM users WHERE id = ANY($1::text[])',
      [ids],
    );
    const zoneBefore = new Map(previous.map((r) => [r.id, r.timezone]));
    const moved = canonical.filter((u) => (zoneBefore.get(u.id) ?? 'UTC') !== (u.timezone ?? 'UTC'));
    if (moved.length > 0) await lockLog(tx);
    const saved = await upsertUsers(tx, canonical);
    for (const u of moved) await replayUser(tx, projections, u.id);
    return saved;
  });
}

/**
 * A learner's own time zone (the browser tracker's `userTimezone`), for platforms that do not
 * send one with their users. Only for users in the catalog; the platform's next `PUT /users/{id}`
 * replaces it. A change rebuilds the learner's local days, as `saveUsers` does.
 */
export async function saveOwnTimeZone(
  db: Db,
  projections: readonly Projection[],
  userId: string,
  zone: string,
): Promise<User> {
  const timezone = canonicalTimeZone(zone);
  if (!timezone) {
    throw new AppError('validation_failed', `Unknown time zone "${zone}"`, { field: 'timezone' });
  }
  return retryingTransaction(db, async (tx) => {
    await lockUsers(tx, [userId]);
    const user = await getUser(tx, userId);
    if (!user) throw notFound(`User ${userId} (the platform adds users to the catalog)`);
    if (user.timezone === timezone) return user;
    await lockLog(tx);
    const saved = await setUserTimeZone(tx, userId, timezone);
    await replayUser(tx, projections, userId);
    return saved;
  });
}

/**
 * Serialises writes of the same users, existing or not (a row that does not exist yet cannot be
 * locked FOR UPDATE), so each reads the zone the previous one committed. Only this module writes
 * users, so these locks also keep what it reads stable until commit.
 */
async function lockUsers(tx: Queryable, ids: readonly string[]): Promise<void> {
  await tx.query(
    `SELECT pg_advisory_xact_lock($2, h)
     FROM (SELECT DISTINCT hashtext(id) AS h FROM unnest($1::text[]) AS id ORDER BY h) AS keys`,
    [ids, USER_LOCK_SPACE],
  );
}

/**
 * Ingest transactions hold LOG_LOCK shared from before they read time zones until they commit:
 * taking it exclusively waits for those in flight, and later ones then read the new zone.
 */
const lockLog = (tx: Queryable) => tx.query('SELECT pg_advisory_xact_lock($1)', [LOG_LOCK]);
