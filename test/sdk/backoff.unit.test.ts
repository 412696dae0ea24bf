// Retry timing and how the tracker reads the server's answers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BACKOFF_MAX_MS, backoffDelay, RETRY_AFTER_MAX_MS, retryAfterMs } from '../../sdk/src/backoff.js';
import { classify } from '../../sdk/src/transport.js';
import { fakeServer, T0 } from './fakes.js';

describe('backoff', () => {
  it('doubles from about a second, with half of each step random, up to five minutes', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const step = Math.min(BACKOFF_MAX_MS, 1000 * 2 ** attempt);
      assert.equal(backoffDelay(attempt, 0), step / 2);
      assert.equal(backoffDelay(attempt, 1), step);
      const d = backoffDelay(attempt, 0.37);
      assert.ok(d >= step / 2 && d <= step);
    }
    assert.equal(backoffDelay(60, 1), BACKOFF_MAX_MS, 'no overflow on a long outage');
  });

  it('jitter spreads clients that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, (_, i) => Math.round(backoffDelay(4, i / 50))));
    assert.equal(delays.size, 50);
  });

  it('reads Retry-After as seconds or an HTTP date, capped at an hour', () => {
    assert.equal(retryAfterMs('120', T0), 120_000);
    assert.equal(retryAfterMs(new Date(T0 + 30_000).toUTCString(), T0), 30_000);
    assert.equal(retryAfterMs(new Date(T0 - 30_000).toUTCString(), T0), 0);
    assert.equal(retryAfterMs('999999', T0), RETRY_AFTER_MAX_MS);
    assert.equal(retryAfterMs('soon', T0), undefined);
    assert.equal(retryAfterMs(null, T0), undefined);
  });
});

describe('classify', () => {
  const { reply } = fakeServer();
  const err = (status: number, code: string, headers?: Record<string, string>) =>
    classify(reply(status, { error: { code, message: code } }, headers), T0);

  it('a 200 acknowledges the batch but the rejected events, which it names', async () => {
    const rejected = [{ index: 1, code: 'invalid_data', message: 'x' }];
    assert.deepEqual(await classify(reply(200, { accepted: 1, duplicates: 0, rejected }), T0), {
      kind: 'ok',
      rejected,
    });
  });

  it('retries what may pass: 5xx, 429 (after Retry-After), 408, a proxy’s 404 or 403, an unreadable 200', async () => {
    assert.deepEqual(await err(503, 'shutting_down', { 'retry-after': '1' }), {
      kind: 'retry',
      afterMs: 1000,
    });
    assert.deepEqual(await err(429, 'rate_limited', { 'retry-after': '7' }), {
      kind: 'retry',
      afterMs: 7000,
    });
    assert.deepEqual(await err(500, 'internal_error'), { kind: 'retry' });
    assert.deepEqual(await err(408, ''), { kind: 'retry' });
    assert.deepEqual(await err(404, 'route_not_found'), { kind: 'retry' });
    assert.deepEqual(await err(403, 'forbidden'), { kind: 'retry' });
    assert.deepEqual(await err(415, 'unsupported_media_type'), { kind: 'retry' });
    const garbled = { status: 200, headers: { get: () => null }, text: async () => '<html>' };
    assert.deepEqual(await classify(garbled, T0), { kind: 'retry' });
  });

  it('a 401 asks for a new token', async () => {
    assert.deepEqual(await err(401, 'token_expired'), { kind: 'auth' });
  });

  it('splits requests refused whole for their content or size', async () => {
    for (const [status, code] of [
      [413, 'body_too_large'],
      [413, 'too_many_events'],
      [400, 'invalid_json'],
      [400, 'invalid_body'],
      [400, 'validation_failed'],
      [403, 'event_user_mismatch'],
    ] as const) {
      assert.deepEqual(await err(status, code), { kind: 'split', code, message: code }, code);
    }
    const proxy413 = { status: 413, headers: { get: () => null }, text: async () => 'Too Large' };
    assert.equal((await classify(proxy413, T0)).kind, 'split');
  });
});
