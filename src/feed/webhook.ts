import { createHmac, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type FeedEntry, feedEntry } from '../analytics/feed.js';
import { isMilestone } from '../domain/feed/items.js';
import type { Db } from '../store/db.js';
import { feedAfter } from '../store/feed/read.js';
import { advanceWebhook, leaseWebhook, releaseWebhook } from '../store/feed/webhook.js';

export interface WebhookOptions {
  url: string;
  secret?: string | undefined;
  /** Tries per item before it is given up (logged). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  leaseMs?: number;
  log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/** Why a delivery failed, and whether trying again may help. */
interface Failure {
  retry: boolean;
  afterMs?: number;
  reason: string;
}

const PAGE = 100;

/** Exponential backoff with full jitter, capped; `Retry-After` wins when the receiver gives one. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  return Math.round(random() * Math.min(maxMs, baseMs * 2 ** (attempt - 1)));
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds from now. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const sec = Number(header);
  if (Number.isFinite(sec)) return Math.max(0, sec * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/**
 * Sends milestone feed items (completions, certificates, passed assessments) to the configured
 * URL, in feed order, each until it is accepted (2xx) or given up: network errors, 5xx and 429
 * are retried with backoff, other answers give the item up. One server process delivers at a
 * time (a lease in the database); the position is stored after each item, so a restart or a
 * takeover resumes where delivery stood (an item may then arrive twice: receivers dedupe by the
 * `x-learnpulse-item` header). Runs beside ingestion and never touches it.
 */
export class WebhookDelivery {
  private readonly owner = randomUUID();
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly options: WebhookOptions,
  ) {}

  /** Checks now and then for work (a lapsed lease of a stopped process, items missed meanwhile). */
  start(everyMs = 10_000): void {
    this.timer = setInterval(() => this.kick(), everyMs);
    this.timer.unref();
    this.kick();
  }

  /** A FeedHub listener: new items may be milestones. */
  item(entry: FeedEntry): void {
    if (isMilestone(entry.type, entry.data)) this.kick();
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.deliverAll();
        } while (this.again && !this.stopped);
      } catch (err) {
        if (!this.stopped) this.options.log?.error({ err }, 'webhook delivery failed');
      } finally {
        this.running = null;
      }
    })();
  }

  private async deliverAll(): Promise<void> {
    const leaseMs = this.options.leaseMs ?? 60_000;
    for (;;) {
      const leased = await leaseWebhook(this.db, this.owner, leaseMs);
      if (leased === null || this.stopped) return;
      let position = leased;
      let stored = leased;
      const rows = await feedAfter(this.db, position, PAGE);
      for (const row of rows) {
        const entry = feedEntry(row);
        position = entry.seq;
        // A removal is not delivered: receivers are told milestones, not their revisions.
        if (row.removed || !isMilestone(entry.type, entry.data)) continue;
        const ok = await this.deliver(entry);
        if (this.stopped) return;
        if (!ok) this.options.log?.error({ item: entry.id, seq: entry.seq }, 'webhook item given up');
        // Stored after each delivery (a takeover then repeats none), not after every skipped item.
        if (!(await advanceWebhook(this.db, this.owner, position, leaseMs))) return;
        stored = position;
      }
      if (position > stored && !(await advanceWebhook(this.db, this.owner, position, leaseMs))) return;
      if (rows.length < PAGE) return;
    }
  }

  /** Posts one item until it is accepted or given up. */
  private async deliver(entry: FeedEntry): Promise<boolean> {
    const o = this.options;
    const maxAttempts = o.maxAttempts ?? 8;
    const body = JSON.stringify({ item: entry });
    for (let attempt = 1; ; attempt++) {
      const failure = await this.post(body, entry);
      if (!failure) return true;
      if (!failure.retry || attempt >= maxAttempts || this.stopped) {
        o.log?.warn({ item: entry.id, attempt, reason: failure.reason }, 'webhook delivery refused');
        return false;
      }
      const wait = failure.afterMs ?? backoffMs(attempt, o.baseDelayMs ?? 1_000, o.maxDelayMs ?? 300_000);
      o.log?.warn({ item: entry.id, attempt, reason: failure.reason, retryInMs: wait }, 'webhook retry');
      await sleep(wait, undefined, { signal: this.abort.signal }).catch(() => {});
    }
  }

  private async post(body: string, entry: FeedEntry): Promise<Failure | undefined> {
    const timestamp = Math.floor(Date.now() / 1000).toString();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'learnpulse-webhook',
      'x-learnpulse-item': entry.id,
      'x-learnpulse-type': entry.type,
      'x-learnpulse-timestamp': timestamp,
    };
    if (this.options.secret) {
      // Signed with the timestamp, so a captured request cannot be replayed later as new.
      const mac = createHmac('sha256', this.options.secret).update(`${timestamp}.${body}`).digest('hex');
      headers['x-learnpulse-signature'] = `sha256=${mac}`;
    }
    try {
      const res = await fetch(this.options.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.options.timeoutMs ?? 10_000)]),
      });
      await res.arrayBuffer().catch(() => {});
      if (res.ok) return undefined;
      const retry = res.status >= 500 || res.status === 429 || res.status === 408;
      const afterMs = retryAfterMs(res.headers.get('retry-after'));
      return { retry, reason: `HTTP ${res.status}`, ...(afterMs !== undefined ? { afterMs } : {}) };
    } catch (err) {
      return { retry: true, reason: (err as Error).message };
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.abort.abort();
    await this.running;
    await releaseWebhook(this.db, this.owner).catch(() => {});
  }
}
