import { type FeedEntry, feedEntry } from '../analytics/feed.js';
import { LIVE_CHANNEL } from '../projections/apply.js';
import type { Db } from '../store/db.js';
import { feedAfter, lastFeedSeq } from '../store/feed/read.js';
import { FEED_CHANNEL } from '../store/feed/write.js';

/** Someone receiving the feed as it is committed: a stream, the webhook. */
export interface FeedListener {
  /** Each committed item (and revision) after the listener joined, in commit order. */
  item(entry: FeedEntry): void;
  /** An item no longer implied (its seq is the removal's), for those who show items as they come. */
  removed?(entry: FeedEntry): void;
  /** Live sessions that had activity (their running figures changed). */
  liveActivity?(sessionIds: readonly string[]): void;
}

const PAGE = 500;

/**
 * One per server process: learns of committed feed rows through the database's notifications
 * (every process's commits, in commit order, on PostgreSQL and PGlite alike), reads them once,
 * and hands each to every listener of this process. A slow or vanished notification is covered by
 * a periodic check, and every (re)connection of the listener catches up, so nothing is missed.
 */
export class FeedHub {
  private last = 0;
  private readonly listeners = new Set<FeedListener>();
  private reading: Promise<void> | null = null;
  private again = false;
  private stops: (() => Promise<void>)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly options: { checkEveryMs?: number; onError?: (err: unknown) => void } = {},
  ) {}

  async start(): Promise<void> {
    this.last = await lastFeedSeq(this.db);
    this.stops.push(
      await this.db.listen(
        FEED_CHANNEL,
        () => this.kick(),
        () => this.kick(),
      ),
      await this.db.listen(LIVE_CHANNEL, (payload) => this.live(payload)),
    );
    this.timer = setInterval(() => this.kick(), this.options.checkEveryMs ?? 5_000);
    this.timer.unref();
  }

  /** The last seq this process has handed out: a new listener sees everything after it. */
  get position(): number {
    return this.last;
  }

  add(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }

  /** Reads what was committed since the last read; concurrent kicks coalesce into one more read. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      try {
        do {
          this.again = false;
          for (;;) {
            const rows = await feedAfter(this.db, this.last, PAGE);
            for (const row of rows) {
              const entry = feedEntry(row);
              this.last = entry.seq;
              for (const l of this.listeners) {
                if (row.removed) l.removed?.(entry);
                else l.item(entry);
              }
            }
            if (rows.length < PAGE) break;
          }
        } while (this.again && !this.stopped);
      } catch (err) {
        this.options.onError?.(err);
      } finally {
        this.reading = null;
      }
    })();
    return this.reading;
  }

  private live(payload: string): void {
    let ids: unknown;
    try {
      ids = JSON.parse(payload);
    } catch {
      return;
    }
    if (!Array.isArray(ids)) return;
    const sessions = ids.filter((x): x is string => typeof x === 'string');
    for (const l of this.listeners) l.liveActivity?.(sessions);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const stop of this.stops) await stop().catch(() => {});
    this.stops = [];
    await this.reading;
  }
}
