// Durability of acknowledged events across a crash (SIGKILL mid-stream) and a graceful shutdown
// (SIGTERM mid-stream), on the embedded database (a data folder) and on PostgreSQL.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { PROJECTIONS } from '../src/projections/registry.js';
import { replay } from '../src/projections/replay.js';
import type { Db } from '../src/store/db.js';
import { openPglite } from '../src/store/pglite.js';
import { openPostgres } from '../src/store/postgres.js';
import { API_KEY } from './support/app.js';
import { engines, scratchDir, serverUrl, type TestDb } from './support/engines.js';
import {
  apiClient,
  assertSameRows,
  type DailyRow,
  dailyActivitySnapshot,
  projectionSnapshot,
  type Exit,
  expectedDailyActivity,
  type Learner,
  makeEvents,
  prng,
  type SpawnedServer,
  spawnServer,
  ZONES,
} from './support/spawn-server.js';

type Event = Record<string, unknown>;
type IngestAnswer = { accepted: number; duplicates: number; rejected: unknown[] };

/** One POST /events as the client saw it. */
interface Sent {
  batch: Event[];
  /** HTTP status, or undefined when the request failed on the network (no answer). */
  status?: number;
  answer?: IngestAnswer;
  /** The network error's code (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET…). */
  error?: string;
  /** Whether the request was started after the server process had exited. */
  afterExit: boolean;
}

const acknowledged = (s: Sent) => s.status === 200 && s.answer !== undefined;

/** A store the servers run on, reopened directly by the test between server lives. */
interface Store {
  env: Record<string, string>;
  open(): Promise<Db>;
  dispose(): Promise<void>;
}

async function pgliteStore(): Promise<Store> {
  const dir = await scratchDir('durability');
  return {
    env: { LEARNPULSE_DATA_DIR: dir },
    open: () => openPglite(dir),
    // scratchDir's own clean-up runs at once when it is called from a `before` hook (node:test
    // runs an `after` registered inside a hook straight away), so the folder is removed here.
    dispose: () => fs.rm(dir, { recursive: true, force: true }),
  };
}

async function postgresStore(): Promise<Store> {
  const testDb: TestDb = await engines()
    .find((e) => e.name === 'postgres')!
    .open();
  await testDb.db.close();
  const url = testDb.url!;
  return {
    env: { DATABASE_URL: url },
    open: async () => openPostgres(url, { max: 2 }),
    dispose: () => testDb.close(),
  };
}

const learners: Learner[] = [
  ...ZONES.map((timezone, i) => ({ id: `dur-learner-${i}`, timezone })),
  { id: 'dur-learner-uncatalogued' },
];
const zoneOf = (userId: string) => learners.find((l) => l.id === userId)?.timezone ?? 'UTC';

async function pushLearners(server: SpawnedServer): Promise<void> {
  for (const l of learners) {
    if (!l.timezone) continue;
    const res = await apiClient(server.url).send('PUT', `/api/v1/users/${l.id}`, {
      displayName: l.id,
      timezone: l.timezone,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
}

/** Posts one batch and records what the client can know about its fate. */
async function post(server: SpawnedServer, batch: Event[], exited: () => boolean): Promise<Sent> {
  const afterExit = exited();
  try {
    const res = await apiClient(server.url).send('POST', '/api/v1/events', { events: batch });
    const sent: Sent = { batch, status: res.status, afterExit };
    if (res.status === 200) sent.answer = res.body as IngestAnswer;
    return sent;
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return { batch, error: cause?.code ?? String(err), afterExit };
  }
}

/**
 * Clients posting batches back to back until `stop()`; a client also stops at its first network
 * failure once the server has exited (that request, started after the exit, must be refused).
 */
function runClients(
  server: SpawnedServer,
  opts: { clients: number; batchEvents: number; seed: number; stop: () => boolean; exited: () => boolean },
): { sent: Sent[]; done: Promise<void> } {
  const sent: Sent[] = [];
  const done = Promise.all(
    Array.from({ length: opts.clients }, async (_, c) => {
      const rand = prng(opts.seed * 100 + c);
      while (!opts.stop()) {
        const s = await post(server, makeEvents(opts.batchEvents, learners, rand), opts.exited);
        sent.push(s);
        if (s.status === undefined && s.afterExit) return;
        // A refused connection while the server shuts down: do not spin.
        if (s.status === undefined) await new Promise((r) => setTimeout(r, 20));
      }
    }),
  ).then(() => {});
  return { sent, done };
}

/** Waits until some batches were acknowledged and at least `ms` went by (the server is mid-stream). */
async function midStream(sent: Sent[], ms: number): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < ms || sent.filter(acknowledged).length < 5) {
    if (Date.now() - started > 30_000) throw new Error('no batch was acknowledged within 30 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** How many times each id is in the log (events and event_ids), for the given ids. */
async function copiesOf(
  db: Db,
  ids: string[],
): Promise<{ events: Map<string, number>; eventIds: Map<string, number> }> {
  const count = async (table: string) => {
    const rows = await db.query<{ id: string; n: number }>(
      `SELECT id::text AS id, count(*)::int AS n FROM ${table} WHERE id = ANY($1::uuid[]) GROUP BY id`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.n]));
  };
  return { events: await count('events'), eventIds: await count('event_ids') };
}

/** Asserts each id is stored exactly once, in the log and in the idempotency index. */
async function assertStoredOnce(db: Db, ids: string[], what: string): Promise<void> {
  const { events, eventIds } = await copiesOf(db, ids);
  const missing = ids.filter((id) => events.get(id) !== 1 || eventIds.get(id) !== 1);
  assert.equal(
    missing.length,
    0,
    `${what}: ${missing.length} of ${ids.length} events not stored exactly once, e.g. ${missing
      .slice(0, 3)
      .map((id) => `${id} (events ${events.get(id) ?? 0}, event_ids ${eventIds.get(id) ?? 0})`)
      .join(', ')}`,
  );
}

async function assertLogConsistent(db: Db): Promise<number> {
  const [c] = await db.query<{ events: number; ids: number; distinct_ids: number }>(
    `SELECT (SELECT count(*)::int FROM events) AS events, (SELECT count(*)::int FROM event_ids) AS ids,
            (SELECT count(DISTINCT id)::int FROM events) AS distinct_ids`,
  );
  assert.equal(c!.events, c!.ids, 'every id in event_ids has its event and no event is stored twice');
  assert.equal(c!.events, c!.distinct_ids);
  return c!.events;
}

/** Every projection as kept at ingest, checked against a full replay; returns daily_activity's rows. */
async function assertProjectionMatchesReplay(db: Db, what: string): Promise<DailyRow[]> {
  const live = await dailyActivitySnapshot(db);
  const liveProjections = await projectionSnapshot(db);
  await replay(db, PROJECTIONS);
  const rebuilt = await dailyActivitySnapshot(db);
  assertSameRows(live, rebuilt, `${what}: daily_activity equals what replay rebuilds`);
  assert.equal(liveProjections, await projectionSnapshot(db), `${what}: every projection equals replay`);
  return rebuilt;
}

const ids = (sent: Sent[]) => sent.flatMap((s) => s.batch.map((e) => e.id as string));

function summary(sent: Sent[]): string {
  const by = new Map<string, number>();
  for (const s of sent) {
    const k = s.status !== undefined ? String(s.status) : `network:${s.error}`;
    by.set(k, (by.get(k) ?? 0) + 1);
  }
  return [...by.entries()].map(([k, n]) => `${k}×${n}`).join(' ');
}

/** Whether something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Reads a raw HTTP/1.1 answer up to the end of the connection. */
function rawAnswer(
  socket: net.Socket,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.on('data', (d) => {
      text += d.toString('utf8');
    });
    socket.once('error', reject);
    socket.once('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
  });
}

const ENGINES: [string, () => Promise<Store>][] = [['pglite', pgliteStore]];
if (serverUrl) ENGINES.push(['postgres', postgresStore]);
else
  console.log(
    '# durability: PostgreSQL run skipped: no TEST_DATABASE_URL or DATABASE_URL given (PGlite only)',
  );

for (const [name, makeStore] of ENGINES) {
  describe(`durability on ${name}`, () => {
    const seed = Number(process.env.TEST_SEED ?? Date.now() % 1_000_000);
    let store: Store;
    const servers: SpawnedServer[] = [];
    const start = async () => {
      const s = await spawnServer(store.env);
      servers.push(s);
      return s;
    };

    before(async () => {
      console.log(`# durability ${name} seed ${seed}`);
      store = await makeStore();
    });
    after(async () => {
      for (const s of servers) await s.kill('SIGKILL');
      await store?.dispose();
    });

    it('keeps every acknowledged event through a SIGKILL mid-stream, and resending stores each once', async () => {
      const server = await start();
      await pushLearners(server);
      let exit: Exit | undefined;
      let killing = false;
      const load = runClients(server, {
        clients: 6,
        batchEvents: 50,
        seed,
        stop: () => killing,
        exited: () => exit !== undefined,
      });
      await midStream(load.sent, 1000);
      killing = true;
      exit = await server.kill('SIGKILL');
      await load.done;
      const sent = load.sent;
      console.log(`# ${name}: before the crash: ${summary(sent)}`);
      assert.deepEqual(exit, { code: null, signal: 'SIGKILL' });
      const acked = sent.filter(acknowledged);
      const unanswered = sent.filter((s) => !acknowledged(s));
      assert.ok(acked.length >= 5, `${acked.length} batches acknowledged before the crash`);
      // Usually some are in flight at the kill; when the server is faster than these clients, none is.
      console.log(`# ${name}: ${unanswered.length} batches unanswered at the crash`);
      for (const s of sent) {
        assert.ok(s.status === undefined || s.status === 200, `only 200s or no answer: ${summary(sent)}`);
        if (s.answer) {
          assert.deepEqual(s.answer.rejected, []);
          assert.equal(s.answer.accepted + s.answer.duplicates, s.batch.length);
        }
      }

      // Straight after the crash (the embedded database recovers on open): everything
      // acknowledged is there once, and the projection agrees with the log it committed with.
      let db = await store.open();
      try {
        await assertStoredOnce(db, ids(acked), 'acknowledged before the crash');
        await assertLogConsistent(db);
        await assertProjectionMatchesReplay(db, 'after the crash');
      } finally {
        await db.close();
      }

      // A new server on the same data; every batch is resent (the acknowledged ones too).
      const again = await start();
      const resend = async (batches: Sent[]) => {
        const answers: IngestAnswer[] = [];
        for (let i = 0; i < batches.length; i += 4) {
          const group = batches.slice(i, i + 4);
          const results = await Promise.all(
            group.map((s) => apiClient(again.url).send('POST', '/api/v1/events', { events: s.batch })),
          );
          for (const r of results) {
            assert.equal(r.status, 200, JSON.stringify(r.body));
            answers.push(r.body as IngestAnswer);
          }
        }
        return answers;
      };
      const ackedAgain = await resend(acked);
      ackedAgain.forEach((a, i) => {
        assert.deepEqual(
          a,
          { accepted: 0, duplicates: acked[i]!.batch.length, rejected: [] },
          'acknowledged = stored',
        );
      });
      const unansweredAgain = await resend(unanswered);
      unansweredAgain.forEach((a, i) => {
        assert.equal(a.accepted + a.duplicates, unanswered[i]!.batch.length);
      });
      const thirdTime = await resend(unanswered);
      assert.equal(
        thirdTime.reduce((n, a) => n + a.accepted, 0),
        0,
        'sending the unanswered batches once more stores nothing new',
      );
      assert.deepEqual(await again.kill('SIGTERM'), { code: 0, signal: null });

      db = await store.open();
      try {
        const all = ids(sent);
        await assertStoredOnce(db, all, 'every batch after resending');
        assert.equal(await assertLogConsistent(db), new Set(all).size);
        const rebuilt = await assertProjectionMatchesReplay(db, 'after resending');
        assertSameRows(
          rebuilt,
          expectedDailyActivity(
            sent.flatMap((s) => s.batch),
            zoneOf,
          ),
          'daily_activity equals the brute-force computation',
        );
      } finally {
        await db.close();
      }
    });

    it('on SIGTERM mid-stream exits with 0, stores every acknowledged event and refuses the rest', async () => {
      const server = await start();
      await pushLearners(server);
      let exit: Exit | undefined;
      void server.exited.then((e) => {
        exit = e;
      });
      const load = runClients(server, {
        clients: 6,
        batchEvents: 50,
        seed: seed + 1,
        stop: () => false,
        exited: () => exit !== undefined,
      });
      await midStream(load.sent, 1000);
      const ackedBeforeSignal = load.sent.filter(acknowledged).length;
      const stopped = server.kill('SIGTERM');
      await load.done;
      const final = await stopped;
      const sent = load.sent;
      console.log(`# ${name}: around SIGTERM: ${summary(sent)}`);
      assert.deepEqual(final, { code: 0, signal: null }, `graceful exit:\n${server.output()}`);
      assert.ok(ackedBeforeSignal >= 5);
      for (const s of sent) {
        assert.ok(
          s.status === undefined || s.status === 200 || s.status === 503,
          `only 200, 503 or a refused connection: ${summary(sent)}`,
        );
        if (s.afterExit) assert.equal(s.status, undefined, 'a request after the exit gets no answer');
      }
      const late = sent.filter((s) => s.afterExit);
      assert.equal(late.length, 6, 'every client tried once more after the exit');
      // A pooled connection whose close the client has not noticed yet may fail otherwise.
      assert.ok(
        late.some((s) => s.error === 'ECONNREFUSED'),
        `requests after the exit find nobody listening: ${summary(late)}`,
      );

      const db = await store.open();
      try {
        const acked = sent.filter(acknowledged);
        for (const s of acked) assert.equal(s.answer!.accepted + s.answer!.duplicates, s.batch.length);
        await assertStoredOnce(db, ids(acked), 'acknowledged around the shutdown');
        const refused = ids(sent.filter((s) => s.status === 503));
        const { eventIds } = await copiesOf(db, refused);
        assert.equal(eventIds.size, 0, 'a batch answered 503 stored nothing');
        // Not a promise of the contract (their fate is unknown to the client), but worth seeing.
        const unanswered = ids(sent.filter((s) => s.status === undefined && !s.afterExit));
        const unansweredStored = (await copiesOf(db, unanswered)).eventIds.size;
        console.log(
          `# ${name}: ${unanswered.length} events sent without an answer before the exit, ${unansweredStored} stored`,
        );
        await assertLogConsistent(db);
        await assertProjectionMatchesReplay(db, 'after the graceful shutdown');
      } finally {
        await db.close();
      }
    });

    it('refuses a request arriving during the shutdown with 503 shutting_down in the API error format', async () => {
      const server = await start();
      // A connection whose request has begun (its headers are half sent) keeps the server draining.
      const socket = net.connect(server.port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      const answer = rawAnswer(socket);
      socket.write(
        `POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${API_KEY}\r\n`,
      );
      await new Promise((r) => setTimeout(r, 500));
      const stopped = server.kill('SIGTERM');
      const deadline = Date.now() + 20_000;
      while (await listening(server.port)) {
        assert.ok(Date.now() < deadline, 'the server stops listening after SIGTERM');
        await new Promise((r) => setTimeout(r, 20));
      }
      const id = randomUUID();
      const body = JSON.stringify({
        events: [
          {
            id,
            type: 'heartbeat',
            occurredAt: new Date().toISOString(),
            userId: 'dur-late',
            courseId: 'c-alpha',
          },
        ],
      });
      socket.write(
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      const res = await answer;
      assert.deepEqual(await stopped, { code: 0, signal: null });
      assert.equal(res.status, 503);
      let parsed: unknown;
      try {
        parsed = JSON.parse(res.body);
      } catch {
        parsed = res.body;
      }
      assert.equal(
        (parsed as { error?: { code?: unknown } }).error?.code,
        'shutting_down',
        `errors are { error: { code, message } } (SPEC §6), got ${res.body}`,
      );
      assert.equal(res.headers['retry-after'], '1');
      const db = await store.open();
      try {
        assert.equal((await copiesOf(db, [id])).eventIds.size, 0, 'the refused event was not stored');
      } finally {
        await db.close();
      }
    });
  });
}
