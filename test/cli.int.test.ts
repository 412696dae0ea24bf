import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { it } from 'node:test';
import { jwtVerify } from 'jose';
import { scratchDir } from './support/engines.js';
import { runCli } from './support/spawn-server.js';

it('lists every command in --help', async () => {
  const out = await runCli(['--help'], {});
  for (const command of ['serve', 'migrate', 'replay', 'token', 'demo'])
    assert.match(out, new RegExp(`\\b${command}\\b`));
});

it('prints a token that verifies with the configured secret and carries the role', async () => {
  const secret = 'cli-test-secret-0123456789abcdef';
  const out = await runCli(['token', '--user', 'u-42', '--role', 'instructor', '--name', 'Ada'], {
    LEARNPULSE_JWT_SECRET: secret,
  });
  const { payload } = await jwtVerify(out.trim(), new TextEncoder().encode(secret), {
    algorithms: ['HS256'],
  });
  assert.equal(payload.sub, 'u-42');
  assert.equal(payload.role, 'instructor');
  assert.equal(payload.name, 'Ada');
  assert.ok(typeof payload.exp === 'number' && payload.exp > Date.now() / 1000);
});

it('signs with the development secret kept in the data folder when none is configured', async () => {
  const dir = await scratchDir('cli-token');
  const first = await runCli(['token', '--user', 'u1', '--data-dir', dir], {});
  const second = await runCli(['token', '--user', 'u1', '--data-dir', dir], {});
  const file = path.join(dir, 'dev-credentials.json');
  const { jwtSecret } = JSON.parse(await fs.readFile(file, 'utf8')) as { jwtSecret: string };
  for (const token of [first, second]) {
    const { payload } = await jwtVerify(token.trim(), new TextEncoder().encode(jwtSecret));
    assert.equal(payload.role, 'student');
  }
});

it('migrates an embedded database once, then finds it up to date, and replays it', async () => {
  const dir = await scratchDir('cli-migrate');
  const env = { LEARNPULSE_DATA_DIR: dir };
  assert.match(await runCli(['migrate'], env, 120_000), /Applied migrations: 1/);
  assert.match(await runCli(['migrate'], env, 120_000), /up to date/);
  assert.match(
    await runCli(['replay'], env, 120_000),
    /Replayed 0 events into video, assessments, progress, daily_activity, live/,
  );
});
