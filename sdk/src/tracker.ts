import { backoffDelay } from './backoff.js';
import { Persister } from './persist.js';
import { EventQueue, isImportant } from './queue.js';
import type { EventStore, KeyValue, StoredEvent } from './store.js';
import { claimsOf } from './token.js';
import { classify, type Fetcher, type Outcome } from './transport.js';
import type { DroppedEvent, EventFields, LearnpulseEvent, TokenSource } from './types.js';
import { uuidv7 } from './uuid.js';

/** What the tracker core is told by its caller (the browser API passes `init`'s options on). */
export interface TrackerOptions {
  /** The learnpulse server, e.g. `https://learnpulse.example.org` (or the full events URL). */
  endpoint: string;
  token?: string;
  getToken?: TokenSource;
  /** The learner, when the page knows it before the first token arrives. */
  userId?: string;
  courseId?: string;
  /** Longest wait before buffered events are sent. */
  flushIntervalMs?: number;
  /** Unsent events that trigger a send at once. */
  batchSize?: number;
  /** Most events kept while they cannot be sent (see EventQueue for what is evicted). */
  maxBufferedEvents?: number;
  /** Called with events given up on: rejected by the server as invalid, or evicted from a full buffer. */
  onDrop?: (dropped: DroppedEvent[]) => void;
  /** Called with every event as it is made (its id included). */
  onEvent?: (event: LearnpulseEvent) => void;
  /** Called when storage or `getToken` fails (the tracker carries on). */
  onError?: (err: unknown) => void;
}

/** The world the core runs in: the browser's, or a test's fakes. */
export interface TrackerEnv {
  now(): number;
  random(): number;
  fetch: Fetcher;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Where unacknowledged events are kept (it may still be opening). */
  store: EventStore | Promise<EventStore>;
  /** Synchronous storage for the rescue on page hide, and its key. */
  kv?: KeyValue | undefined;
  rescueKey?: string;
  /** False while the browser knows it is offline: no request is tried until it says online. */
  online?(): boolean;
  /** Fields every event gets (client session, device). */
  base?: Partial<LearnpulseEvent>;
}

/** At most this many events per request (the server's default limit). */
const MAX_BATCH_EVENTS = 500;
/** Half the server's default 1 MiB body limit: room for a reverse proxy's smaller one. */
const MAX_BATCH_BYTES = 512 * 1024;
/** Browsers allow 64 KiB of keepalive bodies in flight per page; leave room for headers. */
export const KEEPALIVE_BYTES = 60_000;
/** Refresh a token this close to its expiry before sending rather than earn a 401. */
const EXPIRY_MARGIN_SEC = 30;

const eventsUrl = (endpoint: string) => {
  const base = endpoint.replace(/\/+$/, '');
  return /\/events$/.test(base) ? base : `${base}/api/v1/events`;
};

/**
 * The tracker's core, free of the DOM: buffers events, keeps them in storage until the server
 * acknowledges them, and sends them in batches — every `flushIntervalMs`, at `batchSize` unsent
 * events, at once for important ones — retrying with backoff. One request at a time; a page
 * hide adds one keepalive request on top. Events belong to one learner (the token's `sub`):
 * stored events of another learner on the same browser are left alone.
 */
export class Tracker {
  readonly ready: Promise<void>;
  private readonly queue: EventQueue;
  private readonly persister: Persister;
  private readonly url: string;
  private readonly interval: number;
  private token: string | undefined;
  private tokenPending: Promise<string | undefined> | undefined;
  /** Whose events these are: undefined until a token (or `userId`) says; null for tokens without `sub`. */
  private owner: string | null | undefined;
  /** Stored events of learners not known yet to be this one (kept until the owner is known). */
  private others: StoredEvent[] = [];
  private sending: Promise<void> | undefined;
  private readonly hideFlight = new Set<string>();
  private failures = 0;
  /** No request before this: the backoff's end, or the server's Retry-After (`serverUntil`). */
  private notBefore = 0;
  private serverUntil = 0;
  private limit = MAX_BATCH_EVENTS;
  private authRetried = false;
  private timer: unknown;
  private timerAt = Number.POSITIVE_INFINITY;
  private stopped = false;

  constructor(
    private readonly opts: TrackerOptions,
    private readonly env: TrackerEnv,
  ) {
    this.url = eventsUrl(opts.endpoint);
    this.interval = opts.flushIntervalMs ?? 10_000;
    this.queue = new EventQueue(opts.maxBufferedEvents ?? 5000);
    this.persister = new Persister(
      {
        load: async () => (await env.store).load(),
        put: async (r) => (await env.store).put(r),
        remove: async (ids) => (await env.store).remove(ids),
      },
      env.kv,
      env.rescueKey ?? 'learnpulse:rescue',
      (err) => this.opts.onError?.(err),
    );
    if (opts.userId !== undefined) this.owner = opts.userId;
    if (opts.token !== undefined) this.setToken(opts.token);
    this.ready = this.start();
  }

  /** Events not yet acknowledged by the server. */
  get pending(): number {
    return this.queue.size;
  }

  /**
   * Records an event now: it gets its id and time, is stored, and is sent with the next batch.
   * @example tracker.track('lesson_complete', { itemId: 'l1' })
   */
  track(type: string, fields: EventFields = {}): LearnpulseEvent {
    const now = this.env.now();
    const event: LearnpulseEvent = {
      id: uuidv7(now),
      type,
      occurredAt: new Date(now).toISOString(),
      ...(this.opts.courseId !== undefined ? { courseId: this.opts.courseId } : {}),
      ...fields,
      ...this.env.base,
    };
    this.opts.onEvent?.(event);
    this.drop(this.queue.add(event), 'buffer_full', 'The offline buffer is full');
    this.persister.save([{ id: event.id, u: this.owner ?? null, e: event }]);
    if (isImportant(event) || this.queue.size >= (this.opts.batchSize ?? 50)) void this.pump();
    else this.wake(now + this.interval);
    return event;
  }

  /** Sends what is waiting now (unless the server asked to wait); resolves with the events still waiting. */
  async flush(): Promise<number> {
    await this.ready;
    while (this.sending) await this.sending;
    this.notBefore = this.serverUntil;
    await this.pump();
    return this.queue.size;
  }

  /** The network is back: retry at once instead of at the end of the backoff (Retry-After still holds). */
  retryNow(): void {
    this.notBefore = this.serverUntil;
    void this.pump();
  }

  /**
   * The page is being hidden or closed: copy unwritten events to synchronous storage and send
   * what fits in one keepalive request (it outlives the page). Nothing is removed from storage
   * until an answer says so; if the page dies first, the next page load sends them again and
   * the server counts them as duplicates.
   */
  flushOnHide(): void {
    this.persister.rescue();
    const token = this.token;
    if (!token || this.env.online?.() === false) return;
    const batch = this.queue.batch(this.limit, KEEPALIVE_BYTES, (id) => this.hideFlight.has(id), this.stamp);
    if (!batch) return;
    for (const e of batch.events) this.hideFlight.add(e.id);
    const release = () => {
      for (const e of batch.events) this.hideFlight.delete(e.id);
    };
    try {
      this.env
        .fetch(this.url, this.request(token, batch.body, true))
        .then((res) => classify(res, this.env.now()))
        .then((o) => {
          if (o.kind === 'ok') this.acknowledge(batch.events, o.rejected);
        })
        .then(release, release);
    } catch {
      release(); // a browser refusing the keepalive request throws at once; the events stay stored
    }
  }

  /**
   * Tells the server the learner's own time zone (`PUT /me/timezone`), once per learner and zone
   * in this browser; a failure goes to `onError` and is tried again on a later page.
   */
  async sendTimeZone(zone: string): Promise<void> {
    await this.ready;
    const token = await this.currentToken();
    const sub = claimsOf(token).sub;
    if (!token || !sub) return;
    const key = `learnpulse:tz:${sub}`;
    if (this.env.kv?.getItem(key) === zone) return;
    try {
      const res = await this.env.fetch(this.url.replace(/\/events$/, '/me/timezone'), {
        ...this.request(token, JSON.stringify({ timezone: zone }), false),
        method: 'PUT',
      });
      if (res.status !== 200) throw new Error(`learnpulse: time zone not saved (HTTP ${res.status})`);
      this.env.kv?.setItem(key, zone);
    } catch (err) {
      this.opts.onError?.(err);
    }
  }

  /** Stops sending and waits for storage writes; stored events stay for the next page. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.env.clearTimeout(this.timer);
    await this.persister.settled();
  }

  private async start(): Promise<void> {
    if (this.token === undefined && this.opts.getToken) await this.refreshToken();
    let records: StoredEvent[] = [];
    try {
      records = await this.persister.load();
    } catch (err) {
      this.opts.onError?.(err);
    }
    this.others = records.sort((a, b) => (a.id < b.id ? -1 : 1));
    this.adopt();
    void this.pump();
  }

  /** Moves stored events of this learner (and of nobody yet) into the queue, filed under the learner. */
  private adopt(): void {
    const owner = this.owner;
    const mine = this.others.filter((r) => r.u === null || (owner !== undefined && r.u === owner));
    this.others = owner === undefined ? this.others.filter((r) => r.u !== null) : [];
    this.drop(this.queue.restore(mine.map((r) => r.e)), 'buffer_full', 'The offline buffer is full');
    if (owner === undefined) return;
    const refile = mine.filter((r) => r.u !== owner).map((r) => ({ ...r, u: owner }));
    if (refile.length > 0) this.persister.save(refile);
  }

  private setToken(token: string): void {
    this.token = token;
    const sub = claimsOf(token).sub ?? null;
    if (this.owner === undefined) {
      this.owner = sub;
      // Events tracked before the owner was known were stored under nobody: file them now.
      const early = this.queue.all();
      if (early.length > 0) this.persister.save(early.map((e) => ({ id: e.id, u: sub, e })));
      this.adopt();
    }
  }

  /** Asks `getToken` once at a time. */
  private refreshToken(): Promise<string | undefined> {
    const getToken = this.opts.getToken;
    if (!getToken) return Promise.resolve(this.token);
    this.tokenPending ??= (async () => {
      try {
        this.setToken(await getToken());
      } catch (err) {
        this.opts.onError?.(err);
      }
      this.tokenPending = undefined;
      return this.token;
    })();
    return this.tokenPending;
  }

  private async currentToken(): Promise<string | undefined> {
    const exp = claimsOf(this.token).exp;
    const stale = exp !== undefined && exp - EXPIRY_MARGIN_SEC < this.env.now() / 1000;
    return this.token === undefined || stale ? this.refreshToken() : this.token;
  }

  /** The user is added when sending (it is known only from the token); learner tokens must match it. */
  private readonly stamp = (e: LearnpulseEvent): LearnpulseEvent =>
    this.owner ? { ...e, userId: this.owner } : e;

  private request(token: string, body: string, keepalive: boolean) {
    return {
      method: 'POST' as const,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
      keepalive,
    };
  }

  /** Sends batches one after another until nothing is left or a failure says to wait. */
  private pump(): Promise<void> {
    if (this.sending || this.stopped) return this.sending ?? Promise.resolve();
    this.sending = (async () => {
      try {
        while (await this.sendOne());
      } finally {
        this.sending = undefined;
      }
      if (this.queue.size > this.hideFlight.size)
        this.wake(Math.max(this.notBefore, this.env.now() + this.interval));
    })();
    return this.sending;
  }

  /** One request; true when the next one should follow at once. */
  private async sendOne(): Promise<boolean> {
    if (this.stopped || this.env.online?.() === false) return false;
    if (this.env.now() < this.notBefore) return false;
    const token = await this.currentToken();
    const sub = claimsOf(token).sub;
    if (!token || (this.owner && sub && sub !== this.owner)) {
      // No token, or one for another learner: these events must not go out under it.
      this.token = undefined;
      this.fail();
      return false;
    }
    const batch = this.queue.batch(this.limit, MAX_BATCH_BYTES, (id) => this.hideFlight.has(id), this.stamp);
    if (!batch) return false;
    let outcome: Outcome;
    try {
      outcome = await classify(
        await this.env.fetch(this.url, this.request(token, batch.body, false)),
        this.env.now(),
      );
    } catch {
      outcome = { kind: 'retry' }; // the network: offline, DNS, CORS refusal, connection reset
    }
    switch (outcome.kind) {
      case 'ok':
        this.acknowledge(batch.events, outcome.rejected);
        this.failures = 0;
        this.authRetried = false;
        this.limit = Math.min(MAX_BATCH_EVENTS, this.limit * 2);
        return true;
      case 'auth':
        // A new token and one more try at once; a second refusal waits (and refreshes again after).
        if (!this.opts.getToken) return this.fail();
        this.token = undefined;
        this.authRetried = !this.authRetried;
        return this.authRetried || this.fail();
      case 'split':
        if (batch.events.length > 1) this.limit = Math.ceil(batch.events.length / 2);
        else this.acknowledge(batch.events, [{ index: 0, code: outcome.code, message: outcome.message }]);
        return true;
      default:
        return this.fail(outcome.afterMs);
    }
  }

  private acknowledge(
    events: LearnpulseEvent[],
    rejected: { index: number; code: string; message: string }[],
  ) {
    const ids = events.map((e) => e.id);
    this.queue.remove(ids);
    this.persister.drop(ids);
    const dropped = rejected.filter((r) => events[r.index]);
    if (dropped.length > 0)
      this.opts.onDrop?.(dropped.map((r) => ({ event: events[r.index]!, code: r.code, message: r.message })));
  }

  private drop(events: LearnpulseEvent[], code: string, message: string): void {
    if (events.length === 0) return;
    this.persister.drop(events.map((e) => e.id));
    this.opts.onDrop?.(events.map((event) => ({ event, code, message })));
  }

  /** Waits before the next try: backoff with jitter, and at least what the server asked for. */
  private fail(afterMs = 0): false {
    const now = this.env.now();
    this.serverUntil = now + afterMs;
    this.notBefore = now + Math.max(afterMs, backoffDelay(this.failures++, this.env.random()));
    this.wake(this.notBefore);
    return false;
  }

  /** Arms the one timer for `at`, unless it is already due sooner. */
  private wake(at: number): void {
    if (this.stopped || at >= this.timerAt) return;
    this.env.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = this.env.setTimeout(
      () => {
        this.timerAt = Number.POSITIVE_INFINITY;
        void this.pump();
      },
      Math.max(0, at - this.env.now()),
    );
  }
}
