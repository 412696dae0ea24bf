import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import {
  API_KEY,
  event,
  JWT_SECRET,
  startTestApp,
  type TestApp,
  count,
  catalogSnapshot,
  apiClient,
  type Reply,
} from './support/app.js';
import { forEachEngine } from './support/engines.js';

type Json = Record<string, unknown>;

const enc = (s: string) => new TextEncoder().encode(s);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSec = () => Math.floor(Date.now() / 1000);
type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** An HS256-family token with arbitrary claims and header, signed with any secret. */
async function hsToken(
  claims: Json,
  opts: { secret?: string; alg?: string; exp?: number | string; nbf?: number } = {},
): Promise<string> {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: opts.alg ?? 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? '1h');
  if (opts.nbf !== undefined) jwt.setNotBefore(opts.nbf);
  return jwt.sign(enc(opts.secret ?? JWT_SECRET));
}

function errorOf(res: Reply): { code: string; message: string } {
  const body = res.json() as { error: { code: string; message: string } };
  assert.equal(typeof body.error.message, 'string');
  return body.error;
}

function expectError(res: Reply, status: number, code: string, what = ''): void {
  assert.equal(res.statusCode, status, `${what}: ${res.body}`);
  assert.equal(errorOf(res).code, code, what);
}

function idsOf(res: Reply, field = 'id'): string[] {
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json() as { items: Json[]; nextCursor: string | null };
  assert.equal(body.nextCursor, null);
  return body.items.map((x) => x[field] as string);
}

forEachEngine((engine) => {
  let t: TestApp;
  const c = apiClient(() => t);
  /** Tokens by user id; role from the table below. */
  const tok: Record<string, string> = {};
  const roles = {
    'stu-1': 'student',
    'stu-2': 'student',
    'stu-3': 'student',
    'stu-inactive': 'student',
    'stu-reg': 'student',
    'ins-a': 'instructor',
    'ins-b': 'instructor',
    'ins-enr': 'instructor',
    'ins-live': 'instructor',
    'ta-1': 'instructor',
    adm: 'admin',
  } as const;

  before(async () => {
    t = await startTestApp(engine);
    const put = async (url: string, payload: unknown = {}) => {
      const res = await c.put(url, payload);
      assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    };
    await put('/users', { items: Object.keys(roles).map((id) => ({ id, displayName: id })) });
    await put('/courses/crs-a', { title: 'A', instructorIds: ['ins-a'] });
    await put('/courses/crs-b', { title: 'B', instructorIds: ['ins-b'] });
    await put('/courses/crs-c', { title: 'C' });
    await put('/courses/crs-a/enrollments', {
      items: [
        { userId: 'stu-1' },
        { userId: 'ta-1', role: 'ta' },
        { userId: 'ins-enr', role: 'instructor' },
        { userId: 'stu-inactive', active: false },
        { userId: 'ins-b', role: 'student' },
      ],
    });
    await put('/courses/crs-b/enrollments/stu-2');
    await put('/courses/crs-c/enrollments/ta-1', { role: 'ta', active: false });
    await put('/courses/crs-a/items/itm-a1', { type: 'lesson', title: 'A1' });
    await put('/courses/crs-b/items/itm-b1', { type: 'lesson', title: 'B1' });
    const times = (day: number) => ({
      scheduledStart: `2026-05-0${day}T10:00:00Z`,
      scheduledEnd: `2026-05-0${day}T11:00:00Z`,
    });
    await put('/live-sessions/ses-free', { title: 'Free', instructorId: 'ins-live', ...times(3) });
    await put('/live-sessions/ses-a', { title: 'A', courseId: 'crs-a', instructorId: 'ins-a', ...times(2) });
    await put('/live-sessions/ses-b', {
      title: 'B',
      courseId: 'crs-b',
      instructorId: 'ins-live',
      ...times(1),
    });
    await put('/live-sessions/ses-free/registrations/stu-reg');
    await put('/live-sessions/ses-a/registrations/stu-2');
    for (const [id, role] of Object.entries(roles)) tok[id] = await t.token(id, role);
  });
  after(() => t.close());

  describe('authentication', () => {
    it('refuses a request without credentials as 401 unauthorized', async () => {
      expectError(await c.get('/courses', null), 401, 'unauthorized');
      const basic = (await t.request({
        method: 'GET',
        url: '/api/v1/courses',
        auth: null,
        headers: { authorization: 'Basic dXNlcjpwYXNz' },
      })) as Reply;
      expectError(basic, 401, 'unauthorized', 'basic auth');
    });

    it('authenticates before reading the body (no token + bad JSON is 401, not 400)', async () => {
      const before = await count(t, 'SELECT count(*)::int AS n FROM events');
      const res = (await t.request({
        method: 'POST',
        url: '/api/v1/events',
        auth: null,
        headers: { 'content-type': 'application/json' },
        payload: '{"events": [',
      })) as Reply;
      expectError(res, 401, 'unauthorized');
      expectError(await c.post('/events', [event()], 'not-a-key-at-all'), 401, 'invalid_token');
      assert.equal(await count(t, 'SELECT count(*)::int AS n FROM events'), before);
    });

    it('accepts the API key as a bearer token or in X-API-Key, and refuses unknown keys', async () => {
      assert.equal((await c.get('/courses')).statusCode, 200);
      const header = (key: string) =>
        t.request({
          method: 'GET',
          url: '/api/v1/courses',
          auth: null,
          headers: { 'x-api-key': key },
        }) as Promise<Reply>;
      assert.equal((await header(API_KEY)).statusCode, 200);
      expectError(await header(`${API_KEY}x`), 401, 'invalid_token', 'x-api-key');
      for (const key of ['unknown-api-key-0000', API_KEY.slice(0, -1), API_KEY.toUpperCase(), 'a.b.c']) {
        expectError(await c.get('/courses', key), 401, 'invalid_token', key);
      }
    });

    const bad: [string, () => Promise<string>, string][] = [
      [
        'a token signed with another secret',
        () => hsToken({ sub: 'stu-1', role: 'admin' }, { secret: 'another-secret-0123456789abcdef' }),
        'invalid_token',
      ],
      [
        'an alg:none token',
        async () =>
          `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'adm', role: 'admin', exp: nowSec() + 3600 })}.`,
        'invalid_token',
      ],
      [
        'an HS512 token with the right secret',
        () => hsToken({ sub: 'adm', role: 'admin' }, { alg: 'HS512' }),
        'invalid_token',
      ],
      [
        'an expired token',
        () => hsToken({ sub: 'stu-1', role: 'student' }, { exp: nowSec() - 60 }),
        'token_expired',
      ],
      [
        'a token not valid yet',
        () => hsToken({ sub: 'stu-1', role: 'student' }, { nbf: nowSec() + 3600 }),
        'invalid_token',
      ],
      [
        'a role outside student/instructor/admin',
        () => hsToken({ sub: 'stu-1', role: 'superuser' }),
        'invalid_token',
      ],
      ['a role that is a list', () => hsToken({ sub: 'stu-1', role: ['admin'] }), 'invalid_token'],
      ['a role "teacher"', () => hsToken({ sub: 'stu-1', role: 'teacher' }), 'invalid_token'],
      ['a token without sub', () => hsToken({ role: 'admin' }), 'invalid_token'],
      ['a sub of 129 characters', () => hsToken({ sub: 'u'.repeat(129), role: 'student' }), 'invalid_token'],
      [
        'a student token whose payload was changed to admin',
        async () => {
          const [header, , signature] = (await t.token('stu-1', 'student')).split('.');
          return `${header}.${b64url({ sub: 'stu-1', role: 'admin', exp: nowSec() + 3600 })}.${signature}`;
        },
        'invalid_token',
      ],
      ['a token that is not base64', async () => 'abc.def.ghi', 'invalid_token'],
    ];
    for (const [what, make, code] of bad) {
      it(`refuses ${what} (401 ${code})`, async () => {
        const token = await make();
        expectError(await c.get('/courses', token), 401, code);
        expectError(await c.get('/users/stu-1', token), 401, code);
      });
    }

    it('accepts a token without role as a student, and reads sub as the user', async () => {
      const token = await hsToken({ sub: 'stu-1' });
      assert.deepEqual(idsOf(await c.get('/courses', token)), ['crs-a']);
      expectError(await c.get('/users', token), 403, 'forbidden');
    });
  });

  describe('events', () => {
    const stored = (userId: string) =>
      count(t, 'SELECT count(*)::int AS n FROM events WHERE user_id = $1', [userId]);

    it('refuses a learner sending events for someone else (403 event_user_mismatch), storing nothing', async () => {
      const total = await count(t, 'SELECT count(*)::int AS n FROM events');
      const batch = [
        event({ userId: undefined, courseId: 'crs-a' }),
        event({ userId: 'stu-1', courseId: 'crs-a' }),
        event({ userId: 'stu-2', courseId: 'crs-b' }),
      ];
      const res = await c.post('/events', { events: batch }, tok['stu-1']);
      expectError(res, 403, 'event_user_mismatch');
      assert.deepEqual((res.json() as { error: { details: unknown } }).error.details, { index: 2 });
      const one = await c.post('/events', [event({ userId: 'stu-2' })], tok['stu-1']);
      expectError(one, 403, 'event_user_mismatch');
      assert.equal(await count(t, 'SELECT count(*)::int AS n FROM events'), total);
    });

    it('an instructor token may not send events for its learners either', async () => {
      const before = await stored('stu-1');
      expectError(
        await c.post('/events', [event({ userId: 'stu-1', courseId: 'crs-a' })], tok['ins-a']),
        403,
        'event_user_mismatch',
      );
      assert.equal(await stored('stu-1'), before);
    });

    it('stores events without userId (or with its own) as the learner of the token', async () => {
      const before = { me: await stored('stu-1'), other: await stored('stu-2') };
      const mine = [
        event({
          userId: undefined,
          courseId: 'crs-a',
          occurredAt: '2026-11-02T10:00:00Z',
          data: { activeSec: 12 },
        }),
        event({
          userId: undefined,
          courseId: 'crs-a',
          type: 'course_visit',
          occurredAt: '2026-11-02T10:01:00Z',
          data: undefined,
        }),
        event({
          userId: 'stu-1',
          courseId: 'crs-a',
          occurredAt: '2026-11-02T10:02:00Z',
          data: { activeSec: 3 },
        }),
      ];
      const res = await c.post('/events', { events: mine }, tok['stu-1']);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { accepted: 3, duplicates: 0, rejected: [] });
      const rows = await t.server.db.query<{ id: string; user_id: string }>(
        'SELECT id::text AS id, user_id FROM events WHERE id = ANY($1::uuid[]) ORDER BY occurred_at',
        [mine.map((e) => e.id)],
      );
      assert.deepEqual(
        rows,
        mine.map((e) => ({ id: e.id, user_id: 'stu-1' })),
      );
      assert.equal(await stored('stu-1'), before.me + 3);
      assert.equal(await stored('stu-2'), before.other);
      const daily = await t.server.db.query(
        "SELECT active_ms::int AS ms, visits FROM daily_activity WHERE user_id = 'stu-1' AND day = '2026-11-02'",
      );
      assert.deepEqual(daily, [{ ms: 15_000, visits: 1 }]);
    });

    it('lets an admin token and the API key send events for any user, and requires userId then', async () => {
      const before = await stored('stu-2');
      for (const auth of [tok.adm, undefined]) {
        const res = await c.post('/events', [event({ userId: 'stu-2' }), event({ userId: undefined })], auth);
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json() as { accepted: number; rejected: { index: number; code: string }[] };
        assert.equal(body.accepted, 1);
        assert.deepEqual(
          body.rejected.map((r) => [r.index, r.code]),
          [[1, 'missing_user']],
        );
      }
      assert.equal(await stored('stu-2'), before + 2);
    });
  });

  describe('courses and items', () => {
    const visible: [string, string[]][] = [
      ['stu-1', ['crs-a']],
      ['stu-2', ['crs-b']],
      ['stu-3', []],
      ['stu-inactive', []],
      ['ins-a', ['crs-a']],
      ['ins-b', ['crs-a', 'crs-b']],
      ['ins-enr', ['crs-a']],
      ['ta-1', ['crs-a']],
      ['adm', ['crs-a', 'crs-b', 'crs-c']],
    ];
    for (const [user, courses] of visible) {
      it(`GET /courses lists exactly what ${user} may see`, async () => {
        assert.deepEqual(idsOf(await c.get('/courses', tok[user])), courses);
        for (const id of ['crs-a', 'crs-b', 'crs-c']) {
          const res = await c.get(`/courses/${id}`, tok[user]);
          if (courses.includes(id)) {
            assert.equal(res.statusCode, 200, `${user} ${id}`);
            assert.equal((res.json() as Json).id, id);
          } else {
            expectError(res, 403, 'forbidden', `${user} ${id}`);
          }
        }
        expectError(await c.get('/courses/crs-nope', tok[user]), 404, 'not_found');
      });
    }

    it('the API key sees every course', async () => {
      assert.deepEqual(idsOf(await c.get('/courses')), ['crs-a', 'crs-b', 'crs-c']);
    });

    it('a learner reads the items of their course only; unknown courses are 404', async () => {
      assert.deepEqual(idsOf(await c.get('/courses/crs-a/items', tok['stu-1'])), ['itm-a1']);
      assert.equal((await c.get('/courses/crs-a/items/itm-a1', tok['stu-1'])).statusCode, 200);
      expectError(await c.get('/courses/crs-b/items', tok['stu-1']), 403, 'forbidden');
      expectError(await c.get('/courses/crs-b/items/itm-b1', tok['stu-1']), 403, 'forbidden');
      expectError(await c.get('/courses/crs-a/items', tok['stu-inactive']), 403, 'forbidden');
      expectError(await c.get('/courses/crs-nope/items', tok['stu-1']), 404, 'not_found');
      expectError(await c.get('/courses/crs-nope/items/itm-b1', tok['stu-1']), 404, 'not_found');
      // An item of another course through one's own course is simply not there.
      expectError(await c.get('/courses/crs-a/items/itm-b1', tok['stu-1']), 404, 'not_found');
    });
  });

  describe('rosters and profiles', () => {
    const rosterA = ['ins-b', 'ins-enr', 'stu-1', 'stu-inactive', 'ta-1'];
    const rosters: [string, Record<string, string[] | 403>][] = [
      ['ins-a', { 'crs-a': rosterA, 'crs-b': 403, 'crs-c': 403 }],
      ['ta-1', { 'crs-a': rosterA, 'crs-b': 403, 'crs-c': 403 }],
      ['ins-enr', { 'crs-a': rosterA, 'crs-b': 403, 'crs-c': 403 }],
      ['ins-b', { 'crs-a': 403, 'crs-b': ['stu-2'], 'crs-c': 403 }],
      ['stu-1', { 'crs-a': 403, 'crs-b': 403, 'crs-c': 403 }],
      ['adm', { 'crs-a': rosterA, 'crs-b': ['stu-2'], 'crs-c': ['ta-1'] }],
    ];
    for (const [user, expected] of rosters) {
      it(`${user} reads exactly the rosters of the courses they teach`, async () => {
        for (const [course, want] of Object.entries(expected)) {
          const res = await c.get(`/courses/${course}/enrollments`, tok[user]);
          if (want === 403) expectError(res, 403, 'forbidden', `${user} ${course}`);
          else assert.deepEqual(idsOf(res, 'userId'), want, `${user} ${course}`);
        }
        expectError(await c.get('/courses/crs-nope/enrollments', tok[user]), 404, 'not_found');
      });
    }

    it('one enrollment: the learner themselves or the course staff', async () => {
      const one = async (course: string, user: string, as: string) =>
        c.get(`/courses/${course}/enrollments/${user}`, tok[as]);
      assert.equal((await one('crs-a', 'stu-1', 'stu-1')).statusCode, 200);
      assert.equal((await one('crs-a', 'stu-1', 'ins-a')).statusCode, 200);
      assert.equal((await one('crs-a', 'stu-1', 'ta-1')).statusCode, 200);
      expectError(await one('crs-a', 'ta-1', 'stu-1'), 403, 'forbidden');
      expectError(await one('crs-b', 'stu-2', 'stu-1'), 403, 'forbidden');
      expectError(await one('crs-b', 'stu-2', 'ins-a'), 403, 'forbidden');
      expectError(await one('crs-a', 'stu-1', 'ins-b'), 403, 'forbidden');
      // Whether someone is enrolled elsewhere is not revealed: 403 whether or not they are.
      expectError(await one('crs-b', 'stu-3', 'stu-1'), 403, 'forbidden');
    });

    it('a learner sees only their own profile; unknown users are not revealed', async () => {
      const me = await c.get('/users/stu-1', tok['stu-1']);
      assert.equal(me.statusCode, 200);
      assert.equal((me.json() as Json).id, 'stu-1');
      expectError(await c.get('/users/stu-2', tok['stu-1']), 403, 'forbidden');
      expectError(await c.get('/users/ins-a', tok['stu-1']), 403, 'forbidden');
      expectError(await c.get('/users/usr-nobody', tok['stu-1']), 403, 'forbidden');
      expectError(await c.get('/users', tok['stu-1']), 403, 'forbidden');
    });

    it('an instructor sees the profiles of the learners they teach, and no others', async () => {
      assert.equal((await c.get('/users/stu-1', tok['ins-a'])).statusCode, 200);
      assert.equal((await c.get('/users/stu-1', tok['ta-1'])).statusCode, 200);
      assert.equal((await c.get('/users/stu-2', tok['ins-b'])).statusCode, 200);
      expectError(await c.get('/users/stu-2', tok['ins-a']), 403, 'forbidden');
      expectError(await c.get('/users/stu-3', tok['ins-a']), 403, 'forbidden');
      // An ended enrollment no longer makes the learner theirs.
      expectError(await c.get('/users/stu-inactive', tok['ins-a']), 403, 'forbidden');
      expectError(await c.get('/users', tok['ins-a']), 403, 'forbidden');
    });

    it('an admin sees every profile and the user list', async () => {
      assert.equal((await c.get('/users/stu-3', tok.adm)).statusCode, 200);
      expectError(await c.get('/users/usr-nobody', tok.adm), 404, 'not_found');
      const all = idsOf(await c.get('/users', tok.adm));
      assert.deepEqual(all, Object.keys(roles).sort());
    });
  });

  describe('catalog writes', () => {
    const writes: [string, 'PUT' | 'DELETE', string, unknown][] = [
      ['their own profile', 'PUT', '/users/stu-1', { displayName: 'Hacked' }],
      ['the user list', 'PUT', '/users', { items: [{ id: 'stu-9', displayName: 'New' }] }],
      ['a course they teach', 'PUT', '/courses/crs-a', { title: 'Hacked', instructorIds: ['ins-a'] }],
      ['a new course', 'PUT', '/courses/crs-new', { title: 'New' }],
      ['an item', 'PUT', '/courses/crs-a/items/itm-a1', { type: 'page', title: 'Hacked' }],
      [
        'items in bulk',
        'PUT',
        '/courses/crs-a/items',
        { items: [{ id: 'itm-new', type: 'page', title: 'New' }] },
      ],
      ['an enrollment', 'PUT', '/courses/crs-a/enrollments/stu-3', { role: 'ta' }],
      ['enrollments in bulk', 'PUT', '/courses/crs-a/enrollments', { items: [{ userId: 'stu-3' }] }],
      ['an enrollment removal', 'DELETE', '/courses/crs-a/enrollments/stu-1', undefined],
      [
        'a live session',
        'PUT',
        '/live-sessions/ses-a',
        {
          title: 'Hacked',
          instructorId: 'ins-a',
          scheduledStart: '2026-05-02T10:00:00Z',
          scheduledEnd: '2026-05-02T11:00:00Z',
        },
      ],
      ['a registration', 'PUT', '/live-sessions/ses-free/registrations/stu-3', undefined],
    ];
    for (const [what, method, url, payload] of writes) {
      it(`learners and instructors may not write ${what} (403), and nothing changes`, async () => {
        const before = await catalogSnapshot(t);
        for (const user of ['stu-1', 'stu-3', 'ins-a', 'ta-1', 'ins-live']) {
          const res =
            method === 'DELETE' ? await c.del(url, tok[user]) : await c.put(url, payload ?? {}, tok[user]);
          expectError(res, 403, 'forbidden', `${user} ${method} ${url}`);
        }
        assert.equal(await catalogSnapshot(t), before);
      });
    }

    it('an admin token may write the catalog and reads what it wrote', async () => {
      const course = await c.put(
        '/courses/crs-adm',
        { title: 'By admin', instructorIds: ['ins-a'] },
        tok.adm,
      );
      assert.equal(course.statusCode, 200, course.body);
      assert.equal((await c.get('/courses/crs-adm', tok.adm)).statusCode, 200);
      assert.equal((await c.put('/courses/crs-adm/enrollments/stu-3', {}, tok.adm)).statusCode, 200);
      assert.equal((await c.put('/users/stu-new', { displayName: 'New' }, tok.adm)).statusCode, 200);
      assert.equal(
        (await c.put('/live-sessions/ses-free/registrations/stu-3', undefined, tok.adm)).statusCode,
        200,
      );
      assert.equal((await c.del('/courses/crs-adm/enrollments/stu-3', tok.adm)).statusCode, 204);
      assert.equal(
        await count(t, "SELECT count(*)::int AS n FROM enrollments WHERE course_id = 'crs-adm'"),
        0,
      );
      // Clean up, so that the listings of other tests stay as declared.
      await t.server.db.query("DELETE FROM courses WHERE id = 'crs-adm'");
      await t.server.db.query("DELETE FROM users WHERE id = 'stu-new'");
      await t.server.db.query(
        "DELETE FROM live_session_registrations WHERE session_id = 'ses-free' AND user_id = 'stu-3'",
      );
    });
  });

  describe('live sessions', () => {
    type Access = 'both' | 'session' | 403;
    const access: [string, Record<string, Access>, string[]][] = [
      // user, access per session, GET /live-sessions (newest first)
      ['ins-live', { 'ses-free': 'both', 'ses-a': 403, 'ses-b': 'both' }, ['ses-free', 'ses-b']],
      ['ins-a', { 'ses-free': 403, 'ses-a': 'both', 'ses-b': 403 }, ['ses-a']],
      ['ins-b', { 'ses-free': 403, 'ses-a': 'session', 'ses-b': 'both' }, ['ses-a', 'ses-b']],
      ['ta-1', { 'ses-free': 403, 'ses-a': 'both', 'ses-b': 403 }, ['ses-a']],
      ['stu-reg', { 'ses-free': 'session', 'ses-a': 403, 'ses-b': 403 }, ['ses-free']],
      ['stu-1', { 'ses-free': 403, 'ses-a': 'session', 'ses-b': 403 }, ['ses-a']],
      ['stu-2', { 'ses-free': 403, 'ses-a': 'session', 'ses-b': 'session' }, ['ses-a', 'ses-b']],
      ['stu-3', { 'ses-free': 403, 'ses-a': 403, 'ses-b': 403 }, []],
      ['stu-inactive', { 'ses-free': 403, 'ses-a': 403, 'ses-b': 403 }, []],
      ['adm', { 'ses-free': 'both', 'ses-a': 'both', 'ses-b': 'both' }, ['ses-free', 'ses-a', 'ses-b']],
    ];
    const registrations: Record<string, string[]> = {
      'ses-free': ['stu-reg'],
      'ses-a': ['stu-2'],
      'ses-b': [],
    };

    for (const [user, per, listed] of access) {
      it(`${user} sees exactly the sessions and registrations they may`, async () => {
        assert.deepEqual(idsOf(await c.get('/live-sessions', tok[user])), listed);
        for (const [session, want] of Object.entries(per)) {
          const one = await c.get(`/live-sessions/${session}`, tok[user]);
          const regs = await c.get(`/live-sessions/${session}/registrations`, tok[user]);
          if (want === 403) {
            expectError(one, 403, 'forbidden', `${user} ${session}`);
            expectError(regs, 403, 'forbidden', `${user} ${session} registrations`);
            continue;
          }
          assert.equal(one.statusCode, 200, `${user} ${session}`);
          assert.equal((one.json() as Json).id, session);
          if (want === 'both')
            assert.deepEqual(idsOf(regs, 'userId'), registrations[session], `${user} ${session}`);
          else expectError(regs, 403, 'forbidden', `${user} ${session} registrations`);
        }
        expectError(await c.get('/live-sessions/ses-nope', tok[user]), 404, 'not_found');
        expectError(await c.get('/live-sessions/ses-nope/registrations', tok[user]), 404, 'not_found');
      });
    }
  });

  describe('RS256 via JWKS', () => {
    let jwksServer: http.Server;
    let jwksUrl = '';
    let fetches = 0;
    let good: PrivateKey;
    let wrong: PrivateKey;
    let ec: PrivateKey;
    let jwksOnly: TestApp;
    let both: TestApp;
    let none: TestApp;
    const rs = (
      claims: Json,
      opts: { key?: PrivateKey; kid?: string; alg?: string; exp?: number | string } = {},
    ) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: opts.alg ?? 'RS256', kid: opts.kid ?? 'k1', typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime(opts.exp ?? '1h')
        .sign(opts.key ?? good);

    before(async () => {
      const pair = await generateKeyPair('RS256');
      good = pair.privateKey;
      wrong = (await generateKeyPair('RS256')).privateKey;
      ec = (await generateKeyPair('ES256')).privateKey;
      const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
      jwksServer = http.createServer((req, res) => {
        if (req.url === '/jwks.json') {
          fetches++;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ keys: [jwk] }));
        } else {
          res.writeHead(404).end();
        }
      });
      await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
      jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
      jwksOnly = await startTestApp(engine, { LEARNPULSE_JWT_SECRET: '', LEARNPULSE_JWKS_URL: jwksUrl });
      both = await startTestApp(engine, { LEARNPULSE_JWKS_URL: jwksUrl });
      none = await startTestApp(engine, { LEARNPULSE_JWT_SECRET: '' });
      for (const app of [jwksOnly, both]) {
        const res = await app.request({
          method: 'PUT',
          url: '/api/v1/users/rs-stu',
          payload: { displayName: 'RS' },
        });
        assert.equal(res.statusCode, 200, res.body);
      }
    });
    after(async () => {
      await Promise.all([jwksOnly.close(), both.close(), none.close()]);
      await new Promise((resolve) => jwksServer.close(resolve));
    });

    const get = (app: TestApp, url: string, auth: string) =>
      app.request({ method: 'GET', url: `/api/v1${url}`, auth }) as Promise<Reply>;

    it('accepts an RS256 token signed by a key of the JWKS, as the user of its sub', async () => {
      const token = await rs({ sub: 'rs-stu', role: 'student' });
      const me = await get(jwksOnly, '/users/rs-stu', token);
      assert.equal(me.statusCode, 200, me.body);
      assert.equal((me.json() as Json).id, 'rs-stu');
      expectError(await get(jwksOnly, '/users/someone-else', token), 403, 'forbidden');
      const e = event({ userId: undefined, courseId: 'crs-rs' });
      const posted = (await jwksOnly.request({
        method: 'POST',
        url: '/api/v1/events',
        auth: token,
        payload: [e],
      })) as Reply;
      assert.deepEqual(posted.json(), { accepted: 1, duplicates: 0, rejected: [] });
      const rows = await jwksOnly.server.db.query('SELECT user_id FROM events WHERE id = $1', [e.id]);
      assert.deepEqual(rows, [{ user_id: 'rs-stu' }]);
      const admin = await rs({ sub: 'rs-adm', role: 'admin' });
      assert.equal((await get(jwksOnly, '/users', admin)).statusCode, 200);
      assert.ok(fetches >= 1);
    });

    it('refuses RS256 tokens signed by another key, with an unknown kid, or expired', async () => {
      expectError(
        await get(jwksOnly, '/courses', await rs({ sub: 'rs-stu' }, { key: wrong })),
        401,
        'invalid_token',
        'other key',
      );
      expectError(
        await get(jwksOnly, '/courses', await rs({ sub: 'rs-stu' }, { kid: 'k2' })),
        401,
        'invalid_token',
        'unknown kid',
      );
      expectError(
        await get(jwksOnly, '/courses', await rs({ sub: 'rs-stu' }, { exp: nowSec() - 60 })),
        401,
        'token_expired',
      );
      expectError(
        await get(jwksOnly, '/courses', await rs({ sub: 'rs-stu', role: 'root' })),
        401,
        'invalid_token',
        'bad role',
      );
      expectError(
        await get(jwksOnly, '/courses', await rs({ sub: 'rs-stu' }, { key: ec, alg: 'ES256' })),
        401,
        'invalid_token',
        'ES256',
      );
    });

    it('a JWKS-only server refuses HS256 and alg:none tokens', async () => {
      expectError(await get(jwksOnly, '/courses', await t.token('rs-stu', 'admin')), 401, 'invalid_token');
      const unsigned = `${b64url({ alg: 'none' })}.${b64url({ sub: 'rs-stu', role: 'admin', exp: nowSec() + 60 })}.`;
      expectError(await get(jwksOnly, '/courses', unsigned), 401, 'invalid_token');
      assert.equal((await get(jwksOnly, '/courses', API_KEY)).statusCode, 200);
    });

    it('with both a secret and a JWKS, HS256 and RS256 tokens are both accepted', async () => {
      assert.equal((await get(both, '/users/rs-stu', await t.token('rs-stu', 'student'))).statusCode, 200);
      assert.equal(
        (await get(both, '/users/rs-stu', await rs({ sub: 'rs-stu', role: 'student' }))).statusCode,
        200,
      );
      const forged = await hsToken({ sub: 'rs-stu' }, { secret: 'another-secret-0123456789abcdef' });
      expectError(await get(both, '/courses', forged), 401, 'invalid_token', 'forged HS256');
      expectError(
        await get(both, '/courses', await rs({ sub: 'rs-stu' }, { key: wrong })),
        401,
        'invalid_token',
        'other key',
      );
      expectError(
        await get(both, '/courses', await hsToken({ sub: 'rs-stu' }, { exp: nowSec() - 5 })),
        401,
        'token_expired',
      );
    });

    it('a server with neither secret nor JWKS accepts only API keys', async () => {
      expectError(await get(none, '/courses', await t.token('rs-stu', 'admin')), 401, 'invalid_token');
      expectError(
        await get(none, '/courses', await rs({ sub: 'rs-stu', role: 'admin' })),
        401,
        'invalid_token',
      );
      assert.equal((await get(none, '/courses', API_KEY)).statusCode, 200);
    });
  });
});
