// Stand-ins for the browser around the tracker core: a manual clock with timers, a key-value
// store, and an ingest server that keeps events by id the way learnpulse does (a resent id is a
// duplicate). Used by the tracker's unit tests only; the browser test runs the real thing.
import type { LearnpulseEvent } from '../../sdk/src/types.js';
import type { KeyValue } from '../../sdk/src/store.js';
import type { Fetcher, HttpResponse, PostInit } from '../../sdk/src/transport.js';

export const T0 = Date.parse('2026-05-01T10:00:00.000Z');

/** Lets pending promise callbacks run (several rounds: fetch → classify → settle chains). */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** A clock whose time moves only when told, firing due timers in order. */
export function fakeClock(start = T0) {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn: () => void, ms: number): unknown {
      timers.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimeout(h: unknown) {
      timers.delete(h as number);
    },
    /** Moves time forward by `ms`, running each timer when its time comes. */
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        await settle();
        let next: [number, { at: number; fn: () => void }] | undefined;
        for (const t of timers) if (t[1].at <= end && (!next || t[1].at < next[1].at)) next = t;
        if (!next) break;
        timers.delete(next[0]);
        now = next[1].at;
        next[1].fn();
      }
      now = end;
      await settle();
    },
    pendingTimers: () => timers.size,
  };
}

/** localStorage as a Map. */
export function memoryKv(): KeyValue & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

const reply = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers: { get: (n) => headers[n.toLowerCase()] ?? null },
  text: async () => JSON.stringify(body),
});

export interface Request {
  init: PostInit;
  events: LearnpulseEvent[];
}

/**
 * An ingest endpoint: `down` makes requests fail as a dead network does; `answer` may replace
 * the answer of a request (return undefined for the normal one). Events are kept by id.
 */
export interface FakeServer {
  stored: Map<string, LearnpulseEvent>;
  requests: Request[];
  down: boolean;
  invalidTypes: Set<string>;
  answer: ((r: Request) => HttpResponse | undefined) | undefined;
  fetch: Fetcher;
  reply: typeof reply;
}

export function fakeServer(): FakeServer {
  const stored = new Map<string, LearnpulseEvent>();
  const requests: Request[] = [];
  const server: FakeServer = {
    stored,
    requests,
    down: false,
    /** Per-event rejections by type, as the server would say. */
    invalidTypes: new Set<string>(),
    answer: undefined,
    fetch: async (_url, init) => {
      const events = (JSON.parse(init.body) as { events: LearnpulseEvent[] }).events;
      const r = { init, events };
      requests.push(r);
      if (server.down) throw new TypeError('Failed to fetch');
      const custom = server.answer?.(r);
      if (custom) return custom;
      let accepted = 0;
      let duplicates = 0;
      const rejected: { index: number; code: string; message: string }[] = [];
      events.forEach((e, index) => {
        if (server.invalidTypes.has(e.type))
          rejected.push({ index, code: 'invalid_data', message: 'bad data' });
        else if (stored.has(e.id)) duplicates++;
        else {
          stored.set(e.id, e);
          accepted++;
        }
      });
      return reply(200, { accepted, duplicates, rejected });
    },
    reply,
  };
  return server;
}
