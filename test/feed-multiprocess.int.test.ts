// The live feed across two server processes on one PostgreSQL database: a Server-Sent Events
// subscriber on process A receives the items of events sent to process B in commit order, each
// exactly once, with its seq as the event id, and equal to what GET /feed reads from the
// database; filtered subscribers on B get only their items of events sent to A; a subscriber
// that disconnects resumes with Last-Event-ID (while events keep arriving during the reconnect)
// with nothing lost or repeated at the catch-up/live boundary; and a subscriber whose process is
// stopped with SIGTERM resumes on a new process without loss.
// The expected items are worked out from the item rules (SPEC §3) by test/support/feed-mp.ts,
// with every subject used once so that no item is revised; nothing is computed with src/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { API_KEY } from './support/app.js';
import { engines, serverUrl, type TestDb } from './support/engines.js';
import {
  assertExactlyOnce,
  assertInOrder,
  type Batch,
  type Expected,
  FeedWorkload,
  feedBySeq,
  type Json,
  keyOf,
  LEARNERS,
  loadCatalog,
  range,
  settle,
} from './support/feed-mp.js';
import { apiClient, type Exit, type SpawnedServer, spawnServer } from './support/spawn-server.js';
import { Sse } from './support/sse.js';

type IngestAnswer = { accepted: number; duplicates: number; rejected: unknown[] };
type Received = Json & { eventId: string | undefined };

/** Long enough for a notification to cross processes under load; short enough to fail fast. */
const DELIVERY_MS = 20_000;
/** After the expected count arrived: time for a repeated or stray item to show up too. */
const QUIET_MS = 400;

if (!serverUrl) {
  // PGlite is opened by one process only: several processes need a PostgreSQL server.
  it('runs on PostgreSQL only (no TEST_DATABASE_URL or DATABASE_URL given)', () => {
    console.log(
      '# feed-multiprocess: not run: no TEST_DATABASE_URL or DATABASE_URL (PGlite is single-process)',
    );
    assert.equal(serverUrl, undefined);
  });
} else {
  describe('the live feed across two server processes on one PostgreSQL database', () => {
    let testDb: TestDb;
    /** Every process started, stopped in `after` (a replaced one is already stopped). */
    const spawned: SpawnedServer[] = [];
    let A: SpawnedServer;
    let B: SpawnedServer;
    const streams: Sse[] = [];
    /** Background senders still running: a failed test leaves them to `after`. */
    const senders = new Set<{ stop(): Promise<void> }>();
    const work = new FeedWorkload();
    // A timed at-risk check would add items of its own to the exact sets the tests expect.
    const serverEnv = () => ({ DATABASE_URL: testDb.url, LEARNPULSE_AT_RISK_CHECK_MS: '0' });

    const open = async (server: SpawnedServer, query = '', headers: Record<string, string> = {}) => {
      const s = await Sse.open(`${server.url}/api/v1/feed/stream${query}`, {
        authorization: `Bearer ${API_KEY}`,
        ...headers,
      });
      streams.push(s);
      assert.equal(s.status, 200, `stream on :${server.port}${query}: ${s.body}`);
      return s;
    };
    const ready = async (s: Sse, what: string) =>
      assert.ok(await settle(() => s.of('ready').length > 0, 15_000), `${what}: no ready event`);

    const post = async (server: SpawnedServer, events: Json[]): Promise<IngestAnswer> => {
      const res = await apiClient(server.url).send('POST', '/api/v1/events', { events });
      assert.equal(res.status, 200, `POST /events on :${server.port}: ${JSON.stringify(res.body)}`);
      const answer = res.body as IngestAnswer;
      assert.deepEqual(answer.rejected, []);
      return answer;
    };
    const send = async (server: SpawnedServer, client: string, units: number): Promise<Batch> => {
      const batch = work.batch(client, units);
      const answer = await post(server, batch.events);
      assert.equal(answer.accepted, batch.events.length, 'fresh event ids are all accepted');
      return batch;
    };
    /** A client retrying a request it already sent: duplicates, and no item may come twice. */
    const resend = async (server: SpawnedServer, batch: Batch) => {
      const answer = await post(server, batch.events);
      assert.deepEqual([answer.accepted, answer.duplicates], [0, batch.events.length]);
    };
    /**
     * `senders` clients at once, each sending `requests` requests one after the other (of
     * `units` units; by default 1 to 8), every `resendEvery`-th one twice.
     */
    const sendMany = async (
      to: (sender: number, r: number) => SpawnedServer,
      label: string,
      senders: number,
      requests: number,
      options: { resendEvery?: number; units?: number } = {},
    ): Promise<Expected[]> => {
      const batches = await Promise.all(
        Array.from({ length: senders }, async (_, c) => {
          const out: Batch[] = [];
          for (let r = 0; r < requests; r++) {
            const server = to(c, r);
            const batch = await send(server, `${label}-${c}`, options.units ?? 1 + ((r * 3 + c) % 8));
            out.push(batch);
            if (options.resendEvery && r % options.resendEvery === 0) await resend(server, batch);
          }
          return out;
        }),
      );
      return batches.flat().flatMap((b) => b.items);
    };
    /** Clients posting small batches, each to its server, one request after another until stopped. */
    const keepSending = (label: string, servers: (() => SpawnedServer)[]) => {
      let on = true;
      let posts = 0;
      let failure: unknown;
      const done = Promise.all(
        servers.map(async (server, c) => {
          try {
            while (on) {
              await send(server(), `${label}-${c}`, 3);
              posts++;
            }
          } catch (err) {
            on = false;
            failure ??= err;
          }
        }),
      );
      const sender = {
        posts: () => posts,
        stop: async () => {
          on = false;
          await done;
          senders.delete(sender);
          if (failure) throw failure;
        },
      };
      senders.add(sender);
      return sender;
    };
    const since = (keys: Set<string>) => [...work.expected.values()].filter((x) => !keys.has(x.key));
    const withoutEventId = (list: Received[]) => list.map(({ eventId: _, ...entry }) => entry);
    const seqs = (list: Json[]) => list.map((e) => e.seq as number);

    // Shared by the tests, in order: the subscriber of A and where it started.
    let subA: Sse;
    let position = 0;

    before(async () => {
      const pg = engines().find((e) => e.name === 'postgres')!;
      testDb = await pg.open();
      // The servers own the database from here.
      await testDb.db.close();
      [A, B] = await Promise.all([spawnServer(serverEnv()), spawnServer(serverEnv())]);
      spawned.push(A, B);
      await loadCatalog(B.url);
    });

    after(async () => {
      for (const s of [...senders]) await s.stop().catch(() => {});
      for (const s of streams) s.close();
      const exits: Exit[] = [];
      for (const s of spawned) exits.push(await s.kill('SIGTERM'));
      await testDb?.close();
      assert.deepEqual(
        exits,
        spawned.map(() => ({ code: 0, signal: null })),
        'every server stops cleanly on SIGTERM, open streams or not',
      );
    });

    it('a subscriber on A receives the items of events sent to B in commit order, exactly once', async () => {
      subA = await open(A);
      await ready(subA, 'A');
      const truth0 = await feedBySeq(A.url);
      position = truth0.at(-1)?.seq ?? 0;
      const [readyEvent] = subA.events;
      assert.deepEqual(
        [readyEvent?.event, readyEvent?.id, JSON.parse(readyEvent?.data ?? 'null')],
        ['ready', String(position), { position }],
        'a fresh subscriber is told the position it starts after',
      );
      assert.equal(subA.retry, 2000);

      // 40 requests to B: four clients at once, ten requests each, every third one sent twice.
      const items = await sendMany(() => B, 'p1', 4, 10, { resendEvery: 3 });
      assert.ok(items.length >= 100, `${items.length} items expected`);
      assert.deepEqual([...new Set(items.map((x) => x.type))].sort(), [
        'certification_issued',
        'exam_attempt',
        'lesson_completed',
        'live_session_attended',
        'progress_update',
      ]);
      assert.equal(new Set(items.map((x) => x.learner)).size, LEARNERS.length);

      await settle(() => subA.items().length >= items.length, DELIVERY_MS);
      await sleep(QUIET_MS);
      const got = subA.items();
      assertExactlyOnce(got, items, 'subscriber on A');
      assertInOrder(got, work.expected, 'subscriber on A');
      assert.deepEqual(
        seqs(got),
        range(position + 1, position + items.length),
        'every seq committed since the subscriber joined, none skipped',
      );
      // What was pushed is what the database says, read through A's GET /feed.
      const truth = (await feedBySeq(A.url)).filter((e) => e.seq > position);
      assert.deepEqual(withoutEventId(got), truth);
    });

    it('filtered subscribers on B receive only their items of events sent to A, in order, exactly once', async () => {
      const learner = 'mp-u2';
      const types = ['exam_attempt', 'live_session_attended', 'certification_issued'];
      const byLearner = await open(B, `?userId=${learner}`);
      const byCourse = await open(B, `?courseId=mp-cb&types=${types.join(',')}`);
      await ready(byLearner, 'B, one learner');
      await ready(byCourse, 'B, one course and types');
      const start = await feedBySeq(B.url);
      const from = start.at(-1)?.seq ?? 0;

      // 16 requests to A only: four clients at once.
      const items = await sendMany(() => A, 'p2', 4, 4);
      const mine = items.filter((x) => x.learner === learner);
      const courseItems = items.filter((x) => x.course === 'mp-cb' && types.includes(x.type));
      assert.ok(
        mine.length >= 5 && courseItems.length >= 5,
        `${mine.length} and ${courseItems.length} items`,
      );

      await settle(
        () => byLearner.items().length >= mine.length && byCourse.items().length >= courseItems.length,
        DELIVERY_MS,
      );
      // The unfiltered subscriber on A sees them too (its own process's commits).
      const all = [...work.expected.values()].filter(
        (x) => x.client.startsWith('p1') || x.client.startsWith('p2'),
      );
      await settle(() => subA.items().length >= all.length, DELIVERY_MS);
      await sleep(QUIET_MS);

      for (const [s, want, query, what] of [
        [byLearner, mine, `userId=${learner}`, `B filtered to ${learner}`],
        [byCourse, courseItems, `courseId=mp-cb&types=${types.join(',')}`, 'B filtered to mp-cb and 3 types'],
      ] as const) {
        const got = s.items();
        assertExactlyOnce(got, want, what);
        assertInOrder(got, work.expected, what);
        const truth = (await feedBySeq(B.url, query)).filter((e) => e.seq > from);
        assert.deepEqual(withoutEventId(got), truth, `${what}: as GET /feed on B says`);
      }
      const gotA = subA.items();
      assertExactlyOnce(gotA, all, 'subscriber on A, both phases');
      assertInOrder(gotA, work.expected, 'subscriber on A, both phases');
      assert.deepEqual(seqs(gotA), range(position + 1, position + all.length));
      byLearner.close();
      byCourse.close();
    });

    it('a subscriber of A resumes with Last-Event-ID: what was committed meanwhile, then live items, none lost or repeated', async () => {
      const lastId = subA.items().at(-1)!.eventId!;
      subA.close();
      const known = new Set(work.expected.keys());

      // While it is away: 20 large requests to B and 3 to A, more than one page of catch-up (500),
      // so that the catch-up takes a while.
      const offline = (
        await Promise.all([
          sendMany(() => B, 'p3b', 4, 5, { units: 30 }),
          sendMany(() => A, 'p3a', 1, 3, { units: 12 }),
        ])
      ).flat();
      assert.ok(offline.length > 500, `${offline.length} items sent while away`);

      // Reconnect while three clients keep posting (two to B, one to A): some requests commit
      // before the catch-up read, some while it runs (held, then handed over), some after `ready`.
      const sender = keepSending('boundary', [() => B, () => B, () => A]);
      await settle(() => sender.posts() >= 3, 10_000);
      const r = await open(A, '', { 'last-event-id': lastId });
      await ready(r, 'A resumed');
      const postsAtReady = sender.posts();
      await settle(() => sender.posts() >= postsAtReady + 6, 10_000);
      await sender.stop();
      await send(B, 'p3-live', 4);

      const want = since(known);
      await settle(() => r.items().length >= want.length, DELIVERY_MS);
      await sleep(QUIET_MS);
      const got = r.items();
      assertExactlyOnce(got, want, 'resumed subscriber');
      assertInOrder(got, work.expected, 'resumed subscriber');
      assert.deepEqual(
        seqs(got),
        range(Number(lastId) + 1, Number(lastId) + want.length),
        'every seq after Last-Event-ID, none skipped',
      );
      assert.deepEqual(
        withoutEventId(got),
        (await feedBySeq(A.url)).filter((e) => e.seq > Number(lastId)),
      );

      // `ready` once, right after the last item of the catch-up, at that item's seq.
      const readyAt = r.events.findIndex((e) => e.event === 'ready');
      const caughtUp = r.events.slice(0, readyAt).filter((e) => e.event === 'item');
      assert.equal(r.of('ready').length, 1);
      assert.deepEqual(r.of('ready')[0], { position: Number(caughtUp.at(-1)?.id ?? lastId) });
      const beforeReady = got.filter((e) => caughtUp.some((c) => c.id === e.eventId));
      assert.deepEqual(beforeReady, got.slice(0, caughtUp.length), 'the catch-up is a prefix of the stream');
      // Everything committed before the reconnect is in the catch-up; the boundary client's items
      // fall on both sides of `ready`, so the hand-over from catch-up to live was exercised.
      const caughtKeys = new Set(beforeReady.map(keyOf));
      for (const x of offline)
        assert.ok(caughtKeys.has(x.key), `${x.key} (sent while away) is in the catch-up`);
      const boundary = got.filter((e) => work.expected.get(keyOf(e))?.client.startsWith('boundary'));
      assert.ok(
        boundary.some((e) => caughtKeys.has(keyOf(e))) && boundary.some((e) => !caughtKeys.has(keyOf(e))),
        `the boundary client's items on both sides of ready (${boundary.length} items, ${caughtUp.length} caught up)`,
      );
      subA = r;
    });

    it('a subscriber of A stopped with SIGTERM resumes on a new process A′ without loss', async () => {
      // A subscriber of its own, resumed at the current end of the feed: this test does not
      // depend on the previous one having passed.
      const known = new Set(work.expected.keys());
      const startSeq = (await feedBySeq(B.url)).at(-1)?.seq ?? 0;
      subA = await open(A, '', { 'last-event-id': String(startSeq) });
      await ready(subA, 'A before the stop');
      const sender = keepSending('restart', [() => B, () => B]);
      await settle(() => sender.posts() >= 3 && subA.items().length > 0, 10_000);

      const exit = await A.kill('SIGTERM');
      assert.deepEqual(exit, { code: 0, signal: null }, A.output());
      assert.ok(await settle(() => subA.ended, 5_000), 'the stream ends when its process stops');
      assert.equal(subA.error, undefined, 'the stream was ended, not cut');
      const beforeStop = subA.items();
      const lastSeen = beforeStop.at(-1)?.eventId ?? String(startSeq);

      const A2 = await spawnServer(serverEnv());
      spawned.push(A2);
      A = A2;
      const r = await open(A2, '', { 'last-event-id': lastSeen });
      await ready(r, 'A′ resumed');
      const postsAtReady = sender.posts();
      await settle(() => sender.posts() >= postsAtReady + 2, 10_000);
      await sender.stop();
      await send(B, 'p4-live', 4);

      const want = since(known);
      await settle(() => beforeStop.length + r.items().length >= want.length, DELIVERY_MS);
      await sleep(QUIET_MS);
      const got = [...beforeStop, ...r.items()];
      assert.ok(beforeStop.length > 0, 'items arrived live before the stop');
      assertExactlyOnce(got, want, 'subscriber across the restart');
      assertInOrder(got, work.expected, 'subscriber across the restart');
      assert.deepEqual(seqs(got), range(startSeq + 1, startSeq + want.length));
      assert.deepEqual(
        withoutEventId(got),
        (await feedBySeq(A2.url)).filter((e) => e.seq > startSeq),
      );
    });
  });
}
