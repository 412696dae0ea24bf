import type { LearningEvent, StoredEvent } from '../domain/events/types.js';
import { AppError } from '../errors/app-error.js';
import { type Db, retryingTransaction } from '../store/db.js';
import { appendEvents } from '../store/events/append.js';
import type { PartitionManager } from '../store/events/partitions.js';
import type { Rejection } from '../domain/events/validate.js';
import { applyProjections, LOG_LOCK } from '../projections/apply.js';
import { engagementRejections } from './policies.js';
import type { Projection } from '../projections/projection.js';

export interface CommitOutcome {
  accepted: number;
  duplicates: number;
  /** Events refused by course rules checked in the commit (engagement tracking off), by id. */
  refused: Map<string, Rejection>;
  /** The events this request added to the log (its duplicates excluded). */
  stored: StoredEvent[];
}

/** What the pipeline reports after each transaction (metrics, the live feed later). */
export interface CommitObserver {
  onCommit(info: {
    events: number;
    stored: StoredEvent[];
    /** The courses the stored events belong to. */
    courses: ReadonlySet<string>;
    requests: number;
    seconds: number;
  }): void;
  onError?(err: unknown): void;
}

interface Pending {
  events: LearningEvent[];
  resolve(outcome: CommitOutcome): void;
  reject(err: unknown): void;
}

export interface GroupCommitOptions {
  db: Db;
  projections: readonly Projection[];
  partitions: PartitionManager;
  maxBatchEvents: number;
  writers: number;
  observer?: CommitObserver;
}

/** FNV-1a: a cheap, stable hash that spreads learner ids over the writers. */
function shardOf(userId: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) h = Math.imul(h ^ userId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % shards;
}

/**
 * Coalesces concurrent ingest requests into shared transactions (group commit): while one
 * transaction commits, new requests queue up and go together in the next, so the cost of a
 * durable commit (fsync) is paid once per batch, not once per request. Each request's promise
 * settles only after the transactions holding its events have committed.
 *
 * With several writers (PostgreSQL), each owns the learners whose id hashes to it: a request's
 * events are split among them. Projections lock a learner's rows until commit, so two writers of
 * one process never wait for each other's learners (they would, with overlapping batches).
 */
export class GroupCommitter {
  private readonly queues: Pending[][];
  private readonly active: boolean[];
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: GroupCommitOptions) {
    const writers = opts.db.engine === 'pglite' ? 1 : Math.max(1, opts.writers);
    this.queues = Array.from({ length: writers }, () => []);
    this.active = new Array(writers).fill(false);
  }

  /** Queues a request's validated events; resolves after they are committed. */
  async submit(events: LearningEvent[]): Promise<CommitOutcome> {
    if (this.closed) throw new AppError('shutting_down');
    const shards = this.queues.length;
    const parts: LearningEvent[][] = Array.from({ length: shards }, () => []);
    for (const e of events) parts[shards === 1 ? 0 : shardOf(e.userId, shards)]!.push(e);
    const outcomes = await Promise.all(
      parts.flatMap((part, shard) =>
        part.length === 0
          ? []
          : [
              new Promise<CommitOutcome>((resolve, reject) => {
                this.queues[shard]!.push({ events: part, resolve, reject });
                this.pump(shard);
              }),
            ],
      ),
    );
    return {
      accepted: outcomes.reduce((n, o) => n + o.accepted, 0),
      duplicates: outcomes.reduce((n, o) => n + o.duplicates, 0),
      refused: new Map(outcomes.flatMap((o) => [...o.refused])),
      stored: outcomes.flatMap((o) => o.stored),
    };
  }

  /** Stops taking requests and waits until everything queued is committed. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.idle()) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private idle(): boolean {
    return this.queues.every((q) => q.length === 0) && this.active.every((a) => !a);
  }

  /**
   * Starts the shard's next transaction once the event loop has finished its current round of I/O.
   * Starting at once would begin it inside the first request's callback: on PGlite, whose queries
   * settle as microtasks, the whole transaction would then run before the other requests read in
   * the same round could queue, one request per transaction, and the server would not read its
   * sockets (nor answer /healthz) until the queue ran dry.
   */
  private pump(shard: number): void {
    if (this.active[shard] || this.queues[shard]!.length === 0) return;
    this.active[shard] = true;
    setImmediate(() => {
      const queue = this.queues[shard]!;
      void this.run(this.takeBatch(queue)).finally(() => {
        this.active[shard] = false;
        if (queue.length > 0) this.pump(shard);
        else if (this.idle()) for (const w of this.idleWaiters.splice(0)) w();
      });
    });
  }

  private takeBatch(queue: Pending[]): Pending[] {
    const batch: Pending[] = [];
    let size = 0;
    while (queue.length > 0) {
      const next = queue[0]!;
      if (batch.length > 0 && size + next.events.length > this.opts.maxBatchEvents) break;
      batch.push(queue.shift()!);
      size += next.events.length;
    }
    return batch;
  }

  private async run(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await this.commit(batch);
      for (const [i, p] of batch.entries()) p.resolve(outcomes[i]!);
    } catch (err) {
      if (batch.length === 1) {
        this.opts.observer?.onError?.(err);
        batch[0]!.reject(err);
        return;
      }
      // One request's data broke the shared transaction: commit each request on its own so the
      // others are not refused for it.
      for (const p of batch) {
        try {
          p.resolve((await this.commit([p]))[0]!);
        } catch (single) {
          this.opts.observer?.onError?.(single);
          p.reject(single);
        }
      }
    }
  }

  private async commit(batch: Pending[]): Promise<CommitOutcome[]> {
    const started = process.hrtime.bigint();
    // Within the batch the first occurrence of an id wins; later ones are duplicates.
    const seen = new Set<string>();
    const unique: LearningEvent[] = [];
    const owner: number[] = [];
    batch.forEach((p, i) => {
      for (const e of p.events) {
        if (seen.has(e.id)) continue;
        seen.add(e.id);
        unique.push(e);
        owner.push(i);
      }
    });
    await this.opts.partitions.ensureFor(unique.map((e) => new Date(e.occurredAt)));
    const { stored, courses, refused } = await retryingTransaction(this.opts.db, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock_shared($1)', [LOG_LOCK]);
      const refused = await engagementRejections(tx, unique);
      const fresh = await appendEvents(
        tx,
        refused.size === 0 ? unique : unique.filter((e) => !refused.has(e.id)),
        new Date(),
      );
      return { stored: fresh, courses: await applyProjections(tx, this.opts.projections, fresh), refused };
    });
    const outcomes: CommitOutcome[] = batch.map((p) => ({
      accepted: 0,
      duplicates: p.events.length,
      refused: new Map<string, Rejection>(),
      stored: [],
    }));
    unique.forEach((e, k) => {
      const r = refused.get(e.id);
      if (!r) return;
      const o = outcomes[owner[k]!]!;
      o.refused.set(e.id, r);
      o.duplicates--;
    });
    const byId = new Map(stored.map((e) => [e.id, e]));
    unique.forEach((e, k) => {
      const fresh = byId.get(e.id);
      if (!fresh) return;
      const o = outcomes[owner[k]!]!;
      o.accepted++;
      o.duplicates--;
      o.stored.push(fresh);
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.opts.observer?.onCommit({ events: unique.length, stored, courses, requests: batch.length, seconds });
    return outcomes;
  }
}
