import type { Db, Queryable } from '../store/db.js';
import { readAllEvents, readUsersEvents } from '../store/events/read.js';
import { dropUnproduced, reconcileFeed } from '../store/feed/write.js';
import { applyProjections, type FeedSink, lockLogExclusive } from './apply.js';
import type { Projection } from './projection.js';

export interface ReplayResult {
  events: number;
  projections: string[];
}

/**
 * Rebuilds projections from the whole log in one transaction: readers keep seeing the old rows
 * until the new ones commit, and ingestion waits (it takes the log lock shared) rather than
 * racing the rebuild.
 */
export async function replay(db: Db, projections: readonly Projection[]): Promise<ReplayResult> {
  return db.transaction(async (tx) => {
    await lockLogExclusive(tx);
    for (const p of projections) {
      for (const table of p.tables) await tx.query(`TRUNCATE ${table}`);
    }
    let count = 0;
    // Feed rows are reconciled once, with the final states: unchanged milestones keep their seq.
    const feed: FeedSink = new Map();
    for await (const chunk of readAllEvents(tx)) {
      await applyProjections(tx, projections, chunk, feed);
      count += chunk.length;
    }
    await reconcileFeed(tx, [...feed.values()]);
    await dropUnproduced(
      tx,
      projections.map((p) => p.name),
      [...feed.keys()],
    );
    for (const p of projections) await recordVersion(tx, p);
    return { events: count, projections: projections.map((p) => p.name) };
  });
}

/** Learners rebuilt together: their events are read and applied in one go. */
const USERS_PER_REBUILD = 100;

/**
 * Recomputes some learners' rows from their events, e.g. after their time zone changed or an item
 * they used changed type. Each group of learners is reset one by one (the resets adjust course
 * totals learner by learner), then their events are applied and their feed reconciled together:
 * a catalog change that concerns a thousand learners costs tens of statements per group, not
 * per learner.
 */
export async function replayUsers(
  tx: Queryable,
  projections: readonly Projection[],
  userIds: readonly string[],
): Promise<void> {
  const all = [...new Set(userIds)].sort();
  for (let i = 0; i < all.length; i += USERS_PER_REBUILD) {
    const group = all.slice(i, i + USERS_PER_REBUILD);
    for (const userId of group) for (const p of projections) await p.resetUser(tx, userId);
    // Rebuilt learners may imply fewer feed items than before (an item became a quiz, a threshold
    // rose): their rows of these producers that the rebuild did not report again are removed.
    const feed: FeedSink = new Map();
    await applyProjections(tx, projections, await readUsersEvents(tx, group), feed);
    await reconcileFeed(tx, [...feed.values()]);
    await dropUnproduced(
      tx,
      projections.map((p) => p.name),
      [...feed.keys()],
      group,
    );
  }
}

async function recordVersion(tx: Queryable, p: Projection): Promise<void> {
  await tx.query(
    `INSERT INTO projection_state (name, version, rebuilt_at) VALUES ($1, $2, now())
     ON CONFLICT (name) DO UPDATE SET version = excluded.version, rebuilt_at = now()`,
    [p.name, p.version],
  );
}

/**
 * At start-up: projections whose stored version differs from the code's (new or changed ones)
 * are rebuilt from the log. Returns the names rebuilt.
 */
export async function rebuildStale(db: Db, projections: readonly Projection[]): Promise<string[]> {
  const rows = await db.query<{ name: string; version: number }>(
    'SELECT name, version FROM projection_state',
  );
  const stored = new Map(rows.map((r) => [r.name, r.version]));
  const stale = projections.filter((p) => stored.get(p.name) !== p.version);
  if (stale.length > 0) await replay(db, stale);
  return stale.map((p) => p.name);
}
