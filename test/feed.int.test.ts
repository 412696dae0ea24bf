// The live activity feed end to end, on both engines: the item rules through the real API (no
// spam from heartbeats, half-way only before completion, attempt numbering and its revisions,
// certificates, live attendance with the session's course, late events in their place), the
// filters and their errors, who sees what (GET and the stream), cursor pagination while items
// arrive, Server-Sent Events on a real port (order, exactly once, Last-Event-ID, ready, pings,
// live-session figures, resync), replay, and the notification webhook against a local receiver.
// Expected items and times are worked by hand from the rules in the issue and SPEC §3/§4; nothing
// is computed with src/domain/feed.
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebhookDelivery } from '../src/feed/webhook.js';
import { replay } from '../src/projections/replay.js';
import { PROJECTIONS } from '../src/projections/registry.js';
import { API_KEY, apiClient, count, type Reply, startTestApp, type TestApp } from './support/app.js';
import { forEachEngine } from './support/engines.js';
import { Sse } from './support/sse.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field
type Json = Record<string, any>;

const S = 1_000;
const MIN = 60_000;
const H = 3_600_000;
/** The scenario's origin: every hand-worked time below is T plus something. */
const T = Date.parse('2026-03-02T09:00:00.000Z');
const iso = (t: number) => new Date(t).toISOString();
const enc = encodeURIComponent;

// ---------- events ----------

const base = (type: string, userId: string, t: number, extra: Json = {}): Json => ({
  id: randomUUID(),
  type,
  userId,
  occurredAt: iso(t),
  ...extra,
});
const progressEv = (userId: string, itemId: string, value: number, t: number, courseId = 'ca') =>
  base('lesson_progress', userId, t, { courseId, itemId, value });
const completeEv = (userId: string, itemId: string, t: number, courseId = 'ca') =>
  base('lesson_complete', userId, t, { courseId, itemId });
const quizEv = (
  userId: string,
  itemId: string,
  attemptId: string,
  t: number,
  score: number,
  passed: boolean,
) =>
  base('quiz_submit', userId, t, {
    courseId: 'ca',
    itemId,
    data: { attemptId, score, maxScore: 10, passed, timeSpentSec: 60 },
  });
const certEv = (userId: string, certificateId: string, courseId: string, t: number) =>
  base('certification_issued', userId, t, { courseId, data: { certificateId } });
const liveEv = (type: string, userId: string, sessionId: string, t: number, data?: Json) =>
  base(type, userId, t, { liveSessionId: sessionId, ...(data ? { data } : {}) });
/** Heartbeat k of a 1-second-per-heartbeat viewing from `t0`: plays second k, sent at t0 + k + 1 s. */
const heartbeatEv = (userId: string, itemId: string, k: number, t0: number) =>
  base('video_heartbeat', userId, t0 + (k + 1) * S, {
    courseId: 'ca',
    itemId,
    data: { positionSec: k + 1, durationSec: 1000, segments: [[k, k + 1]] },
  });

// ---------- polling and SSE ----------

/** Polls `probe` until it gives something truthy, failing after `ms`. */
async function until<T>(what: string, probe: () => T | Promise<T>, ms = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(15);
  }
}

/** What a client shows after a stream's events on top of `shown` (id → seq): items by id, removals dropped. */
function fold(shown: Map<string, number>, s: Sse): [string, number][] {
  for (const e of s.events) {
    const data = JSON.parse(e.data) as Json;
    if (e.event === 'item') shown.set(data.id, data.seq);
    if (e.event === 'removed') shown.delete(data.id);
  }
  return [...shown].sort();
}

// ---------- the webhook receiver ----------

interface Delivery {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  item: Json;
}

type Answer = { status: number; headers?: Record<string, string> } | 'hang';

/** A local HTTP receiver that records every delivery and answers as `respond` says. */
class Receiver {
  readonly got: Delivery[] = [];
  respond: (item: Json, nth: number) => Answer = () => ({ status: 200 });
  private held: { res: http.ServerResponse; delivery: Delivery }[] = [];
  private server: http.Server;
  port = 0;

  constructor() {
    this.server = this.make();
  }

  private make(): http.Server {
    return http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => {
        body += c;
      });
      req.on('end', () => {
        const item = (JSON.parse(body) as Json).item as Json;
        const nth = this.got.filter((g) => g.item.id === item.id).length + 1;
        const answer = this.respond(item, nth);
        const delivery: Delivery = { status: 0, headers: req.headers, body, item };
        this.got.push(delivery);
        if (answer === 'hang') {
          this.held.push({ res, delivery });
          return;
        }
        delivery.status = answer.status;
        res.writeHead(answer.status, answer.headers ?? {});
        res.end();
      });
    });
  }

  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Answers the requests held by 'hang'. */
  release(status = 200): void {
    for (const { res, delivery } of this.held.splice(0)) {
      delivery.status = status;
      res.writeHead(status);
      res.end();
    }
  }

  /** Stops listening and drops every connection: the receiver is down. */
  async down(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    this.server = this.make();
  }

  /** Successful deliveries of a content item (by the feed item's item id or certificate). */
  okFor(subject: string): Delivery[] {
    return this.got.filter((g) => g.status >= 200 && g.status < 300 && subjectOf(g.item) === subject);
  }
}

/** What a feed item is about: its item, its session, or its certificate. */
const subjectOf = (i: Json): string =>
  (i.item?.id as string | undefined) ??
  (i.session?.id as string | undefined) ??
  String(i.data?.certificateId);

/** A feed item as the tests compare it: type, learner, subject, attempt, time. */
const brief = (i: Json) =>
  [i.type, i.learner.id, subjectOf(i), i.data?.attemptId ?? null, i.occurredAt] as [
    string,
    string,
    string,
    string | null,
    string,
  ];

const newestFirst = (a: Json, b: Json) =>
  a.occurredAt < b.occurredAt ? 1 : a.occurredAt > b.occurredAt ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;

// ---------- the catalog ----------

const USERS: Record<string, string> = {
  ana: 'Ana Lima',
  ben: 'Ben Okafor',
  cy: 'Cy Young',
  dee: 'Dee Park',
  eve: 'Eve Stone',
  'ins-a': 'Ida Instructor',
  'ins-b': 'Bo Instructor',
  'ins-x': 'Xu Guest',
  'ta-a': 'Tam Assistant',
  pg: 'Page Turner',
};

/** The 20 items of the hand-worked scenario, as [type, learner, subject, attemptId, occurredAt]. */
const SCENARIO: [string, string, string, string | null, number][] = [
  ['progress_update', 'ana', 'ca-vid', null, T + 500 * S],
  ['video_completed', 'ana', 'ca-vid', null, T + 900 * S],
  ['progress_update', 'ana', 'ca-les', null, T + H + 10 * MIN],
  ['lesson_completed', 'ana', 'ca-les', null, T + H + 20 * MIN],
  ['lesson_completed', 'ben', 'ca-les', null, T + H + 45 * MIN],
  ['lesson_completed', 'ana', 'ca-jump', null, T + 2 * H + 5 * MIN],
  ['lesson_completed', 'ana', 'ca-page', null, T + 2 * H + 10 * MIN],
  ['exam_attempt', 'ana', 'ca-quiz', 'a1', T + 2 * H + 30 * MIN],
  ['exam_attempt', 'ana', 'ca-quiz', 'a2', T + 3 * H],
  ['exam_attempt', 'ana', 'ca-quiz', 'a3', T + 3 * H + 30 * MIN],
  ['certification_issued', 'ana', 'CERT-ana-1', null, T + 4 * H],
  ['lesson_completed', 'ben', 'cb-les', null, T + 4 * H + 30 * MIN],
  ['progress_update', 'dee', 'cb-les', null, T + 4 * H + 40 * MIN],
  ['live_session_attended', 'ben', 'ls-a', null, T + 4 * H + 55 * MIN],
  ['live_session_attended', 'dee', 'ls-b', null, T + 5 * H + 10 * MIN],
  ['live_session_attended', 'eve', 'ls-solo', null, T + 5 * H + 15 * MIN],
  ['progress_update', 'ana', 'ca-late', null, T + 6 * H],
  ['lesson_completed', 'ana', 'ca-late', null, T + 6 * H + 30 * MIN],
  ['progress_update', 'cy', 'ca-vid', null, T + 7 * H + 500 * S],
  ['video_completed', 'cy', 'ca-vid', null, T + 7 * H + 900 * S],
];

/** The course each scenario subject belongs to (the live sessions' catalog courses). */
const COURSE_OF: Record<string, string | null> = {
  'ca-vid': 'ca',
  'ca-les': 'ca',
  'ca-jump': 'ca',
  'ca-page': 'ca',
  'ca-quiz': 'ca',
  'ca-late': 'ca',
  'CERT-ana-1': 'ca',
  'cb-les': 'cb',
  'ls-a': 'ca',
  'ls-b': 'cb',
  'ls-solo': null,
};

forEachEngine((engine) => {
  describe('activity feed', () => {
    let t: TestApp;
    let clock = T + 30 * 24 * H;
    let baseUrl = '';
    const api = apiClient(() => t);
    const streams: Sse[] = [];
    const ok = async (reply: Promise<Reply>, status = 200): Promise<Json> => {
      const r = await reply;
      assert.equal(r.statusCode, status, r.body);
      return r.json() as Json;
    };
    const error = async (reply: Promise<Reply>, status: number, code: string) => {
      const r = await reply;
      assert.equal(r.statusCode, status, r.body);
      assert.equal((r.json() as Json).error.code, code, r.body);
    };
    const post = async (events: Json[]) => {
      const r = await ok(api.post('/events', { events }));
      assert.deepEqual(r.rejected, []);
      return r;
    };
    const tok = (userId: string, role: 'student' | 'instructor' | 'admin' = 'student') =>
      t.token(userId, role);
    const feed = (query = '', auth?: string) => ok(api.get(`/feed${query}`, auth));
    /** Every item a caller sees with a filter, newest first, paged through with the cursor. */
    const everything = async (query = '', auth?: string): Promise<Json[]> => {
      const out: Json[] = [];
      let cursor: string | null = null;
      do {
        const sep = query === '' ? '?' : '&';
        const page: Json = await feed(
          `${query}${sep}limit=200${cursor ? `&cursor=${enc(cursor)}` : ''}`.replace(/^&/, '?'),
          auth,
        );
        out.push(...(page.items as Json[]));
        cursor = page.nextCursor as string | null;
      } while (cursor);
      return out;
    };
    const lastSeq = async () =>
      Number((await t.server.db.query<{ n: string }>('SELECT last::text AS n FROM feed_sequence'))[0]!.n);
    const rowsOf = (where: string, params: unknown[] = []) =>
      t.server.db.query<{ id: string; seq: number; type: string; occurred_at: Date; data: Json }>(
        `SELECT id, seq::int AS seq, type, occurred_at, data FROM feed_items WHERE ${where} ORDER BY seq`,
        params,
      );
    const open = async (path: string, headers: Record<string, string> = {}, read = true) => {
      const s = await Sse.open(`${baseUrl}/api/v1${path}`, headers, read);
      streams.push(s);
      return s;
    };
    const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` });
    const asApiKey = bearer(API_KEY);

    before(async () => {
      t = await startTestApp(engine, { LEARNPULSE_FEED_PING_MS: '150' }, { now: () => new Date(clock) });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      await ok(
        api.put('/users', { items: Object.entries(USERS).map(([id, displayName]) => ({ id, displayName })) }),
      );
      await ok(api.put('/courses/ca', { title: 'Algebra', instructorIds: ['ins-a'] }));
      await ok(api.put('/courses/cb', { title: 'Biology', instructorIds: ['ins-b'] }));
      await ok(
        api.put('/courses/ca/items', {
          items: [
            { id: 'ca-vid', type: 'video', title: 'Intro video', position: 1, durationSec: 1000 },
            { id: 'ca-les', type: 'lesson', title: 'Lesson one', position: 2 },
            { id: 'ca-jump', type: 'lesson', title: 'Jump lesson', position: 3 },
            { id: 'ca-page', type: 'page', title: 'Reading', position: 4 },
            { id: 'ca-quiz', type: 'quiz', title: 'Quiz one', position: 5 },
            { id: 'ca-late', type: 'lesson', title: 'Late lesson', position: 6 },
          ],
        }),
      );
      await ok(
        api.put('/courses/cb/items', {
          items: [{ id: 'cb-les', type: 'lesson', title: 'Cells', position: 1 }],
        }),
      );
      await ok(
        api.put('/courses/ca/enrollments', {
          items: [{ userId: 'ana' }, { userId: 'ben' }, { userId: 'cy' }, { userId: 'ta-a', role: 'ta' }],
        }),
      );
      await ok(api.put('/courses/cb/enrollments', { items: [{ userId: 'ben' }, { userId: 'dee' }] }));
      const session = (
        id: string,
        title: string,
        courseId: string | null,
        instructorId: string,
        from: number,
      ) =>
        ok(
          api.put(`/live-sessions/${id}`, {
            title,
            courseId,
            instructorId,
            scheduledStart: iso(from),
            scheduledEnd: iso(from + H),
          }),
        );
      await session('ls-a', 'Algebra live', 'ca', 'ins-a', T + 5 * H);
      await session('ls-b', 'Biology guest talk', 'cb', 'ins-x', T + 5 * H);
      await session('ls-solo', 'Open hour', null, 'ins-x', T + 5 * H);
    });
    after(async () => {
      for (const s of streams) s.close();
      await t?.close();
    });

    // ---------- item rules ----------

    it('1,000 video heartbeats make exactly two items: half-way at 500 s watched, completed at 900 s (90 %)', async () => {
      const before = await lastSeq();
      const heartbeats = Array.from({ length: 1000 }, (_, k) => heartbeatEv('ana', 'ca-vid', k, T));
      for (let i = 0; i < heartbeats.length; i += 50) await post(heartbeats.slice(i, i + 50));
      // Two rows, each written once: no revision, no item per heartbeat.
      assert.equal((await lastSeq()) - before, 2);
      const items = await everything('?userId=ana&courseId=ca');
      assert.deepEqual(items.map(brief), [
        ['video_completed', 'ana', 'ca-vid', null, iso(T + 900 * S)],
        ['progress_update', 'ana', 'ca-vid', null, iso(T + 500 * S)],
      ]);
      const [done, half] = items as [Json, Json];
      assert.deepEqual(
        { ...done, id: undefined, seq: undefined },
        {
          id: undefined,
          seq: undefined,
          type: 'video_completed',
          occurredAt: iso(T + 900 * S),
          learner: { id: 'ana', name: 'Ana Lima' },
          course: { id: 'ca', title: 'Algebra' },
          item: { id: 'ca-vid', title: 'Intro video', type: 'video' },
          session: null,
          progressPct: 100,
          data: { how: 'threshold' },
          sentence: 'Ana Lima completed the video “Intro video” in “Algebra” (100 % watched).',
        },
      );
      assert.equal(half.sentence, 'Ana Lima is halfway through “Intro video” in “Algebra”.');
      assert.deepEqual(half.data, { milestonePct: 50 });
      assert.equal(half.seq + 1, done.seq);
      assert.equal(done.seq, before + 2);
    });

    it('the same 1,000 heartbeats shuffled and out of order end with the same two items', async () => {
      const t0 = T + 7 * H;
      const heartbeats = Array.from({ length: 1000 }, (_, k) => heartbeatEv('cy', 'ca-vid', k, t0));
      // A fixed shuffle (a stride through the list): every batch holds late heartbeats.
      const order = Array.from({ length: 1000 }, (_, i) => (i * 379) % 1000);
      const sent = order.map((i) => heartbeats[i]!);
      for (let i = 0; i < sent.length; i += 100) await post(sent.slice(i, i + 100));
      assert.deepEqual((await everything('?userId=cy')).map(brief), [
        ['video_completed', 'cy', 'ca-vid', null, iso(t0 + 900 * S)],
        ['progress_update', 'cy', 'ca-vid', null, iso(t0 + 500 * S)],
      ]);
      assert.equal(await count(t, `SELECT count(*)::int AS n FROM feed_items WHERE user_id = 'cy'`), 2);
    });

    it('a lesson reported at 30, 60, 100 %: progress_update at the 60 event, then lesson_completed', async () => {
      await post([progressEv('ana', 'ca-les', 30, T + H)]);
      assert.deepEqual(await rowsOf(`item_id = 'ca-les'`), []);
      await post([progressEv('ana', 'ca-les', 60, T + H + 10 * MIN)]);
      const [half] = await rowsOf(`item_id = 'ca-les'`);
      assert.equal(half?.type, 'progress_update');
      assert.equal(half.occurred_at.toISOString(), iso(T + H + 10 * MIN));
      await post([progressEv('ana', 'ca-les', 100, T + H + 20 * MIN)]);
      const rows = await rowsOf(`item_id = 'ca-les'`);
      assert.deepEqual(
        rows.map((r) => [r.type, r.occurred_at.toISOString()]),
        [
          ['progress_update', iso(T + H + 10 * MIN)],
          ['lesson_completed', iso(T + H + 20 * MIN)],
        ],
      );
      // The half-way row was not rewritten by the completion.
      assert.deepEqual(rows[0], half);
      const items = await everything('?userId=ana&types=lesson_completed,progress_update&courseId=ca');
      const done = items.find((i) => i.item.id === 'ca-les' && i.type === 'lesson_completed')!;
      assert.equal(done.sentence, 'Ana Lima completed “Lesson one” in “Algebra” (100 %).');
      assert.deepEqual([done.progressPct, done.data], [100, { how: 'threshold' }]);
      // Ben completes the same lesson straight away.
      await post([progressEv('ben', 'ca-les', 100, T + H + 45 * MIN)]);
    });

    it('a jump 0 → 100 gives only the completion; a manual completion is a lesson_completed too', async () => {
      await post([progressEv('ana', 'ca-jump', 0, T + 2 * H)]);
      await post([progressEv('ana', 'ca-jump', 100, T + 2 * H + 5 * MIN)]);
      assert.deepEqual(
        (await rowsOf(`item_id = 'ca-jump'`)).map((r) => [r.type, r.occurred_at.toISOString()]),
        [['lesson_completed', iso(T + 2 * H + 5 * MIN)]],
      );
      await post([completeEv('ana', 'ca-page', T + 2 * H + 10 * MIN)]);
      const [page] = (await everything('?userId=ana')).filter((i) => i.item?.id === 'ca-page');
      assert.deepEqual(
        [page?.type, page?.occurredAt, page?.data, page?.progressPct, page?.sentence],
        [
          'lesson_completed',
          iso(T + 2 * H + 10 * MIN),
          { how: 'manual' },
          0,
          'Ana Lima completed “Reading” in “Algebra”.',
        ],
      );
    });

    it('exam attempts are numbered; a late earlier attempt renumbers them as revisions (same id, higher seq)', async () => {
      await post([quizEv('ana', 'ca-quiz', 'a2', T + 3 * H, 4, false)]);
      await post([quizEv('ana', 'ca-quiz', 'a3', T + 3 * H + 30 * MIN, 9, true)]);
      const attempts = async () =>
        (await everything('?types=exam_attempt&userId=ana')).sort((a, b) => a.seq - b.seq);
      const first = await attempts();
      assert.deepEqual(
        first.map((i) => [i.data.attemptId, i.data.attemptNumber, i.data.score, i.data.passed, i.occurredAt]),
        [
          ['a2', 1, 4, false, iso(T + 3 * H)],
          ['a3', 2, 9, true, iso(T + 3 * H + 30 * MIN)],
        ],
      );
      assert.equal(first[1]!.sentence, 'Ana Lima passed “Quiz one” in “Algebra” with 9/10 (attempt 2).');
      assert.equal(
        first[0]!.sentence,
        'Ana Lima did not pass “Quiz one” in “Algebra” with 4/10 (attempt 1).',
      );
      // Passing completes the quiz item, but assessments tell it by their attempts only.
      assert.deepEqual(
        (await rowsOf(`item_id = 'ca-quiz' AND type <> 'exam_attempt'`)).map((r) => r.type),
        [],
      );
      assert.equal(
        await count(
          t,
          `SELECT count(*)::int AS n FROM item_progress WHERE item_id = 'ca-quiz' AND completed_at IS NOT NULL`,
        ),
        1,
      );

      const before = await lastSeq();
      await post([quizEv('ana', 'ca-quiz', 'a1', T + 2 * H + 30 * MIN, 2, false)]);
      const revised = await attempts();
      assert.deepEqual(
        revised.map((i) => [i.data.attemptId, i.data.attemptNumber, i.occurredAt]),
        [
          ['a1', 1, iso(T + 2 * H + 30 * MIN)],
          ['a2', 2, iso(T + 3 * H)],
          ['a3', 3, iso(T + 3 * H + 30 * MIN)],
        ],
      );
      const byAttempt = (list: Json[], a: string) => list.find((i) => i.data.attemptId === a)!;
      for (const a of ['a2', 'a3']) {
        assert.equal(byAttempt(revised, a).id, byAttempt(first, a).id, `${a} keeps its id`);
        assert.ok(byAttempt(revised, a).seq > before, `${a} is revised with a new seq`);
      }
      assert.equal(await lastSeq(), before + 3);
      assert.equal(revised.length, 3);

      // The same attempt sent again (a new event id, later) changes nothing: the earliest copy counts.
      const again = await lastSeq();
      await post([quizEv('ana', 'ca-quiz', 'a3', T + 3 * H + 50 * MIN, 9, true)]);
      assert.equal(await lastSeq(), again);
    });

    it('a certificate is one certification_issued per learner and certificate id', async () => {
      await post([certEv('ana', 'CERT-ana-1', 'ca', T + 4 * H)]);
      const seq = await lastSeq();
      await post([certEv('ana', 'CERT-ana-1', 'ca', T + 4 * H + 20 * MIN)]);
      assert.equal(await lastSeq(), seq);
      const certs = await everything('?types=certification_issued');
      assert.equal(certs.length, 1);
      assert.deepEqual(
        [certs[0]!.occurredAt, certs[0]!.course, certs[0]!.item, certs[0]!.data, certs[0]!.sentence],
        [
          iso(T + 4 * H),
          { id: 'ca', title: 'Algebra' },
          null,
          { certificateId: 'CERT-ana-1' },
          'Ana Lima earned certificate CERT-ana-1 in “Algebra”.',
        ],
      );
    });

    it('live_session_attended at the first join, with the session’s catalog course', async () => {
      await post([
        progressEv('ben', 'cb-les', 100, T + 4 * H + 30 * MIN, 'cb'),
        progressEv('dee', 'cb-les', 55, T + 4 * H + 40 * MIN, 'cb'),
      ]);
      await post([
        liveEv('live_join', 'ben', 'ls-a', T + 5 * H + 2 * MIN),
        liveEv('live_chat', 'ben', 'ls-a', T + 5 * H + 5 * MIN, { text: 'hi' }),
        liveEv('live_leave', 'ben', 'ls-a', T + 5 * H + 20 * MIN),
        liveEv('live_join', 'dee', 'ls-b', T + 5 * H + 10 * MIN),
        liveEv('live_join', 'eve', 'ls-solo', T + 5 * H + 15 * MIN),
      ]);
      const seq = await lastSeq();
      // A second join later changes nothing.
      await post([liveEv('live_join', 'ben', 'ls-a', T + 5 * H + 30 * MIN)]);
      assert.equal(await lastSeq(), seq);
      const live = await everything('?types=live_session_attended');
      assert.deepEqual(
        live.map((i) => [i.learner.id, i.session, i.course?.id ?? null, i.item, i.occurredAt]),
        [
          ['eve', { id: 'ls-solo', title: 'Open hour' }, null, null, iso(T + 5 * H + 15 * MIN)],
          ['dee', { id: 'ls-b', title: 'Biology guest talk' }, 'cb', null, iso(T + 5 * H + 10 * MIN)],
          ['ben', { id: 'ls-a', title: 'Algebra live' }, 'ca', null, iso(T + 5 * H + 2 * MIN)],
        ],
      );
      assert.equal(live[2]!.sentence, 'Ben Okafor joined the live session “Algebra live”.');
      assert.equal(live[2]!.course.title, 'Algebra');
    });

    it('late events take their place by occurredAt; an earlier join revises the attendance (same id, new seq)', async () => {
      await post([progressEv('ana', 'ca-late', 100, T + 6 * H + 30 * MIN)]);
      const completed = await lastSeq();
      // Sent after the completion, happened before it: a progress_update now exists, older in time.
      await post([progressEv('ana', 'ca-late', 50, T + 6 * H)]);
      const late = await rowsOf(`item_id = 'ca-late'`);
      assert.deepEqual(
        late.map((r) => [r.type, r.occurred_at.toISOString(), r.seq]),
        [
          ['lesson_completed', iso(T + 6 * H + 30 * MIN), completed],
          ['progress_update', iso(T + 6 * H), completed + 1],
        ],
      );
      const [attendance] = await rowsOf(`type = 'live_session_attended' AND user_id = 'ben'`);
      await post([liveEv('live_join', 'ben', 'ls-a', T + 4 * H + 55 * MIN)]);
      const [moved] = await rowsOf(`type = 'live_session_attended' AND user_id = 'ben'`);
      assert.equal(moved?.id, attendance?.id);
      assert.ok(moved!.seq > attendance!.seq);
      assert.equal(moved!.occurred_at.toISOString(), iso(T + 4 * H + 55 * MIN));

      // The whole feed, newest first by occurredAt whatever the order things were sent in.
      const all = await everything();
      assert.deepEqual(
        all.map(brief),
        [...SCENARIO]
          .sort((a, b) => b[4] - a[4])
          .map(([type, user, subject, attempt, at]) => [type, user, subject, attempt, iso(at)]),
      );
      for (const i of all) assert.equal(i.course?.id ?? null, COURSE_OF[subjectOf(i)], subjectOf(i));
      // Seq order is not time order: the late half-way item is newer in seq than what it sits behind.
      const pos = all.findIndex((i) => i.item?.id === 'ca-late' && i.type === 'progress_update');
      assert.ok(all[pos]!.seq > all[pos - 1]!.seq);
      assert.equal(new Set(all.map((i) => i.seq)).size, all.length);
    });

    // ---------- filters ----------

    it('filters: courseId, userId, types, since (inclusive), until (exclusive), and all of them at once', async () => {
      const all = await everything();
      assert.equal(all.length, 20);
      const pick = (f: (i: Json) => boolean) => all.filter(f).map((i) => i.id);
      const ids = async (query: string) => (await everything(query)).map((i) => i.id);

      assert.deepEqual(
        await ids('?courseId=ca'),
        pick((i) => i.course?.id === 'ca'),
      );
      assert.equal((await ids('?courseId=ca')).length, 16);
      assert.deepEqual(
        await ids('?courseId=cb'),
        pick((i) => i.course?.id === 'cb'),
      );
      assert.deepEqual(
        await ids('?userId=ben'),
        pick((i) => i.learner.id === 'ben'),
      );
      assert.equal((await ids('?userId=ben')).length, 3);
      assert.deepEqual(
        await ids('?types=exam_attempt,certification_issued'),
        pick((i) => i.type === 'exam_attempt' || i.type === 'certification_issued'),
      );
      assert.equal((await ids('?types=exam_attempt,certification_issued')).length, 4);
      assert.deepEqual(
        await ids('?types=live_session_attended'),
        pick((i) => i.type === 'live_session_attended'),
      );
      // The certificate is exactly at T + 4 h: in `since`, out of `until`.
      const cert = all.find((i) => i.type === 'certification_issued')!;
      const since = await everything(`?since=${enc(iso(T + 4 * H))}`);
      assert.deepEqual(
        since.map((i) => i.id),
        pick((i) => i.occurredAt >= iso(T + 4 * H)),
      );
      assert.ok(since.some((i) => i.id === cert.id));
      const until = await everything(`?until=${enc(iso(T + 4 * H))}`);
      assert.deepEqual(
        until.map((i) => i.id),
        pick((i) => i.occurredAt < iso(T + 4 * H)),
      );
      assert.ok(!until.some((i) => i.id === cert.id));
      assert.equal(since.length + until.length, 20);
      // An offset is the same instant: 13:00+04:00 is 09:00Z, T itself.
      assert.deepEqual(
        await ids(`?since=${enc('2026-03-02T13:00:00+04:00')}&until=${enc('2026-03-02T14:00:00+04:00')}`),
        pick((i) => i.occurredAt >= iso(T) && i.occurredAt < iso(T + H)),
      );
      assert.equal(
        (await ids(`?since=${enc('2026-03-02T13:00:00+04:00')}&until=${enc(iso(T + H))}`)).length,
        2,
      );

      const combined = await everything(
        `?courseId=ca&userId=ana&types=lesson_completed,progress_update&since=${enc(iso(T + H))}&until=${enc(
          iso(T + 6 * H + 30 * MIN),
        )}`,
      );
      assert.deepEqual(combined.map(brief), [
        ['progress_update', 'ana', 'ca-late', null, iso(T + 6 * H)],
        ['lesson_completed', 'ana', 'ca-page', null, iso(T + 2 * H + 10 * MIN)],
        ['lesson_completed', 'ana', 'ca-jump', null, iso(T + 2 * H + 5 * MIN)],
        ['lesson_completed', 'ana', 'ca-les', null, iso(T + H + 20 * MIN)],
        ['progress_update', 'ana', 'ca-les', null, iso(T + H + 10 * MIN)],
      ]);
      // Nothing matches: an empty page, no cursor.
      assert.deepEqual(await feed('?userId=eve&courseId=ca'), { items: [], nextCursor: null });
    });

    it('limit: default 20, 1 to 200, with a cursor when there is more; bad limits, types and ranges are 400', async () => {
      const all = await everything();
      const first = await feed();
      assert.equal(first.items.length, 20);
      assert.deepEqual(
        first.items.map((i: Json) => i.id),
        all.slice(0, 20).map((i) => i.id),
      );
      assert.equal(first.nextCursor, null);
      const one = await feed('?limit=1');
      assert.deepEqual(
        one.items.map((i: Json) => i.id),
        [all[0]!.id],
      );
      assert.equal(typeof one.nextCursor, 'string');
      const nineteen = await feed('?limit=19');
      const rest = await feed(`?limit=19&cursor=${enc(nineteen.nextCursor)}`);
      assert.deepEqual(
        [...nineteen.items, ...rest.items].map((i: Json) => i.id),
        all.map((i) => i.id),
      );
      assert.equal(rest.nextCursor, null);
      assert.equal((await feed('?limit=200')).items.length, 20);

      for (const q of [
        '?limit=0',
        '?limit=201',
        '?limit=-1',
        '?limit=abc',
        '?types=bogus',
        '?types=exam_attempt,,lesson_completed',
        '?types=exam_attempt,',
        '?types=',
        '?types=EXAM_ATTEMPT',
        '?since=yesterday',
        '?until=2026-13-01T00:00:00Z',
        `?since=${enc(iso(T + H))}&until=${enc(iso(T + H))}`,
        `?since=${enc(iso(T + 2 * H))}&until=${enc(iso(T + H))}`,
        '?color=red',
      ]) {
        await error(api.get(`/feed${q}`), 400, 'validation_failed');
      }
      await error(api.get('/feed?cursor=not-a-cursor'), 400, 'invalid_cursor');
      await error(api.get('/feed', null), 401, 'unauthorized');
      await error(api.get('/feed/stream?limit=5'), 400, 'validation_failed');
      await error(api.get('/feed/stream?types=nope'), 400, 'validation_failed');
      await error(
        api.get(`/feed/stream?since=${enc(iso(T + H))}&until=${enc(iso(T))}`),
        400,
        'validation_failed',
      );
    });

    // ---------- permissions ----------

    it('a learner sees only their own items, even with their course as filter; another learner is 403', async () => {
      const all = await everything();
      const own = (u: string) => all.filter((i) => i.learner.id === u).map((i) => i.id);
      const ana = await tok('ana');
      assert.deepEqual(
        (await everything('', ana)).map((i) => i.id),
        own('ana'),
      );
      assert.equal(own('ana').length, 12);
      // Ben's and Cy's items in Algebra stay hidden from Ana.
      assert.deepEqual(
        (await everything('?courseId=ca', ana)).map((i) => i.id),
        own('ana'),
      );
      assert.deepEqual(
        (await everything('?userId=ana&types=exam_attempt', ana)).map((i) => i.data.attemptId),
        ['a3', 'a2', 'a1'],
      );
      await error(api.get('/feed?userId=ben', ana), 403, 'forbidden');
      await error(api.get('/feed?courseId=cb', ana), 403, 'forbidden');
      await error(api.get('/feed?courseId=nowhere', ana), 404, 'not_found');
      const ben = await tok('ben');
      assert.deepEqual(
        (await everything('', ben)).map((i) => i.id),
        own('ben'),
      );
      assert.deepEqual((await everything('?courseId=cb', ben)).map(brief), [
        ['lesson_completed', 'ben', 'cb-les', null, iso(T + 4 * H + 30 * MIN)],
      ]);
      // A learner with a student token who is in no course sees their own attendance only.
      assert.deepEqual(
        (await everything('', await tok('eve'))).map((i) => i.id),
        own('eve'),
      );
      // A learner with nothing in the feed gets an empty page.
      assert.deepEqual(await feed('', await tok('pg')), { items: [], nextCursor: null });
    });

    it('instructors see the courses they teach and the sessions they run, nothing else; admins and the API key all', async () => {
      const all = await everything();
      const idsOf = (f: (i: Json) => boolean) => all.filter(f).map((i) => i.id);
      const insA = await tok('ins-a', 'instructor');
      assert.deepEqual(
        (await everything('', insA)).map((i) => i.id),
        idsOf((i) => i.course?.id === 'ca'),
      );
      // A TA (enrolled as ta) teaches the course too.
      assert.deepEqual(
        (await everything('', await tok('ta-a', 'instructor'))).map((i) => i.id),
        idsOf((i) => i.course?.id === 'ca'),
      );
      // Ben is taught by ins-a in Algebra only: his Biology items never show.
      assert.deepEqual(
        (await everything('?userId=ben', insA)).map((i) => i.id),
        idsOf((i) => i.learner.id === 'ben' && i.course?.id === 'ca'),
      );
      await error(api.get('/feed?courseId=cb', insA), 403, 'forbidden');
      await error(api.get('/feed?userId=dee', insA), 403, 'forbidden');
      const insB = await tok('ins-b', 'instructor');
      assert.deepEqual(
        (await everything('', insB)).map((i) => i.id),
        idsOf((i) => i.course?.id === 'cb'),
      );
      // ins-x teaches nothing but runs ls-b (in Biology) and ls-solo (no course).
      const insX = await tok('ins-x', 'instructor');
      assert.deepEqual((await everything('', insX)).map(brief), [
        ['live_session_attended', 'eve', 'ls-solo', null, iso(T + 5 * H + 15 * MIN)],
        ['live_session_attended', 'dee', 'ls-b', null, iso(T + 5 * H + 10 * MIN)],
      ]);
      await error(api.get('/feed?courseId=cb', insX), 403, 'forbidden');
      for (const auth of [await tok('root', 'admin'), API_KEY]) {
        assert.deepEqual(
          (await everything('', auth)).map((i) => i.id),
          all.map((i) => i.id),
        );
        assert.equal((await everything('?courseId=cb&userId=dee', auth)).length, 2);
      }
    });

    // ---------- the stream ----------

    it('stream: ready at the current position, items in seq order exactly once, resumed with Last-Event-ID', async () => {
      const s = await open('/feed/stream', asApiKey);
      assert.equal(s.status, 200);
      assert.match(s.contentType ?? '', /^text\/event-stream/);
      assert.match(s.cacheControl ?? '', /no-cache/);
      const position = await lastSeq();
      const [ready] = await until('ready', () => (s.of('ready').length > 0 ? s.events : null));
      assert.deepEqual(
        [ready!.event, ready!.id, JSON.parse(ready!.data)],
        ['ready', String(position), { position }],
      );
      assert.equal(s.retry, 2000);

      const lessons = (user: string, from: number, n: number, t0: number) =>
        Array.from({ length: n }, (_, k) => progressEv(user, `sx-${from + k}`, 100, t0 + k * MIN));
      await post(lessons('sx', 1, 4, T + 20 * H));
      await post(lessons('sx', 5, 2, T + 21 * H));
      const seqs = (list: Json[]) => list.map((i) => i.seq);
      const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);
      await until('6 items', () => s.items().length >= 6);
      assert.deepEqual(seqs(s.items()), range(position + 1, position + 6));
      assert.deepEqual(
        s.items().map((i) => i.eventId),
        range(position + 1, position + 6).map(String),
      );
      assert.deepEqual(
        s.items().map((i) => i.item.id),
        ['sx-1', 'sx-2', 'sx-3', 'sx-4', 'sx-5', 'sx-6'],
      );
      // Each pushed item is the item GET /feed gives.
      const listed = await everything('?userId=sx');
      for (const i of s.items()) {
        const { eventId: _, ...entry } = i;
        assert.deepEqual(
          entry,
          listed.find((l) => l.id === i.id),
        );
      }

      // Disconnect; items committed meanwhile arrive on reconnection, then `ready`, then new ones.
      const lastId = s.items().at(-1)!.eventId!;
      s.close();
      await post(lessons('sx', 7, 3, T + 22 * H));
      await post(lessons('sx', 10, 2, T + 23 * H));
      const r = await open('/feed/stream', { ...asApiKey, 'last-event-id': lastId });
      await until('ready after catch-up', () => r.of('ready').length > 0);
      const upToReady = r.events.slice(
        0,
        r.events.findIndex((e) => e.event === 'ready'),
      );
      assert.deepEqual(
        upToReady.map((e) => Number(e.id)),
        range(position + 7, position + 11),
      );
      assert.deepEqual(r.of('ready'), [{ position: position + 11 }]);
      await post(lessons('sx', 12, 2, T + 24 * H));
      await until('2 new items', () => r.items().length >= 7);
      assert.deepEqual(seqs(r.items()), range(position + 7, position + 13));
      assert.deepEqual(
        r.items().map((i) => i.item.id),
        ['sx-7', 'sx-8', 'sx-9', 'sx-10', 'sx-11', 'sx-12', 'sx-13'],
      );

      // Resuming further back (the query form, for clients that cannot set headers) repeats from there.
      const q = await open(`/feed/stream?lastEventId=${position + 9}`, asApiKey);
      await until('ready', () => q.of('ready').length > 0);
      assert.deepEqual(seqs(q.items()), range(position + 10, position + 13));
      // A resume point with nothing after it: just `ready`.
      const idle = await open('/feed/stream', { ...asApiKey, 'last-event-id': String(position + 13) });
      await until('ready', () => idle.of('ready').length > 0);
      assert.deepEqual(idle.items(), []);
      await sleep(50);
      assert.deepEqual([r.items().length, q.items().length, idle.items().length], [7, 4, 0]);
      const bad = await open('/feed/stream', { ...asApiKey, 'last-event-id': 'abc' });
      assert.equal(bad.status, 400);
      assert.equal((JSON.parse(bad.body) as Json).error.code, 'validation_failed');
      for (const x of [r, q, idle]) x.close();
    });

    it('stream: an idle connection gets comment pings (LEARNPULSE_FEED_PING_MS)', async () => {
      const s = await open('/feed/stream', asApiKey);
      await until('two pings', () => s.comments.length >= 2, 5_000);
      assert.deepEqual(s.comments.slice(0, 2), ['ping', 'ping']);
      assert.deepEqual(s.items(), []);
      s.close();
    });

    it('stream: the same permissions and filters as GET /feed; a learner never receives other learners’ items', async () => {
      const ana = await open(`/feed/stream?access_token=${enc(await tok('ana'))}`);
      const ben = await open('/feed/stream', bearer(await tok('ben')));
      const insB = await open('/feed/stream', bearer(await tok('ins-b', 'instructor')));
      const filtered = await open('/feed/stream?types=exam_attempt&courseId=ca', asApiKey);
      const benInCa = await open('/feed/stream?userId=ben', bearer(await tok('ins-a', 'instructor')));
      const everyone = await open('/feed/stream', asApiKey);
      for (const s of [ana, ben, insB, filtered, benInCa, everyone]) {
        assert.equal(s.status, 200, s.body);
        await until('ready', () => s.of('ready').length > 0);
      }
      const refused: [string, Record<string, string>, number][] = [
        [`/feed/stream?userId=ben&access_token=${enc(await tok('ana'))}`, {}, 403],
        ['/feed/stream?courseId=ca', bearer(await tok('ins-b', 'instructor')), 403],
        ['/feed/stream?userId=dee', bearer(await tok('ins-a', 'instructor')), 403],
        ['/feed/stream', {}, 401],
        ['/feed/stream?access_token=not-a-token', {}, 401],
      ];
      for (const [path, headers, status] of refused) {
        const s = await open(path, headers);
        assert.equal(s.status, status, `${path}: ${s.body}`);
      }
      // A token in the query is only for the stream.
      await error(api.get(`/feed?access_token=${enc(await tok('ana'))}`, null), 401, 'unauthorized');

      await post([
        progressEv('ben', 'cb-les-1', 100, T + 25 * H, 'cb'),
        progressEv('dee', 'cb-les', 100, T + 25 * H + MIN, 'cb'),
        quizEv('ana', 'ca-quiz', 'a4', T + 25 * H + 2 * MIN, 10, true),
        progressEv('cy', 'ca-les', 100, T + 25 * H + 3 * MIN),
        progressEv('ben', 'ca-jump', 100, T + 25 * H + 4 * MIN),
        liveEv('live_join', 'ana', 'ls-b', T + 25 * H + 5 * MIN),
      ]);
      // The last commit: an item for each stream to wait for (it is behind everything else there).
      await post([
        progressEv('ana', 'ca-m', 100, T + 26 * H),
        progressEv('ben', 'cb-les-2', 100, T + 26 * H + MIN, 'cb'),
        quizEv('cy', 'ca-quiz', 'c1', T + 26 * H + 2 * MIN, 3, false),
        progressEv('ben', 'ca-page', 100, T + 26 * H + 3 * MIN),
      ]);
      const last = await lastSeq();
      await until('everything', () => everyone.items().at(-1)?.seq === last);
      const all = everyone.items();
      assert.equal(all.length, 10);
      const expect = (f: (i: Json) => boolean) => all.filter(f).map((i) => i.seq);
      const waitFor = async (s: Sse, f: (i: Json) => boolean) => {
        const want = expect(f);
        await until('the last item', () => s.items().at(-1)?.seq === want.at(-1));
        assert.deepEqual(
          s.items().map((i) => i.seq),
          want,
        );
      };
      // Ana: her attempt, her attendance of the Biology session, her lesson.
      await waitFor(ana, (i) => i.learner.id === 'ana');
      assert.equal(ana.items().length, 3);
      await waitFor(ben, (i) => i.learner.id === 'ben');
      assert.equal(ben.items().length, 4);
      // ins-b: Biology items, including Ana's attendance of the Biology session.
      await waitFor(insB, (i) => i.course?.id === 'cb');
      assert.equal(insB.items().length, 4);
      await waitFor(filtered, (i) => i.type === 'exam_attempt' && i.course?.id === 'ca');
      assert.equal(filtered.items().length, 2);
      // ins-a asking for Ben: his Algebra items only.
      await waitFor(benInCa, (i) => i.learner.id === 'ben' && i.course?.id === 'ca');
      assert.equal(benInCa.items().length, 2);
      for (const s of [ana, ben, insB, filtered, benInCa, everyone]) s.close();
    });

    it('stream: a live session’s running figures are pushed while it is live, to those who may see it', async () => {
      const start = T + 40 * H;
      clock = start + 10 * MIN;
      try {
        await ok(
          api.put('/live-sessions/ls-now', {
            title: 'Algebra now',
            courseId: 'ca',
            instructorId: 'ins-a',
            scheduledStart: iso(start),
            scheduledEnd: iso(start + H),
          }),
        );
        const insA = await open('/feed/stream', bearer(await tok('ins-a', 'instructor')));
        const insB = await open('/feed/stream', bearer(await tok('ins-b', 'instructor')));
        for (const s of [insA, insB]) await until('ready', () => s.of('ready').length > 0);
        await post([
          liveEv('live_join', 'ana', 'ls-now', start + MIN),
          liveEv('live_join', 'ben', 'ls-now', start + 2 * MIN),
          liveEv('live_join', 'cy', 'ls-now', start + 3 * MIN),
          liveEv('live_chat', 'ana', 'ls-now', start + 4 * MIN, { text: 'Hello' }),
          liveEv('live_chat', 'ben', 'ls-now', start + 5 * MIN, { text: 'Why?' }),
          liveEv('live_chat', 'ana', 'ls-now', start + 6 * MIN, { text: 'Thanks' }),
          liveEv('live_leave', 'cy', 'ls-now', start + 7 * MIN),
        ]);
        const figures = (s: Sse) => s.of('live_session').filter((f) => f.sessionId === 'ls-now');
        const first = await until('figures: 2 viewers, 3 messages', () =>
          figures(insA).find((f) => f.currentViewers === 2 && f.chatMessages === 3),
        );
        assert.deepEqual(
          [first.title, first.courseId, first.at, first.attended, first.questions],
          ['Algebra now', 'ca', iso(clock), 3, 1],
        );
        // The attendance items came too, with the session's course.
        await until('attendance items', () =>
          insA.items().filter((i) => i.session?.id === 'ls-now').length === 3 ? true : null,
        );
        assert.deepEqual(
          insA
            .items()
            .filter((i) => i.session?.id === 'ls-now')
            .map((i) => [i.learner.id, i.course.id, i.occurredAt])
            // One request's learners may commit apart (PostgreSQL writers own learners): by time here.
            .sort((x, y) => (x[2] < y[2] ? -1 : 1)),
          [
            ['ana', 'ca', iso(start + MIN)],
            ['ben', 'ca', iso(start + 2 * MIN)],
            ['cy', 'ca', iso(start + 3 * MIN)],
          ],
        );
        // Ben leaves: the figures follow.
        await post([liveEv('live_leave', 'ben', 'ls-now', start + 8 * MIN)]);
        await until('figures: 1 viewer', () => figures(insA).find((f) => f.currentViewers === 1));
        // ins-b teaches Biology only: an item of theirs arrives, no Algebra figures before it.
        await post([progressEv('dee', 'cb-les-3', 100, start + 9 * MIN, 'cb')]);
        await until('ins-b item', () => insB.items().some((i) => i.item?.id === 'cb-les-3'));
        assert.deepEqual(insB.of('live_session'), []);
        assert.deepEqual(
          insB.items().map((i) => i.item?.id),
          ['cb-les-3'],
        );
        insA.close();
        insB.close();
      } finally {
        clock = T + 30 * 24 * H;
      }
    });

    it('a late manual completion before half-way removes the progress_update (stream: removed) and moves the completion (same id)', async () => {
      await post([progressEv('rv', 'rv-1', 60, T + 30 * H)]);
      await post([progressEv('rv', 'rv-1', 100, T + 30 * H + 10 * MIN)]);
      const before = await everything('?userId=rv');
      assert.deepEqual(before.map(brief), [
        ['lesson_completed', 'rv', 'rv-1', null, iso(T + 30 * H + 10 * MIN)],
        ['progress_update', 'rv', 'rv-1', null, iso(T + 30 * H)],
      ]);
      const position = await lastSeq();
      const learner = await open('/feed/stream', bearer(await tok('rv')));
      const other = await open('/feed/stream', bearer(await tok('sy')));
      await until('ready', () => learner.of('ready').length > 0 && other.of('ready').length > 0);
      // Completed by hand before reaching half: half-way no longer came first.
      await post([completeEv('rv', 'rv-1', T + 29 * H)]);
      const after = await everything('?userId=rv');
      assert.deepEqual(after.map(brief), [['lesson_completed', 'rv', 'rv-1', null, iso(T + 29 * H)]]);
      assert.equal(after[0]!.id, before[0]!.id);
      assert.ok(after[0]!.seq > before[0]!.seq);
      assert.deepEqual(after[0]!.data, { how: 'manual' });
      // The stream first says the progress_update went, then sends the revised completion.
      const half = before[1]!;
      // (The stream may also bring the earlier completion: its ready position is where this
      // process's hub stood, which can be behind the database's sequence.)
      const changes = () => learner.events.filter((e) => e.event !== 'ready' && Number(e.id) > position);
      await until('removal and revision', () => changes().length >= 2);
      assert.deepEqual(
        changes().map((e) => [e.event, e.id, JSON.parse(e.data).id]),
        [
          ['removed', String(position + 1), half.id],
          ['item', String(position + 2), after[0]!.id],
        ],
      );
      assert.deepEqual(learner.of('removed'), [{ id: half.id, seq: position + 1, type: 'progress_update' }]);
      // Resuming from before the change gives the same two; another learner is told nothing.
      const resumed = await open('/feed/stream', {
        ...bearer(await tok('rv')),
        'last-event-id': String(position),
      });
      await until('resumed', () => resumed.of('ready').length > 0);
      assert.deepEqual(
        resumed.events.filter((e) => e.event !== 'ready').map((e) => [e.event, e.id]),
        [
          ['removed', String(position + 1)],
          ['item', String(position + 2)],
        ],
      );
      assert.deepEqual(
        other.events.map((e) => e.event),
        ['ready'],
      );
      // Showing the learner's items as the stream tells them ends where GET /feed is.
      assert.deepEqual(
        fold(new Map(before.map((i) => [i.id, i.seq])), learner),
        after.map((i) => [i.id, i.seq]).sort(),
      );
    });

    // ---------- pagination ----------

    it('cursor pagination while items arrive (newer and older): every item that existed appears exactly once', async () => {
      const existing = await everything();
      const start = new Set(existing.map((i) => i.id));
      const oldest = existing.at(-1)!.occurredAt;
      const newest = existing[0]!.occurredAt;
      const seen: Json[] = [];
      let cursor: string | null = null;
      let round = 0;
      do {
        const page: Json = await feed(`?limit=3${cursor ? `&cursor=${enc(cursor)}` : ''}`);
        assert.ok(page.items.length <= 3);
        seen.push(...(page.items as Json[]));
        cursor = page.nextCursor as string | null;
        // Between pages: one newer than everything, one older than everything, one in the middle.
        await post([
          progressEv('pg', `pg-new-${round}`, 100, T + 90 * 24 * H + round * MIN),
          progressEv('pg', `pg-old-${round}`, 100, T - 24 * H - round * MIN),
          progressEv('pg', `pg-mid-${round}`, 100, T + 3 * H + 17 * MIN + round * S),
        ]);
        round++;
        assert.ok(round < 200, 'pagination ends');
      } while (cursor);
      const ids = seen.map((i) => i.id);
      assert.equal(new Set(ids).size, ids.length, 'no item twice');
      for (const id of start) assert.ok(ids.includes(id), `item ${id} was listed`);
      for (let k = 1; k < seen.length; k++)
        assert.ok(newestFirst(seen[k - 1]!, seen[k]!) < 0, 'newest first');
      const subjects = seen.map((i) => i.item?.id as string | undefined);
      // Newer items were above the first page: never listed. Older ones were all still ahead.
      assert.ok(!subjects.some((s) => s?.startsWith('pg-new-')));
      // (The last round's items came after the last page.)
      assert.deepEqual(
        subjects.filter((s) => s?.startsWith('pg-old-')),
        Array.from({ length: round - 1 }, (_, k) => `pg-old-${k}`),
      );
      assert.ok(existing.length > 40);
      assert.ok(
        seen.every(
          (i) => i.occurredAt <= newest && (i.occurredAt >= oldest || i.item?.id.startsWith('pg-old-')),
        ),
      );
    });

    // ---------- the webhook's starting point ----------

    it('webhook: turned on over an existing feed, it starts at the feed’s end (no history), unsigned without a secret', async () => {
      const receiver = new Receiver();
      await receiver.listen();
      const delivery = new WebhookDelivery(t.server.db, { url: receiver.url, baseDelayMs: 10 });
      try {
        assert.ok((await count(t, 'SELECT count(*)::int AS n FROM feed_items')) > 40);
        delivery.start(100);
        const end = await lastSeq();
        await until('cursor', async () =>
          (await count(t, 'SELECT last_seq::int AS n FROM webhook_cursor')) === end ? true : null,
        );
        await post([progressEv('eve', 'wh-start', 100, T + 50 * H)]);
        await until('delivery', () => receiver.okFor('wh-start').length === 1);
        assert.deepEqual(
          receiver.got.map((g) => subjectOf(g.item)),
          ['wh-start'],
        );
        assert.equal(receiver.got[0]!.headers['x-learnpulse-signature'], undefined);
      } finally {
        await delivery.stop();
        await receiver.down();
      }
    });

    // ---------- replay ----------

    it('replay leaves feed_items identical, seq included, and the sequence where it was', async () => {
      const db = t.server.db;
      const snapshot = async () =>
        JSON.stringify(
          await db.query(
            `SELECT id, source, producer, seq::text AS seq, type, occurred_at, user_id, course_id, item_id, session_id, data::text AS data, removed
             FROM feed_items ORDER BY id`,
          ),
        );
      const before = await snapshot();
      const seq = await lastSeq();
      assert.ok((await count(t, 'SELECT count(*)::int AS n FROM feed_items')) > 60);
      await replay(db, PROJECTIONS);
      assert.equal(await snapshot(), before);
      assert.equal(await lastSeq(), seq);
    });
  });

  // ---------- the catalog landing after the events ----------

  describe('feed: the catalog landing after the events (SPEC §1: reconciled when the catalog lands)', () => {
    let t: TestApp;
    const api = apiClient(() => t);
    const post = async (events: Json[]) => {
      const r = await api.post('/events', { events });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual((r.json() as Json).rejected, []);
    };
    const put = async (url: string, body: Json) => {
      const r = await api.put(url, body);
      assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
    };
    const items = async (query = '', auth?: string) => {
      const r = await api.get(`/feed?limit=200${query}`, auth);
      assert.equal(r.statusCode, 200, r.body);
      return (r.json() as Json).items as Json[];
    };
    const about = async (subject: string) => (await items()).filter((i) => subjectOf(i) === subject);
    let baseUrl = '';
    const streams: Sse[] = [];
    const stream = async (headers: Record<string, string> = {}) => {
      const s = await Sse.open(`${baseUrl}/api/v1/feed/stream`, {
        authorization: `Bearer ${API_KEY}`,
        ...headers,
      });
      streams.push(s);
      await until('ready', () => s.of('ready').length > 0);
      return s;
    };
    let initial: Json[] = [];
    let live: Sse;

    before(async () => {
      t = await startTestApp(engine);
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      await put('/users/lx', { displayName: 'Lex' });
      await put('/courses/lc', {
        title: 'Later',
        instructorIds: ['ins-l'],
        settings: { completionThreshold: 40 },
      });
      // Events for items and a session the catalog does not know yet.
      await post([
        progressEv('lx', 'l-vid', 100, T + MIN, 'lc'),
        progressEv('lx', 'l-quiz', 100, T + 2 * MIN, 'lc'),
        base('lesson_progress', 'lx', T + 3 * MIN, { itemId: 'l-nocourse', value: 100 }),
        liveEv('live_join', 'lx', 'l-live', T + 4 * MIN),
      ]);
      // A learner who reached 45 %: complete under the course's 40 % threshold, never half-way.
      await post([progressEv('lx', 'l-45', 45, T + 5 * MIN, 'lc')]);
      initial = await items();
      live = await stream();
    });
    after(async () => {
      for (const s of streams) s.close();
      await t?.close();
    });

    it('before the catalog: unknown items complete as lessons, in the event’s course or none', async () => {
      assert.deepEqual(
        (await items()).map((i) => [i.type, subjectOf(i), i.course?.id ?? null]),
        [
          ['lesson_completed', 'l-45', 'lc'],
          ['live_session_attended', 'l-live', null],
          ['lesson_completed', 'l-nocourse', null],
          ['lesson_completed', 'l-quiz', 'lc'],
          ['lesson_completed', 'l-vid', 'lc'],
        ],
      );
    });

    it('an item declared a video: its lesson_completed becomes a video_completed at the same time', async () => {
      await put('/courses/lc/items', {
        items: [
          { id: 'l-vid', type: 'video', title: 'Later video', position: 1, durationSec: 100 },
          { id: 'l-nocourse', type: 'lesson', title: 'Now in a course', position: 3 },
        ],
      });
      assert.deepEqual(
        (await about('l-vid')).map((i) => [i.type, i.occurredAt]),
        [['video_completed', iso(T + MIN)]],
      );
      // An item whose events named no course takes its catalog course.
      assert.deepEqual(
        (await about('l-nocourse')).map((i) => [i.type, i.course?.id]),
        [['lesson_completed', 'lc']],
      );
    });

    it('an item declared a quiz: no completion item remains (assessments are told by their attempts)', async () => {
      await put('/courses/lc/items', {
        items: [{ id: 'l-quiz', type: 'quiz', title: 'Later quiz', position: 2 }],
      });
      assert.deepEqual(
        (await about('l-quiz')).map((i) => i.type),
        [],
      );
    });

    it('a live session declared with a course: the attendance item is in that course, for its instructor too', async () => {
      await put('/live-sessions/l-live', {
        title: 'Later live',
        courseId: 'lc',
        instructorId: 'ins-x',
        scheduledStart: iso(T),
        scheduledEnd: iso(T + H),
      });
      assert.deepEqual(
        (await about('l-live')).map((i) => [i.type, i.course?.id ?? null, i.session?.title]),
        [['live_session_attended', 'lc', 'Later live']],
      );
      const teacher = await t.token('ins-l', 'instructor');
      assert.deepEqual(
        (await items('&courseId=lc', teacher)).filter((i) => i.type === 'live_session_attended').length,
        1,
      );
    });

    it('a course threshold raised above what a learner reached: the completion goes', async () => {
      await put('/courses/lc', {
        title: 'Later',
        instructorIds: ['ins-l'],
        settings: { completionThreshold: 90 },
      });
      assert.deepEqual(
        (await about('l-45')).map((i) => i.type),
        [],
      );
    });

    it('the stream told each change: what a client showed, with the removals applied, is what GET /feed lists', async () => {
      const now = (await items()).map((i) => [i.id, i.seq]).sort();
      const gone = initial.filter((i) => !now.some(([id]) => id === i.id));
      // l-vid's lesson_completed (now a video_completed), l-quiz's and l-45's completions.
      assert.deepEqual(gone.map((i) => [i.type, subjectOf(i)]).sort(), [
        ['lesson_completed', 'l-45'],
        ['lesson_completed', 'l-quiz'],
        ['lesson_completed', 'l-vid'],
      ]);
      const [{ last }] = (await t.server.db.query<{ last: number }>(
        'SELECT last::int AS last FROM feed_sequence',
      )) as [{ last: number }];
      await until('the last change', () => live.events.some((e) => Number(e.id) >= last));
      assert.deepEqual(fold(new Map(initial.map((i) => [i.id, i.seq])), live), now);
      assert.deepEqual(
        live
          .of('removed')
          .map((r) => r.id)
          .sort(),
        gone.map((i) => i.id).sort(),
      );
      // A client resuming from the very start, with nothing shown, ends in the same place.
      const resumed = await stream({ 'last-event-id': '0' });
      assert.deepEqual(fold(new Map(), resumed), now);
    });

    it('replay then finds the feed as it is, removals included', async () => {
      const snapshot = async () =>
        JSON.stringify(
          await t.server.db.query(
            `SELECT id, seq::text AS seq, type, occurred_at, user_id, course_id, item_id, session_id, data::text AS data, removed
             FROM feed_items ORDER BY id`,
          ),
        );
      const before = await snapshot();
      await replay(t.server.db, PROJECTIONS);
      assert.equal(await snapshot(), before);
    });
  });

  // ---------- a stalled client ----------

  describe('feed stream: a client that falls behind', () => {
    let t: TestApp;
    let baseUrl = '';
    const api = apiClient(() => t);
    const streams: Sse[] = [];
    before(async () => {
      t = await startTestApp(engine, { LEARNPULSE_FEED_MAX_BUFFER_BYTES: '2048' });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      assert.equal((await api.put('/users/ru', { displayName: 'R. Reader' })).statusCode, 200);
    });
    after(async () => {
      for (const s of streams) s.close();
      await t?.close();
    });

    it('is told to resync and disconnected; resuming from the resync point loses and repeats nothing', async () => {
      const open = async (headers: Record<string, string>, read = true) => {
        const s = await Sse.open(
          `${baseUrl}/api/v1/feed/stream`,
          { authorization: `Bearer ${API_KEY}`, ...headers },
          read,
        );
        streams.push(s);
        return s;
      };
      const stalled = await open({}, false);
      const N = 40;
      const events = Array.from({ length: N }, (_, k) =>
        progressEv('ru', `rs-${String(k).padStart(2, '0')}`, 100, T + k * MIN, 'rc'),
      );
      for (let i = 0; i < N; i += 20) {
        const r = await api.post('/events', { events: events.slice(i, i + 20) });
        assert.equal(r.statusCode, 200, r.body);
      }
      // Only now does the client read: what was sent, then `resync`, then the end of the stream.
      stalled.start();
      await until('the server ends the stream', () => stalled.ended, 10_000);
      assert.equal(stalled.error, undefined);
      const names = stalled.events.map((e) => e.event);
      assert.equal(names[0], 'ready');
      assert.equal(names.at(-1), 'resync');
      const resync = stalled.of('resync')[0]!;
      assert.equal(resync.reason, 'too_far_behind');
      const got = stalled.items().map((i) => i.seq);
      assert.ok(got.length < N, 'it did not get everything');
      assert.deepEqual(
        got,
        got.map((_, k) => k + 1),
      );
      assert.equal(resync.lastEventId, got.at(-1) ?? 0);

      // Reconnecting with the resync's Last-Event-ID (as often as told to) delivers the rest, once.
      const all = [...got];
      let from = resync.lastEventId as number;
      for (let tries = 0; tries < N + 1 && all.length < N; tries++) {
        const s = await open({ 'last-event-id': String(from) });
        await until('ready or resync', () => s.of('ready').length > 0 || s.ended, 10_000);
        const seqs = s.items().map((i) => i.seq);
        assert.ok(seqs.length > 0 || s.of('ready').length > 0, 'each connection makes progress');
        all.push(...seqs);
        from = all.at(-1) ?? from;
        s.close();
      }
      assert.deepEqual(
        all,
        Array.from({ length: N }, (_, k) => k + 1),
      );
    });
  });

  // ---------- the webhook ----------

  describe('notification webhook', () => {
    const SECRET = 'whsec-test-0123456789';
    let t: TestApp;
    const receiver = new Receiver();
    const api = apiClient(() => t);
    const post = async (events: Json[]) => {
      const r = await api.post('/events', { events });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual((r.json() as Json).rejected, []);
    };
    const delivered = async () => count(t, 'SELECT last_seq::int AS n FROM webhook_cursor');
    const lastMilestone = async () =>
      count(
        t,
        `SELECT coalesce(max(seq), 0)::int AS n FROM feed_items WHERE type IN ('lesson_completed', 'video_completed', 'certification_issued')
           OR (type = 'exam_attempt' AND (data->>'passed')::boolean)`,
      );
    /** Waits until delivery has handled every milestone committed so far. */
    const caughtUp = async (ms = 15_000) => {
      const target = await lastMilestone();
      await until('webhook delivery', async () => ((await delivered()) >= target ? true : null), ms);
    };

    before(async () => {
      await receiver.listen();
      t = await startTestApp(engine, {
        LEARNPULSE_WEBHOOK_URL: receiver.url,
        LEARNPULSE_WEBHOOK_SECRET: SECRET,
      });
      const put = async (url: string, body: Json) =>
        assert.equal((await api.put(url, body)).statusCode, 200, url);
      await put('/users/wa', { displayName: 'Wanda' });
      await put('/courses/wc', { title: 'Webhooks', instructorIds: ['ins-w'] });
      await put('/courses/wc/items', {
        items: [
          { id: 'w-les', type: 'lesson', title: 'Hooks', position: 1 },
          { id: 'w-vid', type: 'video', title: 'Hook video', position: 2, durationSec: 10 },
          { id: 'w-quiz', type: 'quiz', title: 'Hook quiz', position: 3 },
        ],
      });
      await put('/live-sessions/w-live', {
        title: 'Hook live',
        courseId: 'wc',
        instructorId: 'ins-w',
        scheduledStart: iso(T),
        scheduledEnd: iso(T + H),
      });
    });
    after(async () => {
      receiver.release();
      await t?.close();
      await receiver.down();
    });

    it('delivers milestone items only (completions, certificates, passed attempts), signed, with their headers', async () => {
      await post([
        progressEv('wa', 'w-les', 60, T + MIN, 'wc'),
        progressEv('wa', 'w-les', 100, T + 2 * MIN, 'wc'),
        base('video_heartbeat', 'wa', T + 3 * MIN, {
          courseId: 'wc',
          itemId: 'w-vid',
          data: { positionSec: 10, durationSec: 10, segments: [[0, 10]] },
        }),
        quizEv('wa', 'w-quiz', 'q1', T + 4 * MIN, 3, false),
        quizEv('wa', 'w-quiz', 'q2', T + 5 * MIN, 8, true),
        liveEv('live_join', 'wa', 'w-live', T + 6 * MIN),
        certEv('wa', 'W-CERT', 'wc', T + 7 * MIN),
      ]);
      await caughtUp();
      const feed = ((await api.get('/feed?limit=200')).json() as Json).items as Json[];
      const types = feed.map((i) => i.type).sort();
      assert.deepEqual(types, [
        'certification_issued',
        'exam_attempt',
        'exam_attempt',
        'lesson_completed',
        'live_session_attended',
        'progress_update',
        'video_completed',
      ]);
      assert.ok(receiver.got.every((g) => g.status === 200));
      assert.deepEqual(
        receiver.got.map((g) => [g.item.type, subjectOf(g.item), g.item.data.attemptId ?? null]),
        [
          ['lesson_completed', 'w-les', null],
          ['video_completed', 'w-vid', null],
          ['exam_attempt', 'w-quiz', 'q2'],
          ['certification_issued', 'W-CERT', null],
        ],
      );
      for (const g of receiver.got) {
        const h = g.headers;
        assert.equal(h['content-type'], 'application/json');
        assert.equal(h['user-agent'], 'learnpulse-webhook');
        assert.equal(h['x-learnpulse-item'], g.item.id);
        assert.equal(h['x-learnpulse-type'], g.item.type);
        const ts = String(h['x-learnpulse-timestamp']);
        assert.match(ts, /^\d+$/);
        assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 300);
        const mac = createHmac('sha256', SECRET).update(`${ts}.${g.body}`).digest('hex');
        assert.equal(h['x-learnpulse-signature'], `sha256=${mac}`);
        const wrong = createHmac('sha256', 'another-secret').update(`${ts}.${g.body}`).digest('hex');
        assert.notEqual(h['x-learnpulse-signature'], `sha256=${wrong}`);
        // The body is the item as GET /feed tells it.
        assert.deepEqual(
          g.item,
          feed.find((i) => i.id === g.item.id),
        );
        assert.deepEqual(Object.keys(JSON.parse(g.body) as Json), ['item']);
      }
    });

    it('retries a 500 (twice) until accepted, then delivers the next item: in order, nothing lost', async () => {
      const mark = receiver.got.length;
      receiver.respond = (item, nth) => ({ status: subjectOf(item) === 'w-500' && nth <= 2 ? 500 : 200 });
      await post([progressEv('wa', 'w-500', 100, T + 10 * MIN, 'wc')]);
      await post([progressEv('wa', 'w-after-500', 100, T + 11 * MIN, 'wc')]);
      await until('w-after-500', () => receiver.okFor('w-after-500').length === 1, 20_000);
      assert.deepEqual(
        receiver.got.slice(mark).map((g) => [subjectOf(g.item), g.status]),
        [
          ['w-500', 500],
          ['w-500', 500],
          ['w-500', 200],
          ['w-after-500', 200],
        ],
      );
      const tries = receiver.got.slice(mark, mark + 3);
      assert.equal(new Set(tries.map((g) => g.body)).size, 1, 'the same body each time');
    });

    it('honours 429 with Retry-After: 0 (retried at once)', async () => {
      const mark = receiver.got.length;
      receiver.respond = (item, nth) =>
        subjectOf(item) === 'w-429' && nth === 1
          ? { status: 429, headers: { 'retry-after': '0' } }
          : { status: 200 };
      await post([progressEv('wa', 'w-429', 100, T + 12 * MIN, 'wc')]);
      await until('w-429', () => receiver.okFor('w-429').length === 1);
      assert.deepEqual(
        receiver.got.slice(mark).map((g) => [subjectOf(g.item), g.status]),
        [
          ['w-429', 429],
          ['w-429', 200],
        ],
      );
    });

    it('gives an item up on a 400 and moves on to the next', async () => {
      const mark = receiver.got.length;
      receiver.respond = (item) => ({ status: subjectOf(item) === 'w-400' ? 400 : 200 });
      await post([
        progressEv('wa', 'w-400', 100, T + 13 * MIN, 'wc'),
        progressEv('wa', 'w-after-400', 100, T + 14 * MIN, 'wc'),
      ]);
      await until('w-after-400', () => receiver.okFor('w-after-400').length === 1);
      await caughtUp();
      assert.deepEqual(
        receiver.got.slice(mark).map((g) => [subjectOf(g.item), g.status]),
        [
          ['w-400', 400],
          ['w-after-400', 200],
        ],
      );
    });

    it('ingestion answers 200 while the receiver hangs or is down; the item arrives once it is back', async () => {
      receiver.respond = (item) => (subjectOf(item) === 'w-hang' ? 'hang' : { status: 200 });
      await post([progressEv('wa', 'w-hang', 100, T + 15 * MIN, 'wc')]);
      await until('the hanging request', () => receiver.got.some((g) => subjectOf(g.item) === 'w-hang'));
      // Delivery is stuck on the receiver: ingestion is not.
      await post([progressEv('wa', 'w-behind-hang', 100, T + 16 * MIN, 'wc')]);
      assert.equal(receiver.okFor('w-behind-hang').length, 0);
      receiver.release(200);
      await until('w-behind-hang', () => receiver.okFor('w-behind-hang').length === 1);

      receiver.respond = () => ({ status: 200 });
      const port = receiver.port;
      await receiver.down();
      await post([progressEv('wa', 'w-down', 100, T + 17 * MIN, 'wc')]);
      const listed = (await api.get('/feed?types=lesson_completed&limit=200')).json() as Json;
      assert.ok((listed.items as Json[]).some((i) => i.item?.id === 'w-down'));
      await receiver.listen(port);
      await until('w-down after the receiver is back', () => receiver.okFor('w-down').length === 1, 30_000);
      await caughtUp();
    });

    it('over everything: each milestone delivered once in feed order, except the refused one', async () => {
      await caughtUp();
      const milestones = await t.server.db.query<{ id: string; seq: number }>(
        `SELECT id, seq::int AS seq FROM feed_items WHERE type IN ('lesson_completed', 'video_completed', 'certification_issued')
           OR (type = 'exam_attempt' AND (data->>'passed')::boolean) ORDER BY seq`,
      );
      const accepted = receiver.got.filter((g) => g.status === 200);
      assert.deepEqual(
        accepted.map((g) => g.item.id),
        milestones
          .map((m) => m.id)
          .filter((id) => !receiver.got.some((g) => g.status === 400 && g.item.id === id)),
      );
      assert.deepEqual(
        accepted.map((g) => g.item.seq),
        [...accepted.map((g) => g.item.seq as number)].sort((a, b) => a - b),
      );
    });
  });
});
