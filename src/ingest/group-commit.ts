import type { LearningEvent, StoredEvent } from '../domain/events/types.js';
import { AppError } from '../errors/app-error.js';
import { type Db, retryingTransaction } from '../store/db.js';
import { appendEvents } from '../store/events/append.js';
import type { PartitionManager } from '../store/events/partitions.js';
import { applyProjections, LOG_LOCK } from '../projections/apply.js';
import type { Projection } from '../projections/projection.js';

export interface CommitOutcome {
  accepted: number;
  duplicates: number;
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

/**
 * Coalesces concurrent ingest requests into shared transactions (group commit): while one
 * transaction commits, new requests queue up and go together in the next, so the cost of a
 * durable commit (fsync) is paid once per batch, not once per request. Each request's promise
 * settles only after the transaction holding its events has committed.
 */
export class GroupCommitter {
  private readonly queue: Pending[] = [];
  private active = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: GroupCommitOptions) {}

  /** Queues a request's validated events; resolves after they are committed. */
  submit(events: LearningEvent[]): Promise<CommitOutcome> {
    if (this.closed) return Promise.reject(new AppError('shutting_down'));
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      this.pump();
    });
  }

  /** Stops taking requests and waits until everything queued is committed. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.queue.length === 0 && this.active === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private writerLimit(): number {
    return this.opts.db.engine === 'pglite' ? 1 : this.opts.writers;
  }

  private pump(): void {
    while (this.queue.length > 0 && this.active < this.writerLimit()) {
      const batch = this.takeBatch();
      this.active++;
      void this.run(batch).finally(() => {
        this.active--;
        if (this.queue.length > 0) this.pump();
        else if (this.active === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let size = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (batch.length > 0 && size + next.events.length > this.opts.maxBatchEvents) break;
      batch.push(this.queue.shift()!);
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
    const { stored, courses } = await retryingTransaction(this.opts.db, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock_shared($1)', [LOG_LOCK]);
      const fresh = await appendEvents(tx, unique, new Date());
      return { stored: fresh, courses: await applyProjections(tx, this.opts.projections, fresh) };
    });
    const outcomes: CommitOutcome[] = batch.map((p) => ({
      accepted: 0,
      duplicates: p.events.length,
      stored: [],
    }));
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
