import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

it('reads defaults, lets flags override the environment, and freezes', () => {
  const c = loadConfig({ PORT: '4000', LEARNPULSE_API_KEYS: 'key-aaaaaaaa, key-bbbbbbbb' }, { port: '5000' });
  assert.equal(c.port, 5000);
  assert.equal(c.host, '127.0.0.1');
  assert.deepEqual(c.apiKeys, ['key-aaaaaaaa', 'key-bbbbbbbb']);
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.maxEventsPerRequest, 500);
  assert.equal(c.bodyLimitBytes, 1024 * 1024);
  assert.equal(c.ingestMaxBatchEvents, 1000, 'PGlite batches stay small');
  assert.equal(loadConfig({ DATABASE_URL: 'postgres://h/db' }).ingestMaxBatchEvents, 5000);
  assert.ok(Object.isFrozen(c));
});

it('refuses invalid settings with a clear message', () => {
  assert.throws(() => loadConfig({ PORT: 'eighty' }), ConfigError);
  assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), /postgres/);
  assert.throws(() => loadConfig({ LEARNPULSE_API_KEYS: 'short' }), /at least 8/);
  assert.throws(() => loadConfig({ LEARNPULSE_JWT_SECRET: 'tiny' }), /16/);
});

it('reads CORS origins: any outside production unless set, none in production unless set', () => {
  assert.deepEqual(loadConfig({}).corsOrigins, ['*']);
  assert.deepEqual(loadConfig({ NODE_ENV: 'production' }).corsOrigins, []);
  assert.deepEqual(
    loadConfig({
      NODE_ENV: 'production',
      LEARNPULSE_CORS_ORIGINS: 'https://lms.example.org/, http://localhost:8080',
    }).corsOrigins,
    ['https://lms.example.org', 'http://localhost:8080'],
  );
  assert.deepEqual(loadConfig({ LEARNPULSE_CORS_ORIGINS: '' }).corsOrigins, [], 'empty: none');
  assert.deepEqual(loadConfig({ LEARNPULSE_CORS_ORIGINS: 'https://a.org,*' }).corsOrigins, ['*']);
  assert.throws(() => loadConfig({ LEARNPULSE_CORS_ORIGINS: 'lms.example.org' }), /scheme and host/);
  assert.throws(() => loadConfig({ LEARNPULSE_CORS_ORIGINS: 'https://lms.example.org/path' }), /no path/);
});
