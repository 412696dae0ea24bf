import type { UserInput } from '../domain/catalog/schemas.js';
import { canonicalTimeZone } from '../domain/time/local-day.js';
import { AppError, notFound } from '../errors/app-error.js';
import { lockLogExclusive } from '../projections/apply.js';
import { replayUsers } from '../projections/replay.js';
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
  const canonical = users.map((u) =>
    u.timezone === undefined ? u : { ...u, timezone: knownTimeZone(u.timezone, u.id) },
  );
  return retryingTransaction(db, async (tx) => {
    const ids = canonical.map((u) => u.id);
    await lockUsers(tx, ids);
    const previous = await tx.query<{ id: string; timezone: string }>(
      'SELECT id, timezone FROM users WHERE id = ANY($1::text[])',
      [ids],
    );
    const zoneBefore = new Map(previous.map((r) => [r.id, r.timezone]));
    const moved = canonical.filter((u) => (zoneBefore.get(u.id) ?? 'UTC') !== (u.timezone ?? 'UTC'));
    if (moved.length > 0) await lockLogExclusive(tx);
    const saved = await upsertUsers(tx, canonical);
    await replayUsers(
      tx,
      projections,
      moved.map((u) => u.id),
    );
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
  const timezone = knownTimeZone(zone, userId);
  return retryingTransaction(db, async (tx) => {
    await lockUsers(tx, [userId]);
    const user = await getUser(tx, userId);
    if (!user) throw notFound(`User ${userId} (the platform adds users to the catalog)`);
    if (user.timezone === timezone) return user;
    await lockLogExclusive(tx);
    const saved = await setUserTimeZone(tx, userId, timezone);
    await replayUsers(tx, projections, [userId]);
    return saved;
  });
}

/** The canonical name of an IANA time zone; an unknown one is refused as invalid input. */
function knownTimeZone(zone: string, userId: string): string {
  const timezone = canonicalTimeZone(zone);
  if (!timezone) {
    throw new AppError('validation_failed', `Unknown time zone "${zone}" for user ${userId}`, {
      userId,
      field: 'timezone',
    });
  }
  return timezone;
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
