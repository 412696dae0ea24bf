import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import postgres from 'postgres';
import { event, startTestApp, type TestApp } from './support/app.js';
import { forEachEngine } from './support/engines.js';

const cursorOf = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');

/** Resolves once `n` backends of this database wait on a lock while running a statement like `like`. */
async function waitForLockWait(t: TestApp, like: string, n = 1): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const rows = await t.server.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1`,
      [like],
    );
    if ((rows[0]?.n ?? 0) >= n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no backend waited on a lock running ${like}`);
}

/** An open transaction on its own connection, kept open until `release` is called. */
function holdTransaction(
  url: string,
  statements: string[],
): { ready: Promise<void>; release(): Promise<void> } {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  let open!: () => void;
  let gate!: () => void;
  const ready = new Promise<void>((r) => {
    open = r;
  });
  const released = new Promise<void>((r) => {
    gate = r;
  });
  const done = sql.begin(async (tx) => {
    for (const s of statements) await tx.unsafe(s);
    open();
    await released;
  });
  return {
    ready,
    async release() {
      gate();
      await done;
      await sql.end();
    },
  };
}

forEachEngine((engine) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(engine);
  });
  after(() => t.close());

  const json = { 'content-type': 'application/json' };
  const post = (payload: unknown) =>
    t.request({
      method: 'POST',
      url: '/api/v1/events',
      headers: json,
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  const put = (url: string, payload: unknown) =>
    t.request({
      method: 'PUT',
      url,
      headers: json,
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });

  describe('event validation', () => {
    it('refuses event types named like Object.prototype members (toString, __proto__, constructor)', async () => {
      const res = await post([
        event({ type: 'toString' }),
        event({ type: '__proto__' }),
        event({ type: 'constructor' }),
      ]);
      assert.equal(res.statusCode, 200);
      const body = res.json() as { accepted: number; rejected: { index: number; code: string }[] };
      assert.equal(body.accepted, 0);
      assert.deepEqual(
        body.rejected.map((r) => r.code),
        ['unknown_event_type', 'unknown_event_type', 'unknown_event_type'],
      );
    });

    it('handles an id in the urn:uuid: form (accepted by the uuid format) per event, not as a 500', async () => {
      const good = event();
      const res = await post([good, event({ id: `urn:uuid:${randomUUID()}` })]);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json() as { accepted: number };
      assert.ok(body.accepted >= 1);
    });

    it('rejects absurdly deep data as data_too_deep instead of overflowing the stack (500)', async () => {
      const depth = 100_000;
      const raw = `[{"id":"${randomUUID()}","type":"x-deep","occurredAt":"2026-11-20T10:00:00Z","userId":"u1","data":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}]`;
      const res = await post(raw);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal((res.json() as { rejected: { code: string }[] }).rejected[0]?.code, 'data_too_deep');
    });
  });

  describe('catalog strings PostgreSQL cannot store', () => {
    it('answers 4xx, not 500, for a NUL in a path id', async () => {
      const putRes = await put('/api/v1/users/a%00b', { displayName: 'x' });
      assert.equal(putRes.statusCode, 400, putRes.body);
      const getRes = await t.request({ method: 'GET', url: '/api/v1/users/a%00b' });
      assert.ok(getRes.statusCode >= 400 && getRes.statusCode < 500, getRes.body);
    });

    it('answers 400, not 500, for a NUL or an unpaired surrogate in a body string', async () => {
      const nul = await put('/api/v1/users/u-nul', { displayName: 'x\u0000y' });
      assert.equal(nul.statusCode, 400, nul.body);
      const surrogate = await put('/api/v1/users/u-sur', '{"displayName":"x\\ud800y"}');
      assert.equal(surrogate.statusCode, 400, surrogate.body);
    });
  });

  describe('catalog order', () => {
    it('refuses items of a course the catalog does not have, as enrollments are (404, nothing stored)', async () => {
      const one = await put('/api/v1/courses/no-such-course/items/i-orphan', { type: 'lesson', title: 'x' });
      assert.equal(one.statusCode, 404, one.body);
      const bulk = await put('/api/v1/courses/no-such-course/items', {
        items: [{ id: 'i-orphan-2', type: 'page', title: 'y' }],
      });
      assert.equal(bulk.statusCode, 404, bulk.body);
      const rows = await t.server.db.query("SELECT 1 FROM items WHERE id IN ('i-orphan', 'i-orphan-2')");
      assert.equal(rows.length, 0);
    });
  });

  describe('forged cursors', () => {
    it('are invalid_cursor when a text key holds a NUL', async () => {
      const res = await t.request({ method: 'GET', url: `/api/v1/users?cursor=${cursorOf(['a\u0000'])}` });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal((res.json() as { error: { code: string } }).error.code, 'invalid_cursor');
    });

    it('are invalid_cursor when a timestamp key is not a real instant PostgreSQL accepts', async () => {
      // Year 0 is refused by both engines (500); Feb 30 is a 500 on PGlite and silently read as
      // March 2 on PostgreSQL (postgres.js re-serialises the string through Date).
      const answers: Record<string, string> = {};
      for (const ts of ['0000-01-01T00:00:00.000Z', '2026-02-30T00:00:00.000Z']) {
        const res = await t.request({
          method: 'GET',
          url: `/api/v1/live-sessions?cursor=${cursorOf([ts, 'x'])}`,
        });
        answers[ts] =
          `${res.statusCode} ${(res.json() as { error?: { code: string } }).error?.code ?? 'page'}`;
      }
      assert.deepEqual(answers, {
        '0000-01-01T00:00:00.000Z': '400 invalid_cursor',
        '2026-02-30T00:00:00.000Z': '400 invalid_cursor',
      });
    });
  });

  describe('live sessions', () => {
    it('refuses a scheduledStart in year 0000 with 400, not 500', async () => {
      const res = await put('/api/v1/live-sessions/ls-year0', {
        title: 't',
        instructorId: 'i',
        scheduledStart: '0000-01-01T00:00:00Z',
        scheduledEnd: '0000-01-02T00:00:00Z',
      });
      assert.equal(res.statusCode, 400, res.body);
    });
  });

  describe('error format', () => {
    it('answers a malformed percent-encoding in the path in the API error format', async () => {
      const res = await t.request({ method: 'GET', url: '/api/v1/users/%E0%A4%A' });
      assert.equal(res.statusCode, 400);
      const body = res.json() as { error: unknown };
      assert.equal(typeof body.error, 'object', res.body);
    });
  });

  if (engine.name === 'postgres') {
    describe('concurrent catalog writes (PostgreSQL)', () => {
      it('keeps daily activity in the stored time zone when two upserts create the same user at once', async () => {
        const userId = `tz-race-${randomUUID()}`;
        // 23:30 UTC on the 20th is already the 21st in Paris.
        const sent = await post([event({ userId, courseId: 'c-tz', occurredAt: '2026-11-20T23:30:00Z' })]);
        assert.equal((sent.json() as { accepted: number }).accepted, 1);

        // Holds a row lock that makes the first upsert (Paris) pause after inserting the user.
        const blocker = holdTransaction(t.testDb.url!, [
          `SELECT 1 FROM daily_activity WHERE user_id = '${userId}' FOR UPDATE`,
        ]);
        await blocker.ready;
        const paris = put(`/api/v1/users/${userId}`, { displayName: 'P', timezone: 'Europe/Paris' });
        await waitForLockWait(t, 'DELETE FROM daily_activity%');
        const utc = put(`/api/v1/users/${userId}`, { displayName: 'U', timezone: 'UTC' });
        // The second upsert now waits too (on the first one's uncommitted row, or on any lock a fix adds).
        await waitForLockWait(t, '%', 2);
        await blocker.release();
        assert.equal((await paris).statusCode, 200);
        assert.equal((await utc).statusCode, 200);

        const [user] = await t.server.db.query<{ timezone: string }>(
          'SELECT timezone FROM users WHERE id = $1',
          [userId],
        );
        assert.equal(user?.timezone, 'UTC');
        const days = await t.server.db.query<{ day: string }>(
          'SELECT day::text AS day FROM daily_activity WHERE user_id = $1',
          [userId],
        );
        assert.deepEqual(
          days.map((d) => d.day),
          ['2026-11-20'],
          'the learner is in UTC now, so the event belongs to the 20th',
        );
      });

      it('refuses to move an item to another course when a concurrent upsert created it first', async () => {
        const itemId = `item-race-${randomUUID()}`;
        assert.equal((await put('/api/v1/courses/course-b', { title: 'B' })).statusCode, 200);
        const other = holdTransaction(t.testDb.url!, [
          `INSERT INTO items (id, course_id, type, title) VALUES ('${itemId}', 'course-a', 'video', 'A')`,
        ]);
        await other.ready;
        const res = put(`/api/v1/courses/course-b/items/${itemId}`, { type: 'lesson', title: 'B' });
        await waitForLockWait(t, '%INSERT INTO items%');
        await other.release();
        const answer = await res;
        const [row] = await t.server.db.query<{ course_id: string; title: string }>(
          'SELECT course_id, title FROM items WHERE id = $1',
          [itemId],
        );
        assert.equal(row?.title, 'A', "course-b's upsert overwrote course-a's item");
        assert.equal(answer.statusCode, 409, answer.body);
      });
    });
  }
});
