/**
 * The feed's readers, in a process of their own: Server-Sent Events subscribers (one socket
 * each, parsed as EventSource would, recording each item's seq and arrival time and nothing
 * more) and, for the baseline, pollers re-fetching `GET /feed?limit=50` every 30 s at a random
 * phase as the reference design's page does. Deliveries are written to a file for the parent.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { clockMs } from './feed-data.js';
import { Helper, serveRequests } from './feed-helper.js';
import { request } from './http-post.js';

/** One reader: the request path (with its query) and headers. */
export interface ReaderSpec {
  path: string;
  headers: Record<string, string>;
}

export interface SubscriberStats {
  /** The `ready` event's position: items after it are this subscriber's to receive. */
  readyPosition: number;
  items: number;
  resyncs: number;
  /** Streams the server ended or that failed while open. */
  disconnects: number;
  /** `item` events whose id line and data's seq disagree. */
  mismatches: number;
  pings: number;
  liveSessionEvents: number;
  error?: string;
}

export interface LoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface SubscribeResult {
  stats: SubscriberStats[];
  /** From the first connection to the last `ready`. */
  openMs: number;
}

export interface PollStats {
  polls: number;
  failures: number;
  firstFailure?: string;
  p50Ms: number;
  p99Ms: number;
  bytes: number;
}

/** Per reader: the items it got, each once, as (seq, clockMs on arrival, hash of the item id). */
export type Deliveries = Float64Array[];

/** FNV-1a of a string: the item id, to check a seq's item is the one the feed lists. */
export function hashId(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function writeDeliveries(per: { seqs: number[]; times: number[]; hashes: number[] }[]): string {
  const total = per.reduce((n, p) => n + 1 + p.seqs.length * 3, 1);
  const out = new Float64Array(total);
  let o = 0;
  out[o++] = per.length;
  for (const p of per) {
    out[o++] = p.seqs.length;
    for (let i = 0; i < p.seqs.length; i++) {
      out[o++] = p.seqs[i]!;
      out[o++] = p.times[i]!;
      out[o++] = p.hashes[i]!;
    }
  }
  const file = path.join(tmpdir(), `lp-feed-bench-${process.pid}-${Date.now()}.bin`);
  writeFileSync(file, out);
  return file;
}

function readDeliveries(file: string): Deliveries {
  const buf = readFileSync(file);
  rmSync(file, { force: true });
  const all = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
  const out: Deliveries = [];
  let o = 0;
  const n = all[o++]!;
  for (let r = 0; r < n; r++) {
    const len = all[o++]!;
    out.push(all.slice(o, o + len * 3));
    o += len * 3;
  }
  return out;
}

/** The parent's handle on the readers' process. */
export class FeedClients {
  private constructor(private readonly helper: Helper) {}

  static start(): FeedClients {
    return new FeedClients(Helper.start(fileURLToPath(import.meta.url)));
  }

  get pid(): number {
    return this.helper.pid;
  }

  /** Opens every stream and resolves when all have said `ready` (or failed). */
  subscribe(baseUrl: string, readers: ReaderSpec[]): Promise<SubscribeResult> {
    return this.helper.request('subscribe', { baseUrl, readers });
  }

  /** Items each subscriber has received so far (to wait for them to catch up). */
  lastSeqs(): Promise<number[]> {
    return this.helper.request('lastSeqs');
  }

  /** Closes every stream; returns what each received, and the event loop's delay while open. */
  async unsubscribe(): Promise<{ stats: SubscriberStats[]; deliveries: Deliveries; loop: LoopDelay }> {
    const r = await this.helper.request<{ stats: SubscriberStats[]; file: string; loop: LoopDelay }>(
      'unsubscribe',
    );
    return { stats: r.stats, loop: r.loop, deliveries: readDeliveries(r.file) };
  }

  startPolling(baseUrl: string, readers: ReaderSpec[], periodMs: number): Promise<void> {
    return this.helper.request('startPolling', { baseUrl, readers, periodMs });
  }

  /** Stops the pollers (waiting for polls in flight); returns what each poller saw first when. */
  async stopPolling(): Promise<{ stats: PollStats; deliveries: Deliveries; loop: LoopDelay }> {
    const r = await this.helper.request<{ stats: PollStats; file: string; loop: LoopDelay }>('stopPolling');
    return { stats: r.stats, loop: r.loop, deliveries: readDeliveries(r.file) };
  }

  stop(): Promise<void> {
    return this.helper.stop();
  }
}

// ---------- the child ----------

interface Subscriber {
  req: http.ClientRequest | undefined;
  stats: SubscriberStats;
  seqs: number[];
  times: number[];
  hashes: number[];
  last: number;
}

const ns = (h: ReturnType<typeof monitorEventLoopDelay>, p: number) => h.percentile(p) / 1e6;
const loopOf = (h: ReturnType<typeof monitorEventLoopDelay>): LoopDelay => ({
  p50Ms: ns(h, 50),
  p99Ms: ns(h, 99),
  maxMs: h.max / 1e6,
});

/** The item's id from its data line: `{"id":"…","seq":N,…`; checks the seq agrees with the event id. */
function itemIdOf(data: string, seq: number): string | undefined {
  if (!data.startsWith('{"id":"')) return undefined;
  const end = data.indexOf('"', 7);
  if (!data.startsWith(`,"seq":${seq},`, end + 1)) return undefined;
  return data.slice(7, end);
}

function openStream(url: URL, spec: ReaderSpec, sub: Subscriber, closing: () => boolean): Promise<void> {
  return new Promise<void>((resolve) => {
    let settled = false;
    const settle = (error?: string) => {
      if (error !== undefined && sub.stats.error === undefined) sub.stats.error = error;
      if (!settled) {
        settled = true;
        resolve();
      }
    };
    const req = http.request(
      new URL(spec.path, url),
      { headers: { accept: 'text/event-stream', ...spec.headers }, agent: false },
      (res) => {
        if (res.statusCode !== 200) {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            body += c;
          });
          res.on('end', () => settle(`${res.statusCode} ${body.slice(0, 300)}`));
          return;
        }
        res.setEncoding('utf8');
        let buf = '';
        res.on('data', (chunk: string) => {
          const at = clockMs();
          buf += chunk;
          let cut = buf.indexOf('\n\n');
          while (cut >= 0) {
            const block = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            cut = buf.indexOf('\n\n');
            let id: string | undefined;
            let event = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) {
                sub.stats.pings++;
                continue;
              }
              const colon = line.indexOf(':');
              const field = colon < 0 ? line : line.slice(0, colon);
              let value = colon < 0 ? '' : line.slice(colon + 1);
              if (value.startsWith(' ')) value = value.slice(1);
              if (field === 'id') id = value;
              else if (field === 'event') event = value;
              else if (field === 'data') data = data === '' ? value : `${data}\n${value}`;
            }
            if (event === 'item') {
              const seq = Number(id);
              const itemId = itemIdOf(data, seq);
              if (itemId === undefined) sub.stats.mismatches++;
              sub.seqs.push(seq);
              sub.times.push(at);
              sub.hashes.push(hashId(itemId ?? ''));
              sub.stats.items++;
              sub.last = seq;
            } else if (event === 'ready') {
              sub.stats.readyPosition = (JSON.parse(data) as { position: number }).position;
              sub.last = sub.stats.readyPosition;
              settle();
            } else if (event === 'resync') {
              sub.stats.resyncs++;
            } else if (event === 'live_session') {
              sub.stats.liveSessionEvents++;
            }
          }
        });
        res.on('close', () => {
          if (!closing()) {
            sub.stats.disconnects++;
            settle('the stream ended');
          }
        });
      },
    );
    req.on('error', (err) => {
      if (!closing()) {
        sub.stats.disconnects++;
        settle(err.message);
      }
    });
    req.end();
    sub.req = req;
  });
}

function child(): void {
  let subs: Subscriber[] = [];
  let closingSubs = false;
  let loop = monitorEventLoopDelay({ resolution: 5 });

  // Pollers.
  interface Poller {
    spec: ReaderSpec;
    seen: Set<number>;
    seqs: number[];
    times: number[];
    hashes: number[];
    timer: NodeJS.Timeout | undefined;
  }
  let pollers: Poller[] = [];
  let polling = false;
  const inFlight = new Set<Promise<void>>();
  const pollMs: number[] = [];
  let polls = 0;
  let pollFailures = 0;
  let pollBytes = 0;
  let firstPollFailure: string | undefined;
  let agent: http.Agent | undefined;

  const get = (url: URL, headers: Record<string, string>) => request(agent, url, headers);

  const poll = async (base: URL, p: Poller) => {
    const started = clockMs();
    try {
      const res = await get(new URL(p.spec.path, base), p.spec.headers);
      const at = clockMs();
      polls++;
      pollMs.push(at - started);
      pollBytes += res.text.length;
      if (res.status !== 200) {
        pollFailures++;
        firstPollFailure ??= `${res.status} ${res.text.slice(0, 300)}`;
        return;
      }
      const page = JSON.parse(res.text) as { items: { id: string; seq: number }[] };
      for (const item of page.items) {
        if (p.seen.has(item.seq)) continue;
        p.seen.add(item.seq);
        p.seqs.push(item.seq);
        p.times.push(at);
        p.hashes.push(hashId(item.id));
      }
    } catch (err) {
      pollFailures++;
      firstPollFailure ??= (err as Error).message;
    }
  };

  serveRequests({
    subscribe: async ({ baseUrl, readers }: { baseUrl: string; readers: ReaderSpec[] }) => {
      const url = new URL(baseUrl);
      closingSubs = false;
      subs = readers.map(() => ({
        req: undefined,
        stats: {
          readyPosition: -1,
          items: 0,
          resyncs: 0,
          disconnects: 0,
          mismatches: 0,
          pings: 0,
          liveSessionEvents: 0,
        },
        seqs: [],
        times: [],
        hashes: [],
        last: -1,
      }));
      const started = clockMs();
      // A hundred connections at a time: as many browsers opening the page at once.
      for (let i = 0; i < readers.length; i += 100) {
        await Promise.all(
          readers.slice(i, i + 100).map((spec, k) => openStream(url, spec, subs[i + k]!, () => closingSubs)),
        );
      }
      const openMs = clockMs() - started;
      // The subscribers' event loop while they are open: how late a chunk can have been read.
      loop = monitorEventLoopDelay({ resolution: 5 });
      loop.enable();
      return { stats: subs.map((s) => s.stats), openMs };
    },
    lastSeqs: () => subs.map((s) => s.last),
    unsubscribe: () => {
      loop.disable();
      closingSubs = true;
      for (const s of subs) s.req?.destroy();
      const file = writeDeliveries(subs);
      const stats = subs.map((s) => s.stats);
      subs = [];
      return { stats, file, loop: loopOf(loop) };
    },
    startPolling: ({
      baseUrl,
      readers,
      periodMs,
    }: {
      baseUrl: string;
      readers: ReaderSpec[];
      periodMs: number;
    }) => {
      const base = new URL(baseUrl);
      agent = new http.Agent({ keepAlive: true });
      polling = true;
      loop = monitorEventLoopDelay({ resolution: 5 });
      loop.enable();
      pollers = readers.map((spec) => ({
        spec,
        seen: new Set(),
        seqs: [],
        times: [],
        hashes: [],
        timer: undefined,
      }));
      for (const p of pollers) {
        const tick = () => {
          if (!polling) return;
          const run = poll(base, p);
          inFlight.add(run);
          void run.finally(() => inFlight.delete(run));
        };
        // setInterval(…, 30000) started when the page was opened: a random phase per viewer.
        p.timer = setTimeout(() => {
          tick();
          p.timer = setInterval(tick, periodMs);
        }, Math.random() * periodMs);
      }
      return true;
    },
    stopPolling: async () => {
      polling = false;
      for (const p of pollers) {
        clearTimeout(p.timer);
        clearInterval(p.timer);
      }
      await Promise.all([...inFlight]);
      loop.disable();
      agent?.destroy();
      const sorted = [...pollMs].sort((a, b) => a - b);
      const pct = (q: number) =>
        sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
      const stats: PollStats = {
        polls,
        failures: pollFailures,
        ...(firstPollFailure !== undefined ? { firstFailure: firstPollFailure } : {}),
        p50Ms: pct(0.5),
        p99Ms: pct(0.99),
        bytes: pollBytes,
      };
      const file = writeDeliveries(pollers);
      pollers = [];
      return { stats, file, loop: loopOf(loop) };
    },
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) child();
