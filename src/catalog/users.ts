import type { UserInput } from '../domain/catalog/schemas.js';
import { isValidTimeZone } from '../domain/time/local-day.js';
import { AppError } from '../errors/app-error.js';
import { replayUser } from '../projections/replay.js';
import type { Projection } from '../projections/projection.js';
import { type Db, retryingTransaction } from '../store/db.js';
import { type User, upsertUsers } from '../store/catalog/users.js';

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
  for (const u of users) {
    if (u.timezone !== undefined && !isValidTimeZone(u.timezone)) {
      throw new AppError('validation_failed', `Unknown time zone "${u.timezone}" for user ${u.id}`, {
        userId: u.id,
        field: 'timezone',
      });
    }
  }
  return retryingTransaction(db, async (tx) => {
    const saved = await upsertUsers(tx, users);
    for (const { user, previousTimezone } of saved) {
      if ((previousTimezone ?? 'UTC') !== user.timezone) await replayUser(tx, projections, user.id);
    }
    return saved.map((s) => s.user);
  });
}
