import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { event, startTestApp, type TestApp } from './support/app.js';
import { forEachEngine } from './support/engines.js';

forEachEngine((engine) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(engine);
  });
  after(() => t.close());

  it('answers /healthz and /readyz without credentials', async () => {
    assert.deepEqual((await t.request({ url: '/healthz', auth: null })).json(), { status: 'ok' });
    assert.deepEqual((await t.request({ url: '/readyz', auth: null })).json(), {
      status: 'ready',
      engine: engine.name,
    });
  });

  it('exports ingest counters, batch sizes and commit latency to Prometheus', async () => {
    await t.request({
      method: 'POST',
      url: '/api/v1/events',
      payload: [event(), event(), event({ id: 'bad' })],
    });
    const text = (await t.request({ url: '/metrics', auth: null })).body;
    assert.match(text, /learnpulse_ingest_events_total\{outcome="accepted"\} 2/);
    assert.match(text, /learnpulse_ingest_events_total\{outcome="rejected"\} 1/);
    assert.match(text, /learnpulse_ingest_batch_events_count [1-9]/);
    assert.match(text, /learnpulse_ingest_commit_seconds_bucket\{le="\+Inf"\} [1-9]/);
    assert.match(text, /process_resident_memory_bytes/);
  });

  it('serves the OpenAPI document and a browsable reference', async () => {
    const doc = (await t.request({ url: '/api/v1/openapi.json', auth: null })).json() as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    assert.match(doc.openapi, /^3\./);
    for (const path of [
      '/api/v1/events',
      '/api/v1/users/{userId}',
      '/api/v1/courses/{courseId}/items',
      '/api/v1/live-sessions/{sessionId}/registrations/{userId}',
    ]) {
      assert.ok(doc.paths[path], `${path} documented`);
    }
    const page = await t.request({ url: '/docs/', auth: null });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /swagger/i);
  });

  it('answers unknown routes with the error envelope', async () => {
    const res = await t.request({ url: '/api/v1/nope' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'route_not_found');
  });

  it('commits what was queued before closing and refuses what comes after', async () => {
    const own = await startTestApp(engine);
    try {
      const queued = [event(), event()].map((e) => ({ ...e, userId: 'u1' }) as never);
      const inflight = own.server.committer.submit(queued);
      const closing = own.server.committer.close();
      const late = await own.server.committer.submit([]).catch((err: { code?: string }) => err.code);
      assert.equal(late, 'shutting_down');
      assert.equal((await inflight).accepted, 2);
      await closing;
      const res = await own.request({ method: 'POST', url: '/api/v1/events', payload: [event()] });
      assert.equal(res.statusCode, 503);
      assert.equal(res.json().error.code, 'shutting_down');
    } finally {
      await own.close();
    }
  });
});
