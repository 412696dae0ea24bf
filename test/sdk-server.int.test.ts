// What the server does for the browser tracker, on both engines: CORS for pages on the
// platform's own origin (preflight, and the headers on the answers the tracker reads: 200, 401,
// 413), none for other origins or in production by default; every event the tracker core makes
// is accepted by the real validator (and a resend is a duplicate); a refused token is refreshed;
// and the tracker script is served at /sdk/learnpulse.js.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { memoryStore } from '../sdk/src/store.js';
import { Tracker } from '../sdk/src/tracker.js';
import type { Fetcher } from '../sdk/src/transport.js';
import type { DroppedEvent } from '../sdk/src/types.js';
import { signToken } from '../src/auth/token.js';
import { registerSdkScript } from '../src/http/sdk-script.js';
import { apiClient, count, startTestApp, type TestApp } from './support/app.js';
import { forEachEngine } from './support/engines.js';

const LMS = 'https://lms.example.org';

/** The tracker core's fetch, answered by the app in process. */
const injectFetch =
  (t: () => TestApp): Fetcher =>
  async (url, init) => {
    const res = await t().app.inject({
      method: 'POST',
      url: new URL(url).pathname,
      headers: init.headers,
      payload: init.body,
    });
    return {
      status: res.statusCode,
      headers: { get: (n) => (res.headers[n.toLowerCase()] as string | undefined) ?? null },
      text: async () => res.body,
    };
  };

forEachEngine((engine) => {
  describe('server support for the browser tracker', () => {
    let t: TestApp;
    let learner: string;
    const api = apiClient(() => t);
    const preflight = (origin: string, app = t) =>
      app.app.inject({
        method: 'OPTIONS',
        url: '/api/v1/events',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });

    before(async () => {
      t = await startTestApp(engine, { LEARNPULSE_CORS_ORIGINS: `${LMS},http://localhost:8080` });
      await api.put('/courses/c1', { title: 'Course', instructorIds: ['t1'] });
      await api.put('/courses/c1/items', {
        items: [
          { id: 'l1', type: 'lesson', title: 'Lesson', position: 1 },
          { id: 'v1', type: 'video', title: 'Video', position: 2, durationSec: 60 },
          { id: 'q1', type: 'quiz', title: 'Quiz', position: 3 },
        ],
      });
      await api.put('/users/u1', { displayName: 'Ada' });
      await api.put('/courses/c1/enrollments/u1', { role: 'student' });
      learner = await t.token('u1');
    });
    after(() => t?.close());

    it('answers a preflight from a configured origin before authentication, cached for 10 minutes', async () => {
      const res = await preflight(LMS);
      assert.equal(res.statusCode, 204);
      assert.equal(res.headers['access-control-allow-origin'], LMS);
      assert.match(String(res.headers['access-control-allow-methods']), /POST/);
      assert.match(String(res.headers['access-control-allow-headers']), /authorization/);
      assert.match(String(res.headers['access-control-allow-headers']), /content-type/);
      assert.equal(res.headers['access-control-max-age'], '600');
      assert.equal(res.headers['access-control-allow-credentials'], undefined, 'bearer tokens, no cookies');
      assert.match(String(res.headers.vary), /Origin/);
    });

    it('puts the CORS headers on the answers the tracker must read: accepted, 401 and 413', async () => {
      const post = (payload: string, auth: string) =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/events',
          headers: { origin: LMS, authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
          payload,
        });
      const event = {
        id: crypto.randomUUID(),
        type: 'course_visit',
        occurredAt: new Date().toISOString(),
        courseId: 'c1',
      };
      const okRes = await post(JSON.stringify({ events: [event] }), learner);
      assert.equal(okRes.statusCode, 200);
      const unauthorized = await post(JSON.stringify({ events: [event] }), 'not-a-token');
      assert.equal(unauthorized.statusCode, 401);
      const tooLarge = await post(
        JSON.stringify({ events: [event], pad: 'x'.repeat(t.config.bodyLimitBytes) }),
        learner,
      );
      assert.equal(tooLarge.statusCode, 413);
      for (const res of [okRes, unauthorized, tooLarge]) {
        assert.equal(res.headers['access-control-allow-origin'], LMS, `status ${res.statusCode}`);
        assert.equal(res.headers['access-control-expose-headers'], 'retry-after');
      }
    });

    it('gives pages of other origins no CORS headers', async () => {
      const res = await preflight('https://evil.example.com');
      assert.equal(res.headers['access-control-allow-origin'], undefined);
      const get = await t.app.inject({ url: '/healthz', headers: { origin: 'https://evil.example.com' } });
      assert.equal(get.headers['access-control-allow-origin'], undefined);
    });

    it('accepts every kind of event the tracker core makes, sent as it sends them; a resend is a duplicate', async () => {
      const dropped: DroppedEvent[] = [];
      const sent: string[] = [];
      const fetch = injectFetch(() => t);
      const tracker = new Tracker(
        {
          endpoint: 'http://learnpulse.test',
          token: learner,
          courseId: 'c1',
          onDrop: (d) => dropped.push(...d),
        },
        {
          now: Date.now,
          random: Math.random,
          setTimeout: (fn, ms) => setTimeout(fn, ms),
          clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
          store: memoryStore(),
          fetch: async (url, init) => {
            sent.push(init.body);
            return fetch(url, init);
          },
          base: {
            clientSessionId: '0192f1c2-5a3b-7c4d-8e5f-0123456789ab',
            device: { type: 'desktop', os: 'Linux', browser: 'Chrome' },
          },
        },
      );
      const ids = [
        tracker.track('course_visit'),
        tracker.track('heartbeat', { itemId: 'l1', data: { activeSec: 30 } }),
        tracker.track('scroll_depth', { itemId: 'l1', value: 80 }),
        tracker.track('lesson_progress', { itemId: 'l1', value: 50 }),
        tracker.track('video_heartbeat', {
          itemId: 'v1',
          data: { positionSec: 10, durationSec: 60, segments: [[0, 10]] },
        }),
        tracker.track('video_heartbeat', {
          itemId: 'v1',
          data: { positionSec: 60, durationSec: 60, segments: [[10, 30]], playbackRate: 2, ended: true },
        }),
        tracker.track('quiz_submit', {
          itemId: 'q1',
          data: { attemptId: 'a1', score: 8, maxScore: 10, passed: true, timeSpentSec: 120 },
        }),
        tracker.track('lesson_complete', { itemId: 'l1' }),
        tracker.track('x-platform.note', { data: { text: 'custom' } }),
      ].map((e) => e.id);
      assert.equal(await tracker.flush(), 0);
      assert.deepEqual(dropped, []);
      const stored = await count(t, 'SELECT count(*)::int AS n FROM events WHERE id = ANY($1::uuid[])', [
        ids,
      ]);
      assert.equal(stored, ids.length);
      const again = await t.request({
        method: 'POST',
        url: '/api/v1/events',
        auth: learner,
        payload: { events: sent.flatMap((body) => JSON.parse(body).events) },
      });
      assert.deepEqual(again.json(), { accepted: 0, duplicates: ids.length, rejected: [] });
    });

    it('refreshes a refused token through getToken and delivers', async () => {
      const wrong = await signToken('another-secret-0123456789abcdef', { userId: 'u1', role: 'student' });
      const tokens = [wrong, learner];
      let calls = 0;
      const tracker = new Tracker(
        { endpoint: 'http://learnpulse.test', getToken: () => tokens[calls++]!, courseId: 'c1' },
        {
          now: Date.now,
          random: Math.random,
          setTimeout: (fn, ms) => setTimeout(fn, ms),
          clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
          store: memoryStore(),
          fetch: injectFetch(() => t),
        },
      );
      const e = tracker.track('lesson_complete', { itemId: 'l1' });
      assert.equal(await tracker.flush(), 0);
      assert.equal(calls, 2);
      assert.equal(await count(t, 'SELECT count(*)::int AS n FROM events WHERE id = $1', [e.id]), 1);
    });

    it('sends no CORS headers in production unless origins are configured', async () => {
      const prod = await startTestApp(engine, { NODE_ENV: 'production' });
      try {
        const res = await preflight(LMS, prod);
        assert.equal(res.headers['access-control-allow-origin'], undefined);
      } finally {
        await prod.close();
      }
    });
  });
});

describe('GET /sdk/learnpulse.js', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lp-sdk-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the built tracker as JavaScript, cached briefly and revalidated by ETag', async () => {
    const file = path.join(dir, 'learnpulse.js');
    writeFileSync(file, 'var learnpulse=1;');
    const app = Fastify();
    registerSdkScript(app, file);
    const res = await app.inject({ url: '/sdk/learnpulse.js' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, 'var learnpulse=1;');
    assert.equal(res.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'public, max-age=300');
    const etag = String(res.headers.etag);
    const again = await app.inject({ url: '/sdk/learnpulse.js', headers: { 'if-none-match': etag } });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
    await app.close();
  });

  it('says how to build it when it is not built', async () => {
    const app = Fastify();
    registerSdkScript(app, path.join(dir, 'missing.js'));
    const res = await app.inject({ url: '/sdk/learnpulse.js' });
    assert.equal(res.statusCode, 404);
    assert.match(res.body, /npm run build/);
    assert.equal(res.headers['cache-control'], 'no-store');
    await app.close();
  });
});
