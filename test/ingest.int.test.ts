import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { event, startTestApp, type TestApp, count } from './support/app.js';
import { forEachEngine } from './support/engines.js';

const storedEvents = (t: TestApp) => count(t, 'SELECT count(*)::int AS n FROM events');

forEachEngine((engine) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(engine);
  });
  after(() => t.close());

  const post = (payload: unknown, extra: { headers?: Record<string, string>; auth?: string | null } = {}) =>
    t.request({
      method: 'POST',
      url: '/api/v1/events',
      headers: { 'content-type': 'application/json', ...extra.headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      ...(extra.auth !== undefined ? { auth: extra.auth } : {}),
    });

  describe('idempotency', () => {
    it('stores a batch sent three times once and counts it once', async () => {
      const userId = `idem-${randomUUID()}`;
      const batch = Array.from({ length: 20 }, (_, i) =>
        event({
          userId,
          courseId: 'c-idem',
          type: i % 5 === 0 ? 'course_visit' : 'heartbeat',
          data: i % 5 === 0 ? undefined : { activeSec: 15 },
        }),
      );
      const answers = [];
      for (let k = 0; k < 3; k++) answers.push((await post({ events: batch })).json());
      assert.deepEqual(answers[0], { accepted: 20, duplicates: 0, rejected: [] });
      assert.deepEqual(answers[1], { accepted: 0, duplicates: 20, rejected: [] });
      assert.deepEqual(answers[2], { accepted: 0, duplicates: 20, rejected: [] });
      assert.equal(await count(t, 'SELECT count(*)::int AS n FROM events WHERE user_id = $1', [userId]), 20);
      const rows = await t.server.db.query<{ active_ms: number; visits: number }>(
        'SELECT active_ms::int AS active_ms, visits FROM daily_activity WHERE user_id = $1',
        [userId],
      );
      assert.deepEqual(rows, [{ active_ms: 16 * 15_000, visits: 4 }]);
    });

    it('stores a batch sent concurrently by four clients once', async () => {
      const userId = `conc-${randomUUID()}`;
      const batch = Array.from({ length: 50 }, () =>
        event({ userId, courseId: 'c-conc', data: { activeSec: 10 } }),
      );
      const answers = await Promise.all([1, 2, 3, 4].map(() => post(batch)));
      const bodies = answers.map((a) => a.json() as { accepted: number; duplicates: number });
      assert.equal(
        bodies.reduce((s, b) => s + b.accepted, 0),
        50,
      );
      assert.equal(
        bodies.reduce((s, b) => s + b.duplicates, 0),
        150,
      );
      assert.equal(await count(t, 'SELECT count(*)::int AS n FROM events WHERE user_id = $1', [userId]), 50);
      assert.equal(
        await count(t, 'SELECT sum(active_ms)::int AS n FROM daily_activity WHERE user_id = $1', [userId]),
        500_000,
      );
    });

    it('counts a repeated id inside one request as a duplicate', async () => {
      const e = event();
      assert.deepEqual((await post([e, e])).json(), { accepted: 1, duplicates: 1, rejected: [] });
    });
  });

  describe('bad input is refused with a stable code and stores nothing', () => {
    const refused: [string, () => Promise<{ statusCode: number; json(): unknown }>, number, string][] = [
      ['not JSON', () => post('hello'), 400, 'invalid_json'],
      ['truncated JSON', () => post('{"events":[{"id":"'), 400, 'invalid_json'],
      ['an empty body', () => post(''), 400, 'invalid_json'],
      [
        'a wrong content type',
        () => post(JSON.stringify([event()]), { headers: { 'content-type': 'text/plain' } }),
        415,
        'unsupported_media_type',
      ],
      [
        'a form body',
        () => post('a=1', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
        415,
        'unsupported_media_type',
      ],
      [
        'a body over the limit',
        () =>
          post({
            events: [event({ data: { activeSec: 1 }, clientSessionId: 'x'.repeat(100) })],
            pad: 'p'.repeat(1_100_000),
          }),
        413,
        'body_too_large',
      ],
      [
        'more events than allowed',
        () => post(Array.from({ length: 501 }, () => event())),
        413,
        'too_many_events',
      ],
      ['no events', () => post({ events: [] }), 400, 'empty_batch'],
      ['an object without events', () => post({ evnts: [event()] }), 400, 'invalid_body'],
      [
        'a __proto__ key',
        () => post(`{"events":[${JSON.stringify(event()).slice(0, -1)},"data":{"__proto__":{"x":1}}}]}`),
        400,
        'forbidden_json_key',
      ],
      [
        'a constructor key',
        () => post(`{"events":[],"constructor":{"prototype":{"x":1}}}`),
        400,
        'forbidden_json_key',
      ],
    ];
    for (const [what, send, status, code] of refused) {
      it(`refuses ${what} (${status} ${code})`, async () => {
        const before = await storedEvents(t);
        const res = await send();
        assert.equal(res.statusCode, status);
        assert.equal((res.json() as { error: { code: string } }).error.code, code);
        assert.equal(await storedEvents(t), before);
      });
    }
  });

  describe('per-event validation', () => {
    const bad: [string, Record<string, unknown>, string][] = [
      ['id missing', { id: undefined }, 'missing_field'],
      ['type missing', { type: undefined }, 'missing_field'],
      ['occurredAt missing', { occurredAt: undefined }, 'missing_field'],
      ['id not a UUID', { id: 'not-a-uuid' }, 'invalid_uuid'],
      ['id a number', { id: 42 }, 'invalid_field'],
      ['an impossible date', { occurredAt: '2026-02-30T10:00:00Z' }, 'invalid_timestamp'],
      ['a date without time zone', { occurredAt: '2026-02-03T10:00:00' }, 'invalid_timestamp'],
      ['a date that is not one', { occurredAt: 'yesterday' }, 'invalid_timestamp'],
      ['a date in year 0', { occurredAt: '0000-01-01T00:00:00Z' }, 'invalid_timestamp'],
      ['occurredAt a number', { occurredAt: 1700000000 }, 'invalid_field'],
      ['an unknown type', { type: 'video_watched' }, 'unknown_event_type'],
      ['a userId that is not a string', { userId: 7 }, 'invalid_field'],
      ['a userId longer than 128', { userId: 'u'.repeat(129) }, 'value_too_long'],
      ['a 1 MB string', { clientSessionId: 'x'.repeat(1_000_000) }, 'value_too_long'],
      ['an unknown field', { colour: 'red' }, 'unknown_field'],
      ['data not an object', { data: [1, 2] }, 'invalid_field'],
      ['a wrong data field type', { data: { activeSec: 'thirty' } }, 'invalid_data'],
      ['an unknown data field', { data: { activesec: 30 } }, 'invalid_data'],
      [
        'deeply nested data',
        { type: 'x-custom', data: JSON.parse(`${'{"a":'.repeat(50)}1${'}'.repeat(50)}`) },
        'data_too_deep',
      ],
      ['a NUL character', { clientSessionId: 'a\u0000b' }, 'invalid_characters'],
      ['an unpaired surrogate', { type: 'x-custom', data: { note: 'a\ud800b' } }, 'invalid_characters'],
      [
        'a course_visit without courseId',
        { type: 'course_visit', courseId: undefined, data: undefined },
        'missing_field',
      ],
      ['a scroll depth over 100', { type: 'scroll_depth', value: 150, data: undefined }, 'invalid_field'],
      ['a rating of 6', { type: 'live_feedback', liveSessionId: 's1', data: { rating: 6 } }, 'invalid_data'],
      ['a device of unknown type', { device: { type: 'fridge' } }, 'invalid_field'],
      ['no user with an API key', { userId: undefined }, 'missing_user'],
      ['a null event', null as unknown as Record<string, unknown>, 'invalid_event'],
    ];
    for (const [what, overrides, code] of bad) {
      it(`rejects ${what} as ${code}`, async () => {
        const before = await storedEvents(t);
        const one = overrides === null ? null : event(overrides);
        const res = await post({ events: [one] });
        assert.equal(res.statusCode, 200);
        const body = res.json() as {
          accepted: number;
          rejected: { index: number; code: string; message: string }[];
        };
        assert.equal(body.accepted, 0);
        assert.equal(body.rejected.length, 1);
        assert.equal(body.rejected[0]!.code, code, body.rejected[0]!.message);
        assert.equal(await storedEvents(t), before);
      });
    }

    it('stores the valid events of a mixed batch and reports the rest by index', async () => {
      const good = [
        event(),
        event({ type: 'x-quiz.hint', data: { anything: [1, { deep: true }] } }),
        event({ type: 'course_visit', data: undefined }),
      ];
      const batch = [good[0], event({ id: 'nope' }), good[1], event({ type: 'nonsense' }), good[2]];
      const res = await post({ events: batch });
      const body = res.json() as { accepted: number; rejected: { index: number; code: string }[] };
      assert.equal(body.accepted, 3);
      assert.deepEqual(
        body.rejected.map((r) => [r.index, r.code]),
        [
          [1, 'invalid_uuid'],
          [3, 'unknown_event_type'],
        ],
      );
      const ids = good.map((g) => g.id as string);
      assert.equal(
        await count(t, 'SELECT count(*)::int AS n FROM events WHERE id = ANY($1::uuid[])', [ids]),
        3,
      );
    });

    it('accepts events far in the past and future, and late ones', async () => {
      const dates = [
        '1901-05-01T00:00:00Z',
        '2003-01-01T12:00:00+05:30',
        '9999-12-31T23:59:59Z',
        new Date().toISOString(),
      ];
      const batch = dates.map((occurredAt) => event({ occurredAt }));
      assert.equal((await post(batch)).json().accepted, 4);
      for (const e of batch) {
        const rows = await t.server.db.query<{ at: Date }>(
          'SELECT occurred_at AS at FROM events WHERE id = $1',
          [e.id],
        );
        assert.equal(rows[0]!.at.getTime(), Date.parse(e.occurredAt as string));
      }
    });
  });
});
