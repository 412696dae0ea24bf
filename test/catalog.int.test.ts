import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  event,
  startTestApp,
  type TestApp,
  count,
  catalogSnapshot,
  apiClient,
  type Reply,
} from './support/app.js';
import { forEachEngine } from './support/engines.js';
import { prng } from '../src/demo/random.js';

type Json = Record<string, unknown>;
interface PageBody<T> {
  items: T[];
  nextCursor: string | null;
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const DEFAULT_SETTINGS = {
  completionThreshold: 90,
  engagementWeights: { visits: 40, timeOnTask: 30, videoWatched: 15, scrollDepth: 15 },
  atRiskInactivityDays: 7,
  atRiskProgressGap: 30,
  atRiskFailedAttempts: 2,
  atRiskActivityDrop: 50,
  engagementTracking: true,
};

/** Checks the two timestamps every catalog resource carries and returns the rest. */
function stamped(resource: unknown): Json {
  const { createdAt, updatedAt, ...rest } = resource as Json;
  assert.match(String(createdAt), ISO_MS);
  assert.match(String(updatedAt), ISO_MS);
  assert.ok(Date.parse(String(updatedAt)) >= Date.parse(String(createdAt)));
  return rest;
}

function errorCode(res: Reply): string {
  return (res.json() as { error: { code: string } }).error.code;
}

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const rnd = prng(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const pad = (n: number) => String(n).padStart(2, '0');

function api(t: () => TestApp) {
  const base = apiClient(t);
  const { send } = base;
  return {
    ...base,
    /** PUT that must succeed; returns the JSON answer. */
    async ok(url: string, payload?: unknown): Promise<Json> {
      const res = await send('PUT', url, payload);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as Json;
    },
    /**
     * Walks a list page by page; `onPage` runs after each page (to insert rows between pages).
     * Checks that every page but the last is full and that the walk ends.
     */
    async walk<T>(
      url: string,
      limit: number,
      opts: { auth?: string; onPage?: (page: T[], index: number) => Promise<void> } = {},
    ): Promise<{ items: T[]; pages: number }> {
      const items: T[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const sep = url.includes('?') ? '&' : '?';
        const query: string = `${sep}limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
        const res = await send('GET', `${url}${query}`, undefined, opts.auth);
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json() as PageBody<T>;
        assert.ok(body.items.length <= limit, `page ${pages} has ${body.items.length} > ${limit} items`);
        if (body.nextCursor !== null)
          assert.equal(body.items.length, limit, `page ${pages} is short but not last`);
        items.push(...body.items);
        cursor = body.nextCursor;
        await opts.onPage?.(body.items, pages);
        pages++;
        assert.ok(pages <= 1000, 'the walk does not end');
      } while (cursor !== null);
      return { items, pages };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Local days, computed independently of src/: Intl.formatToParts in en-US (src formats en-CA).
const partFormatters = new Map<string, Intl.DateTimeFormat>();
function bruteLocalDay(instant: string, timeZone: string): string {
  let f = partFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
    partFormatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return `${parts.year}-${pad(Number(parts.month))}-${pad(Number(parts.day))}`;
}

interface DailyRow {
  course_id: string;
  day: string;
  active_ms: number;
  visits: number;
}

/** daily_activity rows of a learner as the brute force predicts them, in (course, day) order. */
function bruteDaily(events: readonly Json[], timeZone: string): DailyRow[] {
  const byKey = new Map<string, DailyRow>();
  for (const e of events) {
    if (e.type !== 'heartbeat' && e.type !== 'course_visit') continue;
    const day = bruteLocalDay(e.occurredAt as string, timeZone);
    const key = `${e.courseId}|${day}`;
    const row = byKey.get(key) ?? { course_id: e.courseId as string, day, active_ms: 0, visits: 0 };
    if (e.type === 'heartbeat') {
      const sec = (e.data as { activeSec?: number } | undefined)?.activeSec ?? 30;
      row.active_ms += Math.round(sec * 1000);
    } else {
      row.visits += 1;
    }
    byKey.set(key, row);
  }
  return [...byKey.values()].sort((a, b) =>
    a.course_id < b.course_id
      ? -1
      : a.course_id > b.course_id
        ? 1
        : a.day < b.day
          ? -1
          : a.day > b.day
            ? 1
            : 0,
  );
}

async function dailyRows(t: TestApp, userId: string): Promise<DailyRow[]> {
  return t.server.db.query<DailyRow & Json>(
    `SELECT course_id, to_char(day, 'YYYY-MM-DD') AS day, active_ms::int AS active_ms, visits
     FROM daily_activity WHERE user_id = $1 ORDER BY course_id, day`,
    [userId],
  );
}

forEachEngine((engine) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(engine);
  });
  after(() => t.close());
  const a = api(() => t);

  describe('users', () => {
    it('PUT /users/:id is idempotent, answers in camelCase, and GET returns the same user', async () => {
      const body = { displayName: 'Ana Lima', email: 'ana@example.org', timezone: 'America/Sao_Paulo' };
      const first = await a.ok('/users/usr-ana', body);
      const second = await a.ok('/users/usr-ana', body);
      const expected = {
        id: 'usr-ana',
        displayName: 'Ana Lima',
        email: 'ana@example.org',
        timezone: 'America/Sao_Paulo',
      };
      assert.deepEqual(stamped(first), expected);
      assert.deepEqual(stamped(second), expected);
      assert.equal(second.createdAt, first.createdAt);
      const got = await a.get('/users/usr-ana');
      assert.equal(got.statusCode, 200);
      assert.deepEqual(got.json(), second);
      assert.equal(await count(t, 'SELECT count(*)::int AS n FROM users WHERE id = $1', ['usr-ana']), 1);
    });

    it('fills the defaults (email null, timezone UTC) and a PUT replaces the whole user', async () => {
      assert.deepEqual(stamped(await a.ok('/users/usr-min', { displayName: 'Min' })), {
        id: 'usr-min',
        displayName: 'Min',
        email: null,
        timezone: 'UTC',
      });
      const created = await a.ok('/users/usr-min', {
        displayName: 'Min Two',
        email: 'min@example.org',
        timezone: 'Asia/Tokyo',
      });
      assert.deepEqual(stamped(created), {
        id: 'usr-min',
        displayName: 'Min Two',
        email: 'min@example.org',
        timezone: 'Asia/Tokyo',
      });
      const replaced = await a.ok('/users/usr-min', { displayName: 'Min Three' });
      assert.deepEqual(stamped(replaced), {
        id: 'usr-min',
        displayName: 'Min Three',
        email: null,
        timezone: 'UTC',
      });
      assert.equal(replaced.createdAt, created.createdAt);
    });

    it('bulk PUT /users upserts every entry once, idempotently', async () => {
      const items = [
        { id: 'usr-bulk-b', displayName: 'B', timezone: 'Europe/Paris' },
        { id: 'usr-bulk-a', displayName: 'A', email: 'a@example.org' },
        { id: 'usr-bulk-c', displayName: 'C', email: null },
      ];
      for (let k = 0; k < 2; k++) assert.deepEqual(await a.ok('/users', { items }), { upserted: 3 });
      assert.equal(await count(t, "SELECT count(*)::int AS n FROM users WHERE id LIKE 'usr-bulk-%'"), 3);
      const byId = (id: string) => a.get(`/users/${id}`).then((r) => stamped(r.json()));
      assert.deepEqual(await byId('usr-bulk-a'), {
        id: 'usr-bulk-a',
        displayName: 'A',
        email: 'a@example.org',
        timezone: 'UTC',
      });
      assert.deepEqual(await byId('usr-bulk-b'), {
        id: 'usr-bulk-b',
        displayName: 'B',
        email: null,
        timezone: 'Europe/Paris',
      });
      assert.deepEqual(await byId('usr-bulk-c'), {
        id: 'usr-bulk-c',
        displayName: 'C',
        email: null,
        timezone: 'UTC',
      });
      assert.deepEqual(await a.ok('/users', { items: [] }), { upserted: 0 });
    });

    it('GET /users lists every user in id order, the same users GET /users/:id returns', async () => {
      const { items } = await a.walk<Json>('/users', 500);
      const ids = items.map((u) => u.id as string);
      const inDb = await t.server.db.query<{ id: string }>('SELECT id FROM users ORDER BY id');
      assert.deepEqual(
        ids,
        inDb.map((r) => r.id),
      );
      for (const id of ['usr-ana', 'usr-bulk-a', 'usr-bulk-b', 'usr-bulk-c', 'usr-min'])
        assert.ok(ids.includes(id), id);
      const ana = items.find((u) => u.id === 'usr-ana');
      assert.deepEqual(ana, (await a.get('/users/usr-ana')).json());
    });

    it('accepts ids of up to 128 characters in every path', async () => {
      // Guards a fixed bug, where Fastify's maxParamLength (100) answers 414 in its own error format.
      const id = (c: string) => c.repeat(128);
      const ok = async (url: string, payload?: unknown) => {
        const res = await a.put(url, payload);
        assert.equal(res.statusCode, 200, `${url.slice(0, 40)}…: ${res.body.slice(0, 200)}`);
        return res.json() as Json;
      };
      assert.equal((await ok(`/users/${id('u')}`, { displayName: 'Long' })).id, id('u'));
      assert.equal((await ok(`/courses/${id('c')}`, { title: 'Long' })).id, id('c'));
      assert.equal(
        (await ok(`/courses/${id('c')}/items/${id('i')}`, { type: 'page', title: 'Long' })).id,
        id('i'),
      );
      assert.equal((await ok(`/courses/${id('c')}/enrollments/${id('u')}`, {})).userId, id('u'));
      const times = { scheduledStart: '2026-06-01T10:00:00Z', scheduledEnd: '2026-06-01T11:00:00Z' };
      assert.equal(
        (await ok(`/live-sessions/${id('s')}`, { title: 'Long', instructorId: id('u'), ...times })).id,
        id('s'),
      );
      assert.equal((await ok(`/live-sessions/${id('s')}/registrations/${id('u')}`)).userId, id('u'));
      for (const url of [
        `/users/${id('u')}`,
        `/courses/${id('c')}/items/${id('i')}`,
        `/live-sessions/${id('s')}`,
      ]) {
        const res = await a.get(url);
        assert.equal(res.statusCode, 200, url.slice(0, 40));
      }
    });

    it('GET of an unknown user is 404 not_found', async () => {
      const res = await a.get('/users/usr-nobody');
      assert.equal(res.statusCode, 404);
      assert.equal(errorCode(res), 'not_found');
    });
  });

  describe('courses', () => {
    it('PUT /courses/:id fills the default settings, is idempotent, and GET returns it', async () => {
      const body = { code: 'BIO-101', title: 'Biology', instructorIds: ['ins-1', 'ins-2'] };
      const first = await a.ok('/courses/crs-bio', body);
      const second = await a.ok('/courses/crs-bio', body);
      const expected = {
        id: 'crs-bio',
        code: 'BIO-101',
        title: 'Biology',
        instructorIds: ['ins-1', 'ins-2'],
        settings: DEFAULT_SETTINGS,
      };
      assert.deepEqual(stamped(first), expected);
      assert.deepEqual(stamped(second), expected);
      assert.equal(second.createdAt, first.createdAt);
      const got = await a.get('/courses/crs-bio');
      assert.equal(got.statusCode, 200);
      assert.deepEqual(got.json(), second);
      assert.equal(await count(t, 'SELECT count(*)::int AS n FROM courses WHERE id = $1', ['crs-bio']), 1);
    });

    it('keeps given settings, fills the missing ones, and keeps unknown settings', async () => {
      const partial = await a.ok('/courses/crs-set', {
        title: 'Settings',
        settings: { completionThreshold: 75 },
      });
      assert.deepEqual(stamped(partial), {
        id: 'crs-set',
        code: null,
        title: 'Settings',
        instructorIds: [],
        settings: { ...DEFAULT_SETTINGS, completionThreshold: 75 },
      });
      const weights = { visits: 10, timeOnTask: 20, videoWatched: 30, scrollDepth: 40 };
      const full = await a.ok('/courses/crs-set', {
        title: 'Settings',
        settings: { engagementWeights: weights, atRiskInactivityDays: 14, futureKnob: 'on' },
      });
      assert.deepEqual(full.settings, {
        ...DEFAULT_SETTINGS,
        engagementWeights: weights,
        atRiskInactivityDays: 14,
        futureKnob: 'on',
      });
      assert.deepEqual((await a.get('/courses/crs-set')).json(), full);
      assert.equal(full.createdAt, partial.createdAt);
    });

    it('GET /courses lists every course in id order for the API key', async () => {
      const { items } = await a.walk<Json>('/courses', 500);
      const inDb = await t.server.db.query<{ id: string }>('SELECT id FROM courses ORDER BY id');
      assert.deepEqual(
        items.map((c) => c.id),
        inDb.map((r) => r.id),
      );
      assert.deepEqual(
        items.find((c) => c.id === 'crs-bio'),
        (await a.get('/courses/crs-bio')).json(),
      );
    });

    it('GET of an unknown course is 404 not_found', async () => {
      const res = await a.get('/courses/crs-nope');
      assert.equal(res.statusCode, 404);
      assert.equal(errorCode(res), 'not_found');
    });
  });

  describe('items', () => {
    it('PUT /courses/:c/items/:i is idempotent, answers in camelCase, and GET returns the item', async () => {
      await a.ok('/courses/crs-items', { title: 'Items' });
      const body = {
        type: 'video',
        title: 'Intro',
        position: 2,
        durationSec: 612.5,
        completionThreshold: 95,
      };
      const first = await a.ok('/courses/crs-items/items/itm-video', body);
      const second = await a.ok('/courses/crs-items/items/itm-video', body);
      const expected = {
        id: 'itm-video',
        courseId: 'crs-items',
        type: 'video',
        title: 'Intro',
        position: 2,
        durationSec: 612.5,
        completionThreshold: 95,
        requiredQuizId: null,
      };
      assert.deepEqual(stamped(first), expected);
      assert.deepEqual(stamped(second), expected);
      assert.equal(second.createdAt, first.createdAt);
      const got = await a.get('/courses/crs-items/items/itm-video');
      assert.equal(got.statusCode, 200);
      assert.deepEqual(got.json(), second);
      assert.equal(await count(t, 'SELECT count(*)::int AS n FROM items WHERE id = $1', ['itm-video']), 1);
    });

    it('bulk PUT items upserts once and GET lists them in course order (position, then id)', async () => {
      const items = [
        { id: 'itm-quiz', type: 'quiz', title: 'Quiz', position: 1 },
        { id: 'itm-b-page', type: 'page', title: 'Page B', position: 0 },
        { id: 'itm-a-lesson', type: 'lesson', title: 'Lesson A', position: 1, requiredQuizId: 'itm-quiz' },
        { id: 'itm-assign', type: 'assignment', title: 'Homework' },
      ];
      for (let k = 0; k < 2; k++)
        assert.deepEqual(await a.ok('/courses/crs-items/items', { items }), { upserted: 4 });
      const { items: listed } = await a.walk<Json>('/courses/crs-items/items', 500);
      assert.deepEqual(
        listed.map((i) => [i.id, i.position]),
        [
          ['itm-assign', 0],
          ['itm-b-page', 0],
          ['itm-a-lesson', 1],
          ['itm-quiz', 1],
          ['itm-video', 2],
        ],
      );
      assert.deepEqual(stamped(listed[2]), {
        id: 'itm-a-lesson',
        courseId: 'crs-items',
        type: 'lesson',
        title: 'Lesson A',
        position: 1,
        durationSec: null,
        completionThreshold: null,
        requiredQuizId: 'itm-quiz',
      });
      assert.equal(await count(t, "SELECT count(*)::int AS n FROM items WHERE course_id = 'crs-items'"), 5);
    });

    it('an item read through another course, or an unknown item, is 404', async () => {
      await a.ok('/courses/crs-items-2', { title: 'Other' });
      for (const url of ['/courses/crs-items-2/items/itm-video', '/courses/crs-items/items/itm-nope']) {
        const res = await a.get(url);
        assert.equal(res.statusCode, 404, url);
        assert.equal(errorCode(res), 'not_found');
      }
      const unknownCourse = await a.get('/courses/crs-nope/items');
      assert.equal(unknownCourse.statusCode, 404);
      assert.equal(errorCode(unknownCourse), 'not_found');
    });
  });

  describe('enrollments', () => {
    it('PUT/GET/DELETE one enrollment: idempotent, defaults student/active, 204 then 404', async () => {
      await a.ok('/courses/crs-enr', { title: 'Enrollments' });
      const first = await a.ok('/courses/crs-enr/enrollments/usr-e1', {});
      const second = await a.ok('/courses/crs-enr/enrollments/usr-e1', {});
      const expected = { courseId: 'crs-enr', userId: 'usr-e1', role: 'student', active: true };
      assert.deepEqual(stamped(first), expected);
      assert.deepEqual(stamped(second), expected);
      assert.equal(second.createdAt, first.createdAt);
      assert.deepEqual((await a.get('/courses/crs-enr/enrollments/usr-e1')).json(), second);
      const changed = await a.ok('/courses/crs-enr/enrollments/usr-e1', { role: 'ta', active: false });
      assert.deepEqual(stamped(changed), { ...expected, role: 'ta', active: false });
      assert.equal(
        await count(t, "SELECT count(*)::int AS n FROM enrollments WHERE course_id = 'crs-enr'"),
        1,
      );

      const removed = await a.del('/courses/crs-enr/enrollments/usr-e1');
      assert.equal(removed.statusCode, 204);
      assert.equal(removed.body, '');
      const gone = await a.get('/courses/crs-enr/enrollments/usr-e1');
      assert.equal(gone.statusCode, 404);
      assert.equal(errorCode(gone), 'not_found');
      const again = await a.del('/courses/crs-enr/enrollments/usr-e1');
      assert.equal(again.statusCode, 404);
      assert.equal(errorCode(again), 'not_found');
      assert.equal(
        await count(t, "SELECT count(*)::int AS n FROM enrollments WHERE course_id = 'crs-enr'"),
        0,
      );
    });

    it('bulk PUT enrollments upserts once and GET lists the roster in user order', async () => {
      const items = [
        { userId: 'usr-e3', role: 'instructor' },
        { userId: 'usr-e2' },
        { userId: 'usr-e4', role: 'ta', active: false },
      ];
      for (let k = 0; k < 2; k++)
        assert.deepEqual(await a.ok('/courses/crs-enr/enrollments', { items }), { upserted: 3 });
      const { items: roster } = await a.walk<Json>('/courses/crs-enr/enrollments', 500);
      assert.deepEqual(roster.map(stamped), [
        { courseId: 'crs-enr', userId: 'usr-e2', role: 'student', active: true },
        { courseId: 'crs-enr', userId: 'usr-e3', role: 'instructor', active: true },
        { courseId: 'crs-enr', userId: 'usr-e4', role: 'ta', active: false },
      ]);
    });

    it('enrolling into an unknown course is 404 and stores nothing', async () => {
      const before = await catalogSnapshot(t);
      const one = await a.put('/courses/crs-ghost/enrollments/usr-e1', {});
      assert.equal(one.statusCode, 404);
      assert.equal(errorCode(one), 'not_found');
      const bulk = await a.put('/courses/crs-ghost/enrollments', { items: [{ userId: 'usr-e1' }] });
      assert.equal(bulk.statusCode, 404);
      assert.equal(errorCode(bulk), 'not_found');
      assert.equal(await catalogSnapshot(t), before);
    });
  });

  describe('live sessions', () => {
    const session = {
      courseId: 'crs-items',
      title: 'Office hours',
      instructorId: 'ins-1',
      scheduledStart: '2026-06-01T15:00:00+02:00',
      scheduledEnd: '2026-06-01T16:30:00+02:00',
      recordingItemId: 'itm-video',
    };

    it('PUT /live-sessions/:id is idempotent, normalises times to UTC, and GET returns it', async () => {
      const first = await a.ok('/live-sessions/ses-1', session);
      const second = await a.ok('/live-sessions/ses-1', session);
      const expected = {
        id: 'ses-1',
        courseId: 'crs-items',
        title: 'Office hours',
        instructorId: 'ins-1',
        scheduledStart: '2026-06-01T13:00:00.000Z',
        scheduledEnd: '2026-06-01T14:30:00.000Z',
        recordingItemId: 'itm-video',
      };
      assert.deepEqual(stamped(first), expected);
      assert.deepEqual(stamped(second), expected);
      assert.equal(second.createdAt, first.createdAt);
      assert.deepEqual((await a.get('/live-sessions/ses-1')).json(), second);
      assert.equal(await count(t, "SELECT count(*)::int AS n FROM live_sessions WHERE id = 'ses-1'"), 1);

      const bare = await a.ok('/live-sessions/ses-2', {
        title: 'No course',
        instructorId: 'ins-9',
        scheduledStart: '2026-06-02T10:00:00Z',
        scheduledEnd: '2026-06-02T10:00:00Z',
      });
      assert.deepEqual(stamped(bare), {
        id: 'ses-2',
        courseId: null,
        title: 'No course',
        instructorId: 'ins-9',
        scheduledStart: '2026-06-02T10:00:00.000Z',
        scheduledEnd: '2026-06-02T10:00:00.000Z',
        recordingItemId: null,
      });
    });

    it('GET /live-sessions lists newest first (start desc, then id desc)', async () => {
      const { items } = await a.walk<Json>('/live-sessions', 500);
      const inDb = await t.server.db.query<{ id: string }>(
        'SELECT id FROM live_sessions ORDER BY scheduled_start DESC, id DESC',
      );
      assert.deepEqual(
        items.map((s) => s.id),
        inDb.map((r) => r.id),
      );
      const ids = items.map((s) => s.id);
      assert.ok(ids.indexOf('ses-2') < ids.indexOf('ses-1'));
    });

    it('registrations are idempotent (registeredAt kept) and listed in user order', async () => {
      const first = await a.ok('/live-sessions/ses-1/registrations/usr-r2');
      assert.deepEqual(Object.keys(first).sort(), ['registeredAt', 'sessionId', 'userId']);
      assert.equal(first.sessionId, 'ses-1');
      assert.equal(first.userId, 'usr-r2');
      assert.match(String(first.registeredAt), ISO_MS);
      const again = await a.ok('/live-sessions/ses-1/registrations/usr-r2');
      assert.deepEqual(again, first);
      await a.ok('/live-sessions/ses-1/registrations/usr-r1');
      const { items } = await a.walk<Json>('/live-sessions/ses-1/registrations', 500);
      assert.deepEqual(
        items.map((r) => [r.sessionId, r.userId]),
        [
          ['ses-1', 'usr-r1'],
          ['ses-1', 'usr-r2'],
        ],
      );
      assert.deepEqual(items[1], first);
      assert.equal(
        await count(
          t,
          "SELECT count(*)::int AS n FROM live_session_registrations WHERE session_id = 'ses-1'",
        ),
        2,
      );
    });

    it('registering for, or reading, an unknown session is 404', async () => {
      for (const res of [
        await a.put('/live-sessions/ses-ghost/registrations/usr-r1'),
        await a.get('/live-sessions/ses-ghost'),
        await a.get('/live-sessions/ses-ghost/registrations'),
      ]) {
        assert.equal(res.statusCode, 404);
        assert.equal(errorCode(res), 'not_found');
      }
      assert.equal(
        await count(
          t,
          "SELECT count(*)::int AS n FROM live_session_registrations WHERE session_id = 'ses-ghost'",
        ),
        0,
      );
    });

    it('sessions whose start has sub-millisecond precision are all walked (keyset cursor precision)', async () => {
      // Guards a fixed bug, where the cursor keeps the start at millisecond precision while PostgreSQL
      // stores microseconds, so rows in the same millisecond after the first page are skipped.
      const starts = ['000100', '000200', '000300', '000400', '000500'];
      for (const [k, micro] of starts.entries()) {
        await a.ok(`/live-sessions/ses-micro-${k}`, {
          title: `Micro ${k}`,
          instructorId: 'ins-micro',
          scheduledStart: `2027-01-10T09:00:00.${micro}Z`,
          scheduledEnd: '2027-01-10T10:00:00Z',
        });
      }
      const token = await t.token('ins-micro', 'instructor');
      const { items } = await a.walk<Json>('/live-sessions', 2, { auth: token });
      assert.deepEqual(
        items.map((s) => s.id),
        ['ses-micro-4', 'ses-micro-3', 'ses-micro-2', 'ses-micro-1', 'ses-micro-0'],
      );
    });
  });

  describe('validation: refused requests have a stable code and change nothing', () => {
    before(async () => {
      await a.ok('/users/val-user', { displayName: 'Valid', timezone: 'Europe/Berlin' });
      await a.ok('/courses/val-course', { title: 'Valid course', instructorIds: ['ins-v'] });
      await a.ok('/courses/val-course/items/val-item', { type: 'lesson', title: 'Lesson', position: 1 });
      await a.ok('/courses/val-other', { title: 'Other course' });
      await a.ok('/courses/val-other/items/val-other-item', { type: 'quiz', title: 'Quiz' });
      await a.ok('/courses/val-course/enrollments/val-user', { role: 'student' });
      await a.ok('/live-sessions/val-session', {
        title: 'Session',
        instructorId: 'ins-v',
        scheduledStart: '2026-07-01T10:00:00Z',
        scheduledEnd: '2026-07-01T11:00:00Z',
      });
    });

    const long = 'x'.repeat(129);
    const cases: [string, 'PUT' | 'GET', string, unknown, number, string][] = [
      // users
      [
        'a user with an unknown field',
        'PUT',
        '/users/val-user',
        { displayName: 'X', nickname: 'x' },
        400,
        'validation_failed',
      ],
      [
        'a user without displayName',
        'PUT',
        '/users/val-user',
        { email: 'x@example.org' },
        400,
        'validation_failed',
      ],
      ['an empty displayName', 'PUT', '/users/val-user', { displayName: '' }, 400, 'validation_failed'],
      [
        'a displayName that is an object',
        'PUT',
        '/users/val-user',
        { displayName: { first: 'A' } },
        400,
        'validation_failed',
      ],
      // Guards a fixed bug, where Fastify's default coerceTypes turns 42 into "42".
      [
        'a displayName that is a number',
        'PUT',
        '/users/val-user',
        { displayName: 42 },
        400,
        'validation_failed',
      ],
      [
        'an invalid email',
        'PUT',
        '/users/val-user',
        { displayName: 'X', email: 'not-an-email' },
        400,
        'validation_failed',
      ],
      [
        'an unknown time zone',
        'PUT',
        '/users/val-user',
        { displayName: 'X', timezone: 'Mars/Olympus' },
        400,
        'validation_failed',
      ],
      [
        'a new user in an unknown time zone',
        'PUT',
        '/users/val-new',
        { displayName: 'X', timezone: 'Mars/Olympus' },
        400,
        'validation_failed',
      ],
      [
        'a user id of 129 characters',
        'PUT',
        `/users/${long}`,
        { displayName: 'X' },
        400,
        'validation_failed',
      ],
      [
        'a user body that is an array',
        'PUT',
        '/users/val-user',
        [{ displayName: 'X' }],
        400,
        'validation_failed',
      ],
      [
        'a bulk with one unknown time zone',
        'PUT',
        '/users',
        {
          items: [
            { id: 'val-bulk-1', displayName: 'One' },
            { id: 'val-user', displayName: 'Changed' },
            { id: 'val-bulk-2', displayName: 'Two', timezone: 'Mars/Olympus' },
          ],
        },
        400,
        'validation_failed',
      ],
      [
        'a bulk entry without id',
        'PUT',
        '/users',
        { items: [{ displayName: 'No id' }] },
        400,
        'validation_failed',
      ],
      [
        'a bulk entry with an unknown field',
        'PUT',
        '/users',
        { items: [{ id: 'val-bulk-1', displayName: 'A', age: 3 }] },
        400,
        'validation_failed',
      ],
      ['a bulk without items', 'PUT', '/users', { users: [] }, 400, 'validation_failed'],
      // Guards a fixed bug, where a repeated id in one bulk makes PostgreSQL fail -> 500 internal_error.
      [
        'a bulk of users naming one id twice',
        'PUT',
        '/users',
        {
          items: [
            { id: 'val-dup', displayName: 'First' },
            { id: 'val-dup', displayName: 'Second' },
          ],
        },
        400,
        'validation_failed',
      ],
      // courses
      [
        'a course with an unknown field',
        'PUT',
        '/courses/val-course',
        { title: 'T', owner: 'me' },
        400,
        'validation_failed',
      ],
      ['a course without title', 'PUT', '/courses/val-course', { code: 'X' }, 400, 'validation_failed'],
      [
        'repeated instructorIds',
        'PUT',
        '/courses/val-course',
        { title: 'T', instructorIds: ['a', 'a'] },
        400,
        'validation_failed',
      ],
      // Guards a fixed bug, where coerceTypes 'array' turns "ins-v" into ["ins-v"].
      [
        'instructorIds that is a string',
        'PUT',
        '/courses/val-course',
        { title: 'T', instructorIds: 'ins-v' },
        400,
        'validation_failed',
      ],
      [
        'a completionThreshold over 100',
        'PUT',
        '/courses/val-course',
        { title: 'T', settings: { completionThreshold: 101 } },
        400,
        'validation_failed',
      ],
      [
        'atRiskInactivityDays 0',
        'PUT',
        '/courses/val-course',
        { title: 'T', settings: { atRiskInactivityDays: 0 } },
        400,
        'validation_failed',
      ],
      [
        'incomplete engagementWeights',
        'PUT',
        '/courses/val-course',
        { title: 'T', settings: { engagementWeights: { visits: 50, timeOnTask: 50 } } },
        400,
        'validation_failed',
      ],
      [
        'a negative engagement weight',
        'PUT',
        '/courses/val-course',
        {
          title: 'T',
          settings: { engagementWeights: { visits: -1, timeOnTask: 50, videoWatched: 25, scrollDepth: 26 } },
        },
        400,
        'validation_failed',
      ],
      // items
      [
        'an unknown item type',
        'PUT',
        '/courses/val-course/items/val-item',
        { type: 'podcast', title: 'P' },
        400,
        'validation_failed',
      ],
      [
        'an item with an unknown field',
        'PUT',
        '/courses/val-course/items/val-item',
        { type: 'page', title: 'P', colour: 'red' },
        400,
        'validation_failed',
      ],
      [
        'a fractional position',
        'PUT',
        '/courses/val-course/items/val-item',
        { type: 'page', title: 'P', position: 1.5 },
        400,
        'validation_failed',
      ],
      [
        'a negative position',
        'PUT',
        '/courses/val-course/items/val-item',
        { type: 'page', title: 'P', position: -1 },
        400,
        'validation_failed',
      ],
      // Guards a fixed bug, where coerceTypes turns "3" into 3.
      [
        'a position that is a string',
        'PUT',
        '/courses/val-course/items/val-item',
        { type: 'page', title: 'P', position: '3' },
        400,
        'validation_failed',
      ],
      [
        'a durationSec of 0',
        'PUT',
        '/courses/val-course/items/val-item',
        { type: 'video', title: 'V', durationSec: 0 },
        400,
        'validation_failed',
      ],
      [
        'an item id that belongs to another course',
        'PUT',
        '/courses/val-course/items/val-other-item',
        { type: 'quiz', title: 'Stolen' },
        409,
        'item_course_mismatch',
      ],
      [
        'a bulk of new items and one from another course',
        'PUT',
        '/courses/val-course/items',
        {
          items: [
            { id: 'val-new-item', type: 'page', title: 'New' },
            { id: 'val-item', type: 'page', title: 'Changed' },
            { id: 'val-other-item', type: 'quiz', title: 'Stolen' },
          ],
        },
        409,
        'item_course_mismatch',
      ],
      // Guards a fixed bug, where a repeated id in one bulk -> 500 internal_error.
      [
        'a bulk of items naming one id twice',
        'PUT',
        '/courses/val-course/items',
        {
          items: [
            { id: 'val-dup-item', type: 'page', title: 'A' },
            { id: 'val-dup-item', type: 'page', title: 'B' },
          ],
        },
        400,
        'validation_failed',
      ],
      // enrollments
      [
        'an unknown enrollment role',
        'PUT',
        '/courses/val-course/enrollments/val-user',
        { role: 'owner' },
        400,
        'validation_failed',
      ],
      [
        'active that is not a boolean',
        'PUT',
        '/courses/val-course/enrollments/val-user',
        { active: 'yes' },
        400,
        'validation_failed',
      ],
      // Guards a fixed bug, where coerceTypes turns "false" into false.
      [
        'active that is the string "false"',
        'PUT',
        '/courses/val-course/enrollments/val-user',
        { active: 'false' },
        400,
        'validation_failed',
      ],
      [
        'an enrollment with an unknown field',
        'PUT',
        '/courses/val-course/enrollments/val-user',
        { grade: 'A' },
        400,
        'validation_failed',
      ],
      [
        'a bulk enrollment without userId',
        'PUT',
        '/courses/val-course/enrollments',
        { items: [{ role: 'ta' }] },
        400,
        'validation_failed',
      ],
      // Guards a fixed bug, where a repeated userId in one bulk -> 500 internal_error.
      [
        'a bulk of enrollments naming one user twice',
        'PUT',
        '/courses/val-course/enrollments',
        { items: [{ userId: 'val-user', role: 'ta' }, { userId: 'val-user' }] },
        400,
        'validation_failed',
      ],
      // live sessions
      [
        'scheduledEnd before scheduledStart',
        'PUT',
        '/live-sessions/val-session',
        {
          title: 'S',
          instructorId: 'ins-v',
          scheduledStart: '2026-07-01T10:00:00Z',
          scheduledEnd: '2026-07-01T09:59:59Z',
        },
        400,
        'validation_failed',
      ],
      [
        'a start without a time zone',
        'PUT',
        '/live-sessions/val-session',
        {
          title: 'S',
          instructorId: 'ins-v',
          scheduledStart: '2026-07-01T10:00:00',
          scheduledEnd: '2026-07-01T11:00:00Z',
        },
        400,
        'validation_failed',
      ],
      [
        'a session without instructorId',
        'PUT',
        '/live-sessions/val-session',
        { title: 'S', scheduledStart: '2026-07-01T10:00:00Z', scheduledEnd: '2026-07-01T11:00:00Z' },
        400,
        'validation_failed',
      ],
      [
        'a session with an unknown field',
        'PUT',
        '/live-sessions/val-session',
        {
          title: 'S',
          instructorId: 'ins-v',
          scheduledStart: '2026-07-01T10:00:00Z',
          scheduledEnd: '2026-07-01T11:00:00Z',
          room: 'A',
        },
        400,
        'validation_failed',
      ],
      // pagination
      ['limit 0', 'GET', '/users?limit=0', undefined, 400, 'validation_failed'],
      ['limit 501', 'GET', '/courses/val-course/items?limit=501', undefined, 400, 'validation_failed'],
      [
        'a limit that is not a number',
        'GET',
        '/live-sessions?limit=ten',
        undefined,
        400,
        'validation_failed',
      ],
      ['an unknown query parameter', 'GET', '/users?page=2', undefined, 400, 'validation_failed'],
      ['a garbage cursor', 'GET', '/users?cursor=%25%25not-a-cursor%25%25', undefined, 400, 'invalid_cursor'],
      ['a garbage cursor on courses', 'GET', '/courses?cursor=garbage', undefined, 400, 'invalid_cursor'],
      [
        'a cursor of another list (arity)',
        'GET',
        `/courses/val-course/items?cursor=${b64(['val-item'])}`,
        undefined,
        400,
        'invalid_cursor',
      ],
      [
        'a cursor of a JSON object',
        'GET',
        `/courses/val-course/enrollments?cursor=${b64({ id: 1 })}`,
        undefined,
        400,
        'invalid_cursor',
      ],
      // Guards a fixed bug, where well-formed cursors whose keys have the wrong type reach SQL -> 500.
      [
        'an item cursor with a text position',
        'GET',
        `/courses/val-course/items?cursor=${b64(['x', 'y'])}`,
        undefined,
        400,
        'invalid_cursor',
      ],
      [
        'an item cursor with a huge position',
        'GET',
        `/courses/val-course/items?cursor=${b64([1e20, 'y'])}`,
        undefined,
        400,
        'invalid_cursor',
      ],
      [
        'a session cursor that is not a time',
        'GET',
        `/live-sessions?cursor=${b64(['not-a-time', 'y'])}`,
        undefined,
        400,
        'invalid_cursor',
      ],
    ];
    for (const [what, method, url, payload, status, code] of cases) {
      it(`refuses ${what} (${status} ${code})`, async () => {
        const before = await catalogSnapshot(t);
        const res = method === 'GET' ? await a.get(url) : await a.put(url, payload);
        assert.equal(res.statusCode, status, res.body);
        assert.equal(errorCode(res), code, res.body);
        const err = (res.json() as { error: { message: unknown } }).error;
        assert.equal(typeof err.message, 'string');
        assert.equal(await catalogSnapshot(t), before);
      });
    }

    it('names the clashing item and its course in item_course_mismatch', async () => {
      const res = await a.put('/courses/val-course/items/val-other-item', { type: 'quiz', title: 'Stolen' });
      assert.equal(res.statusCode, 409);
      assert.deepEqual((res.json() as { error: { details: unknown } }).error.details, {
        itemId: 'val-other-item',
        courseId: 'val-other',
      });
    });

    it('refuses a body that is not JSON as invalid_json, changing nothing', async () => {
      const before = await catalogSnapshot(t);
      const res = (await t.request({
        method: 'PUT',
        url: '/api/v1/users/val-user',
        headers: { 'content-type': 'application/json' },
        payload: '{"displayName": "X"',
      })) as Reply;
      assert.equal(res.statusCode, 400);
      assert.equal(errorCode(res), 'invalid_json');
      assert.equal(await catalogSnapshot(t), before);
    });
  });

  describe('reconciliation: events before their learner, then time zone changes', () => {
    const learner = 'tz-learner';
    const bystander = 'tz-bystander';
    const hb = (occurredAt: string, activeSec: number, courseId = 'tz-edge') =>
      event({ userId: learner, courseId, occurredAt, type: 'heartbeat', data: { activeSec } });
    const visit = (occurredAt: string, courseId = 'tz-edge') =>
      event({ userId: learner, courseId, occurredAt, type: 'course_visit', data: undefined });

    // Instants around local midnights, with the DST end in Auckland (2026-04-05 03:00 NZDT)
    // and in November (NZDT +13, PST -8). Powers of two tell which events share a day.
    const edge = [
      hb('2026-04-04T10:59:59Z', 1),
      hb('2026-04-04T11:00:00Z', 2),
      hb('2026-04-05T11:30:00Z', 4),
      hb('2026-04-05T12:00:00Z', 8),
      hb('2026-11-20T10:59:59Z', 16),
      hb('2026-11-20T11:00:00Z', 32),
      hb('2026-11-21T07:59:59Z', 64),
      hb('2026-11-21T08:00:00Z', 128),
      hb('2026-11-20T23:30:00Z', 256),
      visit('2026-04-04T11:00:00Z'),
      visit('2026-11-20T23:30:00Z'),
    ];
    const row = (day: string, sec: number, visits = 0): DailyRow => ({
      course_id: 'tz-edge',
      day,
      active_ms: sec * 1000,
      visits,
    });
    // Worked out by hand from the offsets, independently of Intl.
    const expectedEdge: Record<string, DailyRow[]> = {
      UTC: [
        row('2026-04-04', 3, 1),
        row('2026-04-05', 12),
        row('2026-11-20', 304, 1),
        row('2026-11-21', 192),
      ],
      'Pacific/Auckland': [
        row('2026-04-04', 1),
        row('2026-04-05', 6, 1),
        row('2026-04-06', 8),
        row('2026-11-20', 16),
        row('2026-11-21', 480, 1),
      ],
      'America/Los_Angeles': [
        row('2026-04-04', 3, 1),
        row('2026-04-05', 12),
        row('2026-11-20', 368, 1),
        row('2026-11-21', 128),
      ],
      'Asia/Kolkata': [
        row('2026-04-04', 3, 1),
        row('2026-04-05', 12),
        row('2026-11-20', 48),
        row('2026-11-21', 448, 1),
      ],
    };

    // Many heartbeats and visits scattered over two weeks, most of them within 90 minutes of a UTC
    // hour where some zone's midnight falls.
    const rnd = prng(20_261_120);
    const scattered = Array.from({ length: 300 }, () => {
      const base = Date.UTC(2026, 10, 14) + Math.floor(rnd() * 14) * 86_400_000;
      const hour = [11, 12, 8, 18, 0][Math.floor(rnd() * 5)]! * 3_600_000;
      const at = new Date(base + hour + Math.floor((rnd() - 0.5) * 3 * 3_600_000)).toISOString();
      const courseId = rnd() < 0.5 ? 'tz-rand-a' : 'tz-rand-b';
      return rnd() < 0.2 ? visit(at, courseId) : hb(at, Math.round(rnd() * 600) / 10 || 30, courseId);
    });
    const bystanderEvents = [
      event({
        userId: bystander,
        courseId: 'tz-edge',
        occurredAt: '2026-11-20T11:00:00Z',
        data: { activeSec: 7 },
      }),
    ];
    const sent: Json[] = [];

    async function send(events: Json[]): Promise<void> {
      for (let i = 0; i < events.length; i += 200) {
        const res = await a.post('/events', { events: events.slice(i, i + 200) });
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual(res.json(), {
          accepted: Math.min(200, events.length - i),
          duplicates: 0,
          rejected: [],
        });
      }
      sent.push(...events.filter((e) => e.userId === learner));
    }

    async function assertDays(timeZone: string): Promise<void> {
      const rows = await dailyRows(t, learner);
      assert.deepEqual(rows, bruteDaily(sent, timeZone), `daily_activity in ${timeZone}`);
      assert.deepEqual(
        rows.filter((r) => r.course_id === 'tz-edge'),
        expectedEdge[timeZone],
        `hand-checked days in ${timeZone}`,
      );
      assert.deepEqual(await dailyRows(t, bystander), [
        { course_id: 'tz-edge', day: '2026-11-20', active_ms: 7000, visits: 0 },
      ]);
    }

    it('the brute force agrees with the hand-checked days', () => {
      for (const [zone, rows] of Object.entries(expectedEdge))
        assert.deepEqual(bruteDaily(edge, zone), rows, zone);
    });

    it('counts events of an unknown learner on UTC days', async () => {
      assert.equal(await count(t, 'SELECT count(*)::int AS n FROM users WHERE id = $1', [learner]), 0);
      await send([...edge.slice(0, 6), ...scattered.slice(0, 150), ...bystanderEvents]);
      // The rest of the edge events come later; check only what was sent.
      const rows = await dailyRows(t, learner);
      assert.deepEqual(rows, bruteDaily(sent, 'UTC'));
      assert.deepEqual(
        rows.filter((r) => r.course_id === 'tz-edge'),
        [row('2026-04-04', 3), row('2026-04-05', 12), row('2026-11-20', 48)],
      );
    });

    it('moves them to Pacific/Auckland days when the learner lands, and counts new events there', async () => {
      await a.ok(`/users/${learner}`, { displayName: 'Kiri', timezone: 'Pacific/Auckland' });
      assert.deepEqual(await dailyRows(t, learner), bruteDaily(sent, 'Pacific/Auckland'));
      await send([...edge.slice(6), ...scattered.slice(150)]);
      await assertDays('Pacific/Auckland');
    });

    it('an identical PUT leaves the days as they are', async () => {
      await a.ok(`/users/${learner}`, { displayName: 'Kiri', timezone: 'Pacific/Auckland' });
      await assertDays('Pacific/Auckland');
    });

    it('a refused PUT leaves the days as they are', async () => {
      const res = await a.put(`/users/${learner}`, { displayName: 'Kiri', timezone: 'Mars/Olympus' });
      assert.equal(res.statusCode, 400);
      await assertDays('Pacific/Auckland');
    });

    it('moves them again when the time zone changes (single and bulk PUT)', async () => {
      await a.ok(`/users/${learner}`, { displayName: 'Kiri', timezone: 'America/Los_Angeles' });
      await assertDays('America/Los_Angeles');
      const bulk = await a.ok('/users', {
        items: [{ id: learner, displayName: 'Kiri', timezone: 'Asia/Kolkata' }],
      });
      assert.deepEqual(bulk, { upserted: 1 });
      await assertDays('Asia/Kolkata');
    });

    it('moves them back to UTC days when the time zone is set to UTC or dropped', async () => {
      // Guards a fixed bug, where upsertUsers' "previous" CTE never sees the existing row (FOR UPDATE skips
      // a row the same statement updates), so a change *to* UTC is taken for "unchanged".
      await a.ok(`/users/${learner}`, { displayName: 'Kiri', timezone: 'UTC' });
      await assertDays('UTC');
      await a.ok(`/users/${learner}`, { displayName: 'Kiri', timezone: 'Asia/Kolkata' });
      await assertDays('Asia/Kolkata');
      await a.ok(`/users/${learner}`, { displayName: 'Kiri' });
      await assertDays('UTC');
    });

    it('events sent while the learner’s time zone changes still land on their local days', async () => {
      // Guards a fixed bug (PostgreSQL only), where the time-zone replay and a concurrent ingest are not
      // serialised, so events may stay on UTC days or be counted twice.
      const wrong: string[] = [];
      for (let round = 0; round < 40; round++) {
        const userId = `tz-race-${round}`;
        const events = Array.from({ length: 40 }, (_, i) =>
          event({
            userId,
            courseId: 'tz-race',
            occurredAt: new Date(Date.UTC(2026, 10, 20, 10, 30) + i * 60_000).toISOString(),
            data: { activeSec: 10 },
          }),
        );
        const answers = await Promise.all([
          ...[0, 1, 2, 3].map((k) => a.post('/events', { events: events.slice(k * 10, k * 10 + 10) })),
          a.put(`/users/${userId}`, { displayName: 'Racer', timezone: 'Pacific/Auckland' }),
        ]);
        for (const res of answers) assert.equal(res.statusCode, 200, res.body);
        const rows = await dailyRows(t, userId);
        // 10:30–11:09 UTC is 23:30–00:09 NZDT: 30 heartbeats on the 20th, 10 on the 21st.
        const expected = [
          { course_id: 'tz-race', day: '2026-11-20', active_ms: 300_000, visits: 0 },
          { course_id: 'tz-race', day: '2026-11-21', active_ms: 100_000, visits: 0 },
        ];
        if (JSON.stringify(rows) !== JSON.stringify(expected))
          wrong.push(`round ${round}: ${JSON.stringify(rows)}`);
      }
      assert.deepEqual(wrong, []);
    });
  });

  describe('cursor pagination', () => {
    // A database of its own, so that lists hold exactly the rows made here.
    let p: TestApp;
    before(async () => {
      p = await startTestApp(engine);
    });
    after(() => p.close());
    const b = api(() => p);

    const N = 25;
    const userIds = Array.from({ length: N }, (_, i) => `pg-u${pad(i)}`);
    const courseIds = Array.from({ length: N }, (_, i) => `pg-c${pad(i)}`);
    // Positions with ties, ids out of position order: the order is (position, id).
    const items = Array.from({ length: N }, (_, i) => ({ id: `pg-i${pad((i * 7) % N)}`, position: i % 6 }));
    const itemOrder = [...items]
      .sort((x, y) => x.position - y.position || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
      .map((i) => i.id);
    // Starts with ties (five sessions per start): the order is (start desc, id desc).
    const sessions = Array.from({ length: N }, (_, i) => ({
      id: `pg-s${pad((i * 11) % N)}`,
      start: new Date(Date.UTC(2026, 8, 1 + (i % 5), 9)).toISOString(),
    }));
    const sessionKey = (s: { start: string; id: string }) => `${s.start}|${s.id}`;
    const sessionOrder = [...sessions]
      .sort((x, y) => (sessionKey(x) < sessionKey(y) ? 1 : -1))
      .map((s) => s.id);
    const sorted = (xs: readonly string[]) => [...xs].sort();

    before(async () => {
      assert.deepEqual(
        await b.ok('/users', { items: shuffled(userIds, 1).map((id) => ({ id, displayName: id })) }),
        { upserted: N },
      );
      for (const id of shuffled(courseIds, 2)) await b.ok(`/courses/${id}`, { title: id });
      assert.deepEqual(
        await b.ok('/courses/pg-c00/items', {
          items: shuffled(items, 3).map((i) => ({ ...i, type: 'page', title: i.id })),
        }),
        { upserted: N },
      );
      assert.deepEqual(
        await b.ok('/courses/pg-c00/enrollments', {
          items: shuffled(userIds, 4).map((userId) => ({ userId })),
        }),
        { upserted: N },
      );
      for (const s of shuffled(sessions, 5)) {
        await b.ok(`/live-sessions/${s.id}`, {
          title: s.id,
          instructorId: 'pg-ins',
          scheduledStart: s.start,
          scheduledEnd: s.start,
        });
      }
      for (const u of shuffled(userIds, 6)) await b.ok(`/live-sessions/pg-s00/registrations/${u}`);
    });

    const lists: [string, string, (x: Json) => string, () => string[]][] = [
      ['users', '/users', (u) => u.id as string, () => sorted(userIds)],
      ['courses', '/courses', (c) => c.id as string, () => sorted(courseIds)],
      ['items', '/courses/pg-c00/items', (i) => i.id as string, () => itemOrder],
      ['enrollments', '/courses/pg-c00/enrollments', (e) => e.userId as string, () => sorted(userIds)],
      ['live sessions', '/live-sessions', (s) => s.id as string, () => sessionOrder],
      [
        'registrations',
        '/live-sessions/pg-s00/registrations',
        (r) => r.userId as string,
        () => sorted(userIds),
      ],
    ];

    for (const [name, url, idOf, expected] of lists) {
      it(`walks ${name} 3 at a time: every row once, in order, nextCursor null at the end`, async () => {
        const whole = await b.walk<Json>(url, 500);
        assert.deepEqual(whole.items.map(idOf), expected());
        assert.equal(whole.pages, 1);
        for (const limit of [1, 3, 7, 25, 26]) {
          const walked = await b.walk<Json>(url, limit);
          assert.deepEqual(walked.items, whole.items, `limit ${limit}`);
          assert.equal(walked.pages, Math.max(1, Math.ceil(N / limit)), `pages at limit ${limit}`);
        }
      });
    }

    it('a list that is a multiple of the limit ends without an empty page', async () => {
      const { items: seen, pages } = await b.walk<Json>('/users', 5);
      assert.equal(seen.length, N);
      assert.equal(pages, 5);
    });

    it('an empty list is one page with nextCursor null', async () => {
      for (const url of [
        '/courses/pg-c01/items?limit=3',
        '/courses/pg-c01/enrollments?limit=3',
        '/live-sessions/pg-s01/registrations?limit=3',
      ]) {
        const res = await b.get(url);
        assert.equal(res.statusCode, 200, url);
        assert.deepEqual(res.json(), { items: [], nextCursor: null }, url);
      }
    });

    /**
     * Walks a list while `insert` adds rows after each of the first pages. Rows that existed at the
     * start must all come once, in order; a new row comes iff it sorts after the last row seen
     * when it was inserted (keyset pagination).
     */
    async function walkWhileInserting<K>(
      url: string,
      initial: K[],
      keyOf: (row: Json) => K,
      cmp: (x: K, y: K) => number,
      insert: (index: number) => Promise<K[]>,
    ): Promise<void> {
      const added: { key: K; after: K }[] = [];
      const { items: walked } = await b.walk<Json>(url, 3, {
        async onPage(page, index) {
          if (page.length === 0) return;
          const last = keyOf(page[page.length - 1]!);
          for (const key of await insert(index)) added.push({ key, after: last });
        },
      });
      const expected = [...initial, ...added.filter((x) => cmp(x.key, x.after) > 0).map((x) => x.key)].sort(
        cmp,
      );
      const keys = walked.map(keyOf);
      assert.deepEqual(keys, expected);
      assert.ok(added.some((x) => cmp(x.key, x.after) > 0) && added.some((x) => cmp(x.key, x.after) < 0));
    }

    const byString = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

    it('does not skip or repeat users while new users are inserted between pages', async () => {
      await walkWhileInserting(
        '/users',
        sorted(userIds),
        (u) => u.id as string,
        byString,
        async (index) => {
          if (index >= 6) return [];
          // One id before everything seen so far, one among the rows still to come, one at the end.
          const ids = [`pg-a${index}`, `pg-u${pad(index * 4 + 2)}x`, `pg-z${index}`];
          await b.ok('/users', { items: ids.map((id) => ({ id, displayName: id })) });
          return ids;
        },
      );
    });

    it('does not skip or repeat items while new items are inserted between pages', async () => {
      type Key = [number, string];
      const initial = items.map((i): Key => [i.position, i.id]);
      const cmp = (x: Key, y: Key) => x[0] - y[0] || byString(x[1], y[1]);
      await walkWhileInserting<Key>(
        '/courses/pg-c00/items',
        initial.sort(cmp),
        (i) => [i.position as number, i.id as string],
        cmp,
        async (index) => {
          if (index >= 6) return [];
          const added: Key[] = [
            [0, `pg-new-${index}-a`],
            [index, `pg-new-${index}-b`],
            [5, `pg-new-${index}-c`],
          ];
          const res = await b.ok('/courses/pg-c00/items', {
            items: added.map(([position, id]) => ({ id, position, type: 'page', title: id })),
          });
          assert.deepEqual(res, { upserted: 3 });
          return added;
        },
      );
    });

    it('does not skip or repeat live sessions while new sessions are inserted between pages', async () => {
      type Key = [string, string];
      const cmp = (x: Key, y: Key) => -(byString(x[0], y[0]) || byString(x[1], y[1]));
      const initial = sessions.map((s): Key => [s.start, s.id]).sort(cmp);
      await walkWhileInserting<Key>(
        '/live-sessions',
        initial,
        (s) => [s.scheduledStart as string, s.id as string],
        cmp,
        async (index) => {
          if (index >= 6) return [];
          const added: Key[] = [
            [new Date(Date.UTC(2026, 8, 10, 9)).toISOString(), `pg-snew-${index}-a`],
            [new Date(Date.UTC(2026, 8, 1 + (index % 5), 9)).toISOString(), `pg-snew-${index}-b`],
            [new Date(Date.UTC(2026, 7, 1, 9)).toISOString(), `pg-snew-${index}-c`],
          ];
          for (const [start, id] of added) {
            await b.ok(`/live-sessions/${id}`, {
              title: id,
              instructorId: 'pg-ins',
              scheduledStart: start,
              scheduledEnd: start,
            });
          }
          return added;
        },
      );
    });

    it('pages a learner’s own course list, showing only the courses they are enrolled in', async () => {
      const mine = courseIds.filter((_, i) => i % 2 === 1);
      assert.deepEqual(
        await b.ok('/courses/pg-c00/enrollments', { items: [{ userId: 'pg-learner', active: false }] }),
        { upserted: 1 },
      );
      for (const c of mine) await b.ok(`/courses/${c}/enrollments/pg-learner`, {});
      const token = await p.token('pg-learner');
      const { items: walked, pages } = await b.walk<Json>('/courses', 3, { auth: token });
      assert.deepEqual(
        walked.map((c) => c.id),
        mine,
      );
      assert.equal(pages, Math.ceil(mine.length / 3));
    });
  });
});

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
