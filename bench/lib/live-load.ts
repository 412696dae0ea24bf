import type { LearningEvent } from '../../src/domain/events/types.js';
import { enrollLearners } from './catalog.js';
import { createEventValidator } from '../../src/domain/events/validate.js';
import { applyProjections, LOG_LOCK } from '../../src/projections/apply.js';
import { PROJECTIONS } from '../../src/projections/registry.js';
import { upsertCourse } from '../../src/store/catalog/courses.js';
import { upsertEnrollments } from '../../src/store/catalog/enrollments.js';
import { upsertLiveSession, upsertRegistration } from '../../src/store/catalog/live-sessions.js';
import { upsertUsers } from '../../src/store/catalog/users.js';
import { type Db, retryingTransaction } from '../../src/store/db.js';
import { appendEvents } from '../../src/store/events/append.js';
import { PartitionManager } from '../../src/store/events/partitions.js';
import { learnerZone } from './analytics-data.js';
import type { LoadStats } from './analytics-load.js';
import {
  COURSE_ID,
  INSTRUCTOR_ID,
  type LiveSessionData,
  liveUserId,
  SESSION_ID,
  SESSION_MINUTES,
} from './live-data.js';

/**
 * The live bench's catalog through the store's upserts (what the catalog endpoints call): the
 * course with its instructor, every learner (registered or walk-in) enrolled, the session, and
 * its registrations (one `upsertRegistration` each, as `PUT …/registrations/{userId}` does, in
 * one transaction). Run before any event exists.
 */
export async function pushLiveCatalog(db: Db, data: LiveSessionData): Promise<void> {
  await db.transaction(async (tx) => {
    await upsertCourse(tx, COURSE_ID, {
      code: 'BENCH-LIVE',
      title: 'Live benchmark course',
      instructorIds: [INSTRUCTOR_ID],
    });
  });
  await enrollLearners(db, COURSE_ID, data.users, (i) => ({
    id: liveUserId(i),
    displayName: `Learner ${i}`,
    email: `live${i}@example.com`,
    timezone: learnerZone(i),
  }));
  await db.transaction(async (tx) => {
    await upsertUsers(tx, [{ id: INSTRUCTOR_ID, displayName: 'Bench Instructor', timezone: 'UTC' }]);
    await upsertEnrollments(tx, COURSE_ID, [{ userId: INSTRUCTOR_ID, role: 'instructor' }]);
    await upsertLiveSession(tx, SESSION_ID, {
      courseId: COURSE_ID,
      title: `Live lecture (${SESSION_MINUTES} min)`,
      instructorId: INSTRUCTOR_ID,
      scheduledStart: new Date(data.scheduledStart).toISOString(),
      scheduledEnd: new Date(data.scheduledEnd).toISOString(),
    });
    // Pipelined on the transaction's connection, a few hundred at a time.
    for (let i = 0; i < data.registrations.length; i += 500) {
      await Promise.all(
        data.registrations.slice(i, i + 500).map((userId) => upsertRegistration(tx, SESSION_ID, userId)),
      );
    }
  });
}

/** The server's writer sharding (FNV-1a of the learner id), so each worker owns its learners. */
function shardOf(userId: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) h = Math.imul(h ^ userId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % shards;
}

export interface LiveLoadOptions {
  workers: number;
  batchEvents: number;
  log(message: string): void;
}

/**
 * Loads the session's events through the store as the server's ingest pipeline writes them:
 * in time order (the order a live session's events arrive in), split among `workers` writers by
 * learner as the group committer splits them, each writer committing transactions of up to
 * `batchEvents` events that take the log lock shared, `appendEvents` and `applyProjections` with
 * every projection. So each attendee's row is folded incrementally, batch after batch, as in
 * production. A sample goes through the API's validator on the way.
 */
export async function loadLiveEvents(
  db: Db,
  data: LiveSessionData,
  opts: LiveLoadOptions,
): Promise<LoadStats> {
  const partitions = new PartitionManager(db);
  await partitions.ensureCurrent();
  await partitions.ensureFor(data.events.map((e) => new Date(e.occurredAt)));
  const validate = createEventValidator();
  data.events.forEach((e, i) => {
    if (i < 5000 || i % 100 === 0) {
      const r = validate(JSON.parse(JSON.stringify(e)));
      if (!r.ok)
        throw new Error(`generated an invalid ${e.type}: ${r.rejection.message} ${JSON.stringify(e)}`);
    }
  });
  const shards: LearningEvent[][] = Array.from({ length: opts.workers }, () => []);
  for (const e of data.events) shards[shardOf(e.userId, opts.workers)]!.push(e);

  const total = data.events.length;
  let loaded = 0;
  let transactions = 0;
  let nextReport = 0.1;
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  const worker = async (events: LearningEvent[]) => {
    for (let i = 0; i < events.length; i += opts.batchEvents) {
      const batch = events.slice(i, i + opts.batchEvents);
      const stored = await retryingTransaction(db, async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock_shared($1)', [LOG_LOCK]);
        const fresh = await appendEvents(tx, batch, new Date());
        await applyProjections(tx, PROJECTIONS, fresh);
        return fresh;
      });
      if (stored.length !== batch.length)
        throw new Error(`${batch.length - stored.length} events not stored`);
      loaded += stored.length;
      transactions++;
      if (loaded >= nextReport * total) {
        opts.log(`loaded ${loaded} / ${total} events (${Math.round(loaded / elapsed())} events/s)`);
        while (nextReport * total <= loaded) nextReport += 0.1;
      }
    }
  };
  await Promise.all(shards.map((s) => worker(s)));
  const seconds = elapsed();
  if (loaded !== total) throw new Error(`loaded ${loaded} events, expected ${total}`);
  return { events: loaded, transactions, seconds, eventsPerSec: loaded / seconds };
}
