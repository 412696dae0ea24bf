import type { LearningEvent } from '../../src/domain/events/types.js';
import { enrollLearners } from './catalog.js';
import { createEventValidator } from '../../src/domain/events/validate.js';
import { applyProjections, LOG_LOCK } from '../../src/projections/apply.js';
import { PROJECTIONS } from '../../src/projections/registry.js';
import { rebuildStale } from '../../src/projections/replay.js';
import { upsertCourse } from '../../src/store/catalog/courses.js';
import { upsertEnrollments } from '../../src/store/catalog/enrollments.js';
import { upsertItems } from '../../src/store/catalog/items.js';
import { upsertUsers } from '../../src/store/catalog/users.js';
import { type Db, retryingTransaction } from '../../src/store/db.js';
import { appendEvents } from '../../src/store/events/append.js';
import { PartitionManager } from '../../src/store/events/partitions.js';
import { migrate } from '../../src/store/migrate.js';
import { COURSE_ID, type DataSet, INSTRUCTOR_ID, ITEMS, learnerId, learnerZone } from './analytics-data.js';

/**
 * Migrates a fresh database and records the projections' versions the way a server's first
 * start-up does (on an empty log, instantly), so that the server started on the loaded database
 * later finds nothing stale and does not rebuild 5 million events before answering.
 */
export async function prepareSchema(db: Db): Promise<void> {
  await migrate(db);
  await rebuildStale(db, PROJECTIONS);
}

/**
 * Pushes the catalog through the store's upserts (what the catalog endpoints call): the course
 * with its instructor, its items, the learners with their time zones, and their enrollments. No
 * events exist yet, so nothing needs the rebuilds the catalog layer runs on later changes.
 */
export async function pushCatalog(db: Db, learners: number): Promise<void> {
  await db.transaction(async (tx) => {
    await upsertCourse(tx, COURSE_ID, {
      code: 'BENCH-101',
      title: 'Benchmark course',
      instructorIds: [INSTRUCTOR_ID],
    });
    await upsertItems(tx, COURSE_ID, ITEMS);
  });
  await enrollLearners(db, COURSE_ID, learners, (i) => ({
    id: learnerId(i),
    displayName: `Learner ${i}`,
    email: `learner${i}@example.com`,
    timezone: learnerZone(i),
  }));
  await db.transaction(async (tx) => {
    await upsertUsers(tx, [{ id: INSTRUCTOR_ID, displayName: 'Bench Instructor', timezone: 'Europe/Paris' }]);
    await upsertEnrollments(tx, COURSE_ID, [{ userId: INSTRUCTOR_ID, role: 'instructor' }]);
  });
}

export interface LoadStats {
  events: number;
  transactions: number;
  seconds: number;
  eventsPerSec: number;
}

export interface LoadOptions {
  workers: number;
  batchEvents: number;
  log(message: string): void;
}

/**
 * Loads the data set through the store, as ingestion writes it: each transaction takes the log
 * lock shared, appends ~`batchEvents` events and applies every projection to those it stored.
 * Partitions for the whole window are made first (the group committer makes them on demand).
 * Each worker loads its own learners, day by day, so that concurrent transactions never wait on
 * each other's rows. A sample of the events goes through the API's validator on the way, so a
 * generator bug shows up as an error rather than as data the API would have refused.
 */
export async function loadEvents(db: Db, data: DataSet, opts: LoadOptions): Promise<LoadStats> {
  const { days, end } = data.opts;
  const partitions = new PartitionManager(db);
  await partitions.ensureCurrent();
  await partitions.ensureFor(Array.from({ length: days + 1 }, (_, d) => new Date(end - d * 86_400_000)));
  const validate = createEventValidator();
  const total = data.opts.events;
  let loaded = 0;
  let transactions = 0;
  let nextReport = 0.1;
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;

  const commit = async (batch: LearningEvent[]) => {
    const stored = await retryingTransaction(db, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock_shared($1)', [LOG_LOCK]);
      const fresh = await appendEvents(tx, batch, new Date());
      await applyProjections(tx, PROJECTIONS, fresh);
      return fresh;
    });
    if (stored.length !== batch.length) throw new Error(`${batch.length - stored.length} events not stored`);
    loaded += stored.length;
    transactions++;
    if (loaded >= nextReport * total) {
      opts.log(`loaded ${loaded} / ${total} events (${Math.round(loaded / elapsed())} events/s)`);
      nextReport += 0.1;
    }
  };

  const worker = async (w: number) => {
    let batch: LearningEvent[] = [];
    let checked = 0;
    for (const day of data.days(w, opts.workers)) {
      for (const e of day) {
        // Every event of the first batch, then one in a hundred.
        if (checked++ < opts.batchEvents || checked % 100 === 0) assertValid(validate, e);
        batch.push(e);
        if (batch.length >= opts.batchEvents) {
          await commit(batch);
          batch = [];
        }
      }
    }
    if (batch.length > 0) await commit(batch);
  };
  await Promise.all(Array.from({ length: opts.workers }, (_, w) => worker(w)));
  const seconds = elapsed();
  if (loaded !== total) throw new Error(`loaded ${loaded} events, expected ${total}`);
  return { events: loaded, transactions, seconds, eventsPerSec: loaded / seconds };
}

function assertValid(validate: ReturnType<typeof createEventValidator>, e: LearningEvent): void {
  // Through JSON, as the API receives it: the validator sees what a client would send.
  const r = validate(JSON.parse(JSON.stringify(e)));
  if (!r.ok)
    throw new Error(`generated an invalid ${e.type} event: ${r.rejection.message} ${JSON.stringify(e)}`);
}
