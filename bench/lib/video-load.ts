import type { LearningEvent } from '../../src/domain/events/types.js';
import { enrollLearners } from './catalog.js';
import { createEventValidator } from '../../src/domain/events/validate.js';
import { applyProjections, LOG_LOCK } from '../../src/projections/apply.js';
import { PROJECTIONS } from '../../src/projections/registry.js';
import { upsertCourse } from '../../src/store/catalog/courses.js';
import { upsertEnrollments } from '../../src/store/catalog/enrollments.js';
import { upsertItems } from '../../src/store/catalog/items.js';
import { upsertUsers } from '../../src/store/catalog/users.js';
import { type Db, retryingTransaction } from '../../src/store/db.js';
import { appendEvents } from '../../src/store/events/append.js';
import { PartitionManager } from '../../src/store/events/partitions.js';
import { learnerZone } from './analytics-data.js';
import type { LoadStats } from './analytics-load.js';
import { type Beat, COURSE_ID, heartbeatEvent, type VideoSpec, viewerId } from './video-data.js';

export const INSTRUCTOR_ID = 'bench-video-instructor';

/**
 * The video benches' catalog, through the store's upserts (what the catalog endpoints call): the
 * course, its video items with their durations, and `viewers` enrolled learners (time zones as in
 * the analytics bench). Run before any event exists.
 */
export async function pushVideoCatalog(db: Db, videos: readonly VideoSpec[], viewers: number): Promise<void> {
  await db.transaction(async (tx) => {
    await upsertCourse(tx, COURSE_ID, {
      code: 'BENCH-VIDEO',
      title: 'Video benchmark course',
      instructorIds: [INSTRUCTOR_ID],
    });
    await upsertItems(
      tx,
      COURSE_ID,
      videos.map((v, i) => ({
        id: v.id,
        type: 'video' as const,
        title: v.title,
        position: i,
        durationSec: v.durationSec,
      })),
    );
  });
  await enrollLearners(db, COURSE_ID, viewers, (i) => ({
    id: viewerId(i),
    displayName: `Viewer ${i}`,
    email: `viewer${i}@example.com`,
    timezone: learnerZone(i),
  }));
  await db.transaction(async (tx) => {
    await upsertUsers(tx, [{ id: INSTRUCTOR_ID, displayName: 'Bench Instructor', timezone: 'UTC' }]);
    await upsertEnrollments(tx, COURSE_ID, [{ userId: INSTRUCTOR_ID, role: 'instructor' }]);
  });
}

export interface ViewerStream {
  userId: string;
  beats: Beat[];
}

export interface ViewingLoadOptions {
  workers: number;
  /** A transaction takes whole viewers until it holds at least this many heartbeats. */
  batchEvents: number;
  /** Every UTC day the heartbeats may fall on, so that their partitions exist first. */
  days: Date[];
  /** Heartbeats expected in all, for the progress lines (0: unknown). */
  expected: number;
  log(message: string): void;
  /** Called with every batch as stored, e.g. to keep a sample's events. */
  onBatch?(events: readonly LearningEvent[]): void;
}

/**
 * Loads viewers' heartbeats through the store, as ingestion writes them: each transaction takes
 * the log lock shared, appends whole viewers' heartbeats (`appendEvents`) and applies every
 * projection to them (`applyProjections`), `workers` transactions at a time. A viewer's heartbeats
 * all go in one transaction, so no two transactions share a viewer's rows; they share only the
 * video's aggregate rows, which the projection updates last. Some heartbeats go through the API's
 * validator on the way, so a generator bug shows up as an error rather than as refused data.
 */
export async function loadViewings(
  db: Db,
  viewers: Iterator<ViewerStream>,
  opts: ViewingLoadOptions,
): Promise<LoadStats & { viewers: number }> {
  const partitions = new PartitionManager(db);
  await partitions.ensureCurrent();
  await partitions.ensureFor(opts.days);
  const validate = createEventValidator();
  let loaded = 0;
  let viewerCount = 0;
  let transactions = 0;
  let nextReport = 0.1;
  let checked = 0;
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;

  // Both workers draw from one iterator: each batch is whole viewers, never shared.
  const nextBatch = (): LearningEvent[] => {
    const batch: LearningEvent[] = [];
    while (batch.length < opts.batchEvents) {
      const next = viewers.next();
      if (next.done) break;
      viewerCount++;
      for (const b of next.value.beats) {
        const e = heartbeatEvent(b, next.value.userId);
        // The first few thousand heartbeats, then one in a hundred.
        if (checked++ < 5000 || checked % 100 === 0) {
          const r = validate(JSON.parse(JSON.stringify(e)));
          if (!r.ok)
            throw new Error(`generated an invalid heartbeat: ${r.rejection.message} ${JSON.stringify(e)}`);
        }
        batch.push(e);
      }
    }
    return batch;
  };

  const worker = async () => {
    for (let batch = nextBatch(); batch.length > 0; batch = nextBatch()) {
      const stored = await retryingTransaction(db, async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock_shared($1)', [LOG_LOCK]);
        const fresh = await appendEvents(tx, batch, new Date());
        await applyProjections(tx, PROJECTIONS, fresh);
        return fresh;
      });
      if (stored.length !== batch.length)
        throw new Error(`${batch.length - stored.length} heartbeats not stored`);
      opts.onBatch?.(batch);
      loaded += stored.length;
      transactions++;
      if (opts.expected > 0 && loaded >= nextReport * opts.expected) {
        const rate = loaded / elapsed();
        const eta = Math.max(0, opts.expected - loaded) / rate;
        opts.log(
          `loaded ${loaded} / ~${opts.expected} heartbeats (${Math.round(rate)}/s, ~${Math.round(eta)} s to go)`,
        );
        while (nextReport * opts.expected <= loaded) nextReport += 0.1;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.workers }, () => worker()));
  const seconds = elapsed();
  return { events: loaded, transactions, seconds, eventsPerSec: loaded / seconds, viewers: viewerCount };
}

/** Every UTC day from `days` days before `end` to `end`, for making partitions. */
export function daysBefore(end: number, days: number): Date[] {
  return Array.from({ length: days + 2 }, (_, d) => new Date(end - d * 86_400_000));
}
