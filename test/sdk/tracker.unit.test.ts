// The tracker core with a fake clock, storage and server: batching triggers, retries with
// backoff, Retry-After, token refresh, what is dropped (only what the server calls invalid, and
// the cap's evictions) and persistence across page loads — every event arrives exactly once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type EventStore, memoryStore, type StoredEvent } from '../../sdk/src/store.js';
import { KEEPALIVE_BYTES, Tracker, type TrackerOptions } from '../../sdk/src/tracker.js';
import type { DroppedEvent } from '../../sdk/src/types.js';
import { fakeClock, fakeServer, memoryKv, settle } from './fakes.js';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** A JWT-shaped token (the tracker reads, never verifies, its claims). */
const jwt = (sub: string, exp?: number) =>
  `${b64({ alg: 'HS256' })}.${b64({ sub, ...(exp ? { exp } : {}) })}.sig`;

function setup(
  options: Partial<TrackerOptions> = {},
  shared?: { store: EventStore; kv: ReturnType<typeof memoryKv> },
) {
  const clock = fakeClock();
  const server = fakeServer();
  const store = shared?.store ?? memoryStore();
  const kv = shared?.kv ?? memoryKv();
  const dropped: DroppedEvent[] = [];
  const make = (opts: Partial<TrackerOptions> = options) =>
    new Tracker(
      {
        endpoint: 'https://lp.test/',
        token: jwt('u1'),
        courseId: 'c1',
        onDrop: (d) => dropped.push(...d),
        ...opts,
      },
      { ...clock, random: () => 0.5, fetch: server.fetch, store, kv, rescueKey: 'rescue' },
    );
  return { clock, server, store, kv, dropped, make };
}

describe('tracker: batching', () => {
  it('sends every 10 s, at 50 unsent events, and at once for completions and submissions', async () => {
    const { clock, server, make } = setup();
    const t = make();
    await t.ready;
    for (let i = 0; i < 3; i++) t.track('heartbeat', { data: { activeSec: 30 } });
    await clock.advance(9_900);
    assert.equal(server.requests.length, 0, 'nothing before 10 s');
    await clock.advance(100);
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]!.events.length, 3);
    assert.equal(server.requests[0]!.init.headers.authorization, `Bearer ${jwt('u1')}`);

    for (let i = 0; i < 50; i++) t.track('scroll_depth', { value: i });
    await settle();
    assert.equal(server.requests.length, 2, 'the 50th event sends at once');
    assert.equal(server.requests[1]!.events.length, 50);

    t.track('quiz_submit', { itemId: 'q1', data: { attemptId: 'a1', score: 1, maxScore: 2 } });
    await settle();
    assert.equal(server.requests.length, 3, 'a submission goes at once');
    assert.equal(t.pending, 0);
    assert.equal(server.stored.size, 54);
  });

  it('gives each event a UUID v7 at creation, the init course, the learner from the token at send time', async () => {
    const { server, make } = setup();
    const t = make();
    const e = t.track('course_visit');
    assert.match(e.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(e.courseId, 'c1');
    assert.equal(e.occurredAt, '2026-05-01T10:00:00.000Z');
    await t.flush();
    assert.deepEqual(server.stored.get(e.id), { ...e, userId: 'u1' });
  });

  it('posts to /api/v1/events under the endpoint, or to a full events URL as given', async () => {
    const { clock, server } = setup();
    const urls: string[] = [];
    for (const endpoint of ['https://lp.test', 'https://lp.test/api/v1/events']) {
      const t = new Tracker(
        { endpoint, token: 't' },
        {
          ...clock,
          random: () => 0,
          store: memoryStore(),
          fetch: (url, init) => {
            urls.push(url);
            return server.fetch(url, init);
          },
        },
      );
      t.track('x-a');
      await t.flush();
    }
    assert.deepEqual(urls, ['https://lp.test/api/v1/events', 'https://lp.test/api/v1/events']);
  });
});

describe('tracker: never losing an event', () => {
  it('offline, then a reload, then back online: every event arrives exactly once, in creation order', async () => {
    const first = setup();
    first.server.down = true;
    const page1 = first.make();
    await page1.ready;
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push(page1.track('x-step', { value: i }).id);
      await first.clock.advance(3_000);
    }
    await first.clock.advance(60_000);
    const attempts = first.server.requests.length;
    assert.ok(attempts >= 3, `retried while offline (${attempts} tries)`);
    assert.equal(first.server.stored.size, 0);
    page1.flushOnHide(); // the page closes: the keepalive request fails too
    await page1.stop();

    // The next page load, on the same storage, with the network back.
    const second = setup({}, { store: first.store, kv: first.kv });
    const page2 = second.make();
    ids.push(page2.track('x-after-reload').id);
    await page2.ready;
    assert.equal(page2.pending, 13, 'the stored events are back');
    assert.equal(await page2.flush(), 0);
    assert.deepEqual([...second.server.stored.keys()], ids, 'all of them, once, oldest first');
    assert.equal((await first.store.load()).length, 0, 'storage is emptied once acknowledged');
  });

  it('backs off exponentially with jitter while the server fails, and honours Retry-After', async () => {
    const { clock, server, make } = setup();
    server.answer = () => server.reply(503, { error: { code: 'internal_error' } });
    const times: number[] = [];
    const fetch = server.fetch;
    server.fetch = async (u, i) => {
      times.push(clock.now());
      return fetch(u, i);
    };
    const t = make();
    t.track('lesson_complete', { itemId: 'l1' });
    await clock.advance(40_000);
    const gaps = times.slice(1).map((x, i) => x - times[i]!);
    // random() is 0.5: each wait is 3/4 of its step (1 s, 2 s, 4 s, …).
    assert.deepEqual(gaps.slice(0, 4), [750, 1500, 3000, 6000]);

    server.answer = () => server.reply(429, { error: { code: 'rate_limited' } }, { 'retry-after': '120' });
    const before = times.length;
    while (times.length === before) await clock.advance(1_000);
    const limitedAt = times[before]!;
    await t.flush();
    await clock.advance(limitedAt + 119_000 - clock.now());
    assert.equal(times.length, before + 1, 'no request, flush() included, before Retry-After has passed');
    server.answer = undefined;
    await clock.advance(2_000);
    assert.equal(times.length, before + 2);
    assert.equal(t.pending, 0);
    assert.equal(server.stored.size, 1);
  });

  it('flush() and the online signal skip a backoff wait', async () => {
    const { clock, server, make } = setup();
    server.down = true;
    const t = make();
    t.track('lesson_complete', { itemId: 'l1' });
    await clock.advance(20_000); // several failures: the next try is seconds away
    server.down = false;
    const tries = server.requests.length;
    assert.equal(await t.flush(), 0);
    assert.equal(server.requests.length, tries + 1);
    server.down = true;
    t.track('lesson_complete', { itemId: 'l2' });
    await clock.advance(20_000);
    server.down = false;
    t.retryNow();
    await settle();
    assert.equal(t.pending, 0);
  });

  it('a lost answer is harmless: the resent events are duplicates on the server', async () => {
    const { server, make } = setup();
    let lose = true;
    const fetch = server.fetch;
    server.fetch = async (u, i) => {
      const res = await fetch(u, i);
      if (lose) {
        lose = false;
        throw new TypeError('connection reset after the server committed');
      }
      return res;
    };
    const t = make();
    const e = t.track('lesson_complete', { itemId: 'l1' });
    await settle();
    t.retryNow();
    await settle();
    assert.equal(t.pending, 0);
    assert.equal(server.requests.length, 2);
    assert.deepEqual([...server.stored.keys()], [e.id]);
  });

  it('drops only what the server rejects as invalid, and reports it', async () => {
    const { server, make, dropped, store } = setup();
    server.invalidTypes.add('x-bad');
    const t = make();
    const good = t.track('x-good');
    const bad = t.track('x-bad');
    assert.equal(await t.flush(), 0);
    assert.deepEqual([...server.stored.keys()], [good.id]);
    assert.deepEqual(dropped, [{ event: bad, code: 'invalid_data', message: 'bad data' }]);
    assert.equal((await store.load()).length, 0);
  });

  it('splits a request refused whole (too large, malformed) until each event goes through or is isolated', async () => {
    const { server, make, dropped } = setup();
    server.answer = ({ events }) => {
      if (events.length > 8)
        return server.reply(413, { error: { code: 'too_many_events', message: 'at most 8' } });
      if (events.some((e) => e.type === 'x-poison'))
        return server.reply(400, { error: { code: 'invalid_body', message: 'cannot read' } });
      return undefined;
    };
    const t = make();
    const ids = [];
    for (let i = 0; i < 30; i++) ids.push(t.track(i === 17 ? 'x-poison' : 'x-ok', { value: i }).id);
    assert.equal(await t.flush(), 0);
    assert.equal(server.stored.size, 29);
    assert.deepEqual(
      dropped.map((d) => [d.event.id, d.code]),
      [[ids[17], 'invalid_body']],
    );
    assert.ok(server.requests.length < 20, `${server.requests.length} requests`);
  });

  it('caps the buffer: the oldest unimportant events go first, reported as buffer_full', async () => {
    const { server, make, dropped, store } = setup({ maxBufferedEvents: 4 });
    server.down = true;
    const t = make();
    const h = [t.track('heartbeat'), t.track('heartbeat')];
    const done = t.track('lesson_complete', { itemId: 'l1' });
    t.track('heartbeat');
    t.track('heartbeat');
    t.track('scroll_depth', { value: 50 });
    await t.stop();
    assert.deepEqual(
      dropped.map((d) => [d.event.id, d.code]),
      [
        [h[0]!.id, 'buffer_full'],
        [h[1]!.id, 'buffer_full'],
      ],
    );
    const kept = (await store.load()).map((r) => r.id);
    assert.equal(kept.length, 4);
    assert.ok(kept.includes(done.id));
  });
});

describe('tracker: tokens and learners', () => {
  it('on a 401 asks getToken for a new token and sends again at once', async () => {
    const { server, make } = setup();
    const tokens = [jwt('u1', 1), jwt('u1')];
    let calls = 0;
    server.answer = ({ init }) =>
      init.headers.authorization === `Bearer ${tokens[0]}`
        ? server.reply(401, { error: { code: 'token_expired' } })
        : undefined;
    const t = make({ token: undefined, getToken: async () => tokens[Math.min(calls++, 1)]! });
    t.track('lesson_complete', { itemId: 'l1' });
    await t.ready;
    assert.equal(await t.flush(), 0);
    assert.equal(server.stored.size, 1);
    assert.equal(calls, 2);
  });

  it('refreshes a token about to expire before sending', async () => {
    const { server, make, clock } = setup();
    const soon = Math.floor(clock.now() / 1000) + 10;
    let calls = 0;
    const t = make({
      token: jwt('u1', soon),
      getToken: () => {
        calls++;
        return jwt('u1');
      },
    });
    t.track('x-a');
    await t.flush();
    assert.equal(calls, 1);
    assert.equal(server.requests[0]!.init.headers.authorization, `Bearer ${jwt('u1')}`);
  });

  it('without getToken, a 401 keeps the events and retries later', async () => {
    const { server, make, clock } = setup();
    server.answer = () => server.reply(401, { error: { code: 'token_expired' } });
    const t = make();
    t.track('lesson_complete', { itemId: 'l1' });
    await clock.advance(5_000);
    assert.equal(t.pending, 1);
    server.answer = undefined;
    await clock.advance(60_000);
    assert.equal(t.pending, 0);
  });

  it('leaves another learner’s stored events alone, and files events made before the first token under it', async () => {
    const shared = { store: memoryStore(), kv: memoryKv() };
    const a = setup({}, shared);
    a.server.down = true;
    const pageA = a.make({ token: jwt('alice') });
    const fromAlice = pageA.track('x-a');
    await pageA.stop();

    const b = setup({}, shared);
    let release!: (t: string) => void;
    const pageB = b.make({ token: undefined, getToken: () => new Promise((r) => (release = r)) });
    const early = pageB.track('x-b');
    await settle();
    const stored = async () => new Map((await shared.store.load()).map((r: StoredEvent) => [r.id, r.u]));
    assert.equal((await stored()).get(early.id), null, 'stored at once, learner not known yet');
    release(jwt('bob'));
    await pageB.ready;
    assert.equal(await pageB.flush(), 0);
    assert.deepEqual([...b.server.stored.keys()], [early.id], 'Bob sends only his own');
    assert.equal(b.server.stored.get(early.id)!.userId, 'bob');
    assert.equal((await stored()).get(fromAlice.id), 'alice', 'Alice’s event waits for her');

    const c = setup({}, shared);
    const pageA2 = c.make({ token: jwt('alice') });
    assert.equal(await pageA2.flush(), 0);
    assert.deepEqual([...c.server.stored.keys()], [fromAlice.id]);
  });
});

describe('tracker: page hide', () => {
  it('sends one keepalive request within 60 kB and removes nothing until it is answered', async () => {
    const { server, make, store } = setup();
    server.down = true;
    const t = make();
    for (let i = 0; i < 400; i++) t.track('x-note', { data: { text: 'x'.repeat(200) } });
    await settle();
    const before = server.requests.length;
    t.flushOnHide();
    await settle();
    const hide = server.requests[before]!;
    assert.equal(hide.init.keepalive, true);
    assert.ok(Buffer.byteLength(hide.init.body) <= KEEPALIVE_BYTES);
    assert.ok(hide.events.length > 100 && hide.events.length < 400, `${hide.events.length} events`);
    assert.equal((await store.load()).length, 400, 'a failed keepalive removes nothing');

    server.down = false;
    t.flushOnHide();
    await settle();
    assert.equal(
      t.pending,
      400 - server.stored.size,
      'an answered keepalive request acknowledges its events',
    );
    await t.stop();
    assert.equal((await store.load()).length, 400 - server.stored.size);
  });

  it('rescues events whose storage write had not finished into localStorage, and the next page sends them', async () => {
    const slow: EventStore = {
      load: async () => [],
      put: () => new Promise(() => {}),
      remove: async () => {},
    };
    const kv = memoryKv();
    const first = setup({}, { store: slow, kv });
    first.server.down = true;
    const page1 = first.make();
    const e = page1.track('lesson_complete', { itemId: 'l1' });
    await settle();
    page1.flushOnHide();
    assert.ok(kv.map.get('rescue')?.includes(e.id), 'copied synchronously on hide');

    const store = memoryStore();
    const second = setup({}, { store, kv });
    const page2 = second.make();
    assert.equal(await page2.flush(), 0);
    assert.deepEqual([...second.server.stored.keys()], [e.id]);
    assert.equal(kv.map.has('rescue'), false, 'the rescue is moved into the store, then cleared');
  });
});

describe('tracker: the learner’s own time zone', () => {
  it('is saved with PUT /me/timezone once per learner and zone; a failure is reported and tried again', async () => {
    const clock = fakeClock();
    const kv = memoryKv();
    const calls: { url: string; method: string; body: string; auth: string | undefined }[] = [];
    let status = 404;
    const errors: unknown[] = [];
    const t = new Tracker(
      { endpoint: 'https://lp.test/', token: jwt('u1'), onError: (e) => errors.push(e) },
      {
        ...clock,
        random: () => 0.5,
        store: memoryStore(),
        kv,
        rescueKey: 'rescue',
        fetch: async (url, init) => {
          calls.push({ url, method: init.method, body: init.body, auth: init.headers.authorization });
          return { status, headers: { get: () => null }, text: async () => '{}' };
        },
      },
    );
    await t.sendTimeZone('Europe/Paris');
    assert.equal(errors.length, 1, 'a user not yet in the catalog: 404, reported');
    status = 200;
    await t.sendTimeZone('Europe/Paris');
    await t.sendTimeZone('Europe/Paris');
    assert.deepEqual(
      calls.map((c) => [c.url, c.method, c.body, c.auth]),
      [
        ['https://lp.test/api/v1/me/timezone', 'PUT', '{"timezone":"Europe/Paris"}', `Bearer ${jwt('u1')}`],
        ['https://lp.test/api/v1/me/timezone', 'PUT', '{"timezone":"Europe/Paris"}', `Bearer ${jwt('u1')}`],
      ],
      'tried again after the failure, then remembered',
    );
    await t.sendTimeZone('Asia/Tokyo');
    assert.equal(calls.length, 3, 'a new zone is sent');
    assert.equal(kv.map.get('learnpulse:tz:u1'), 'Asia/Tokyo');
    await t.stop();
  });
});
