import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signToken } from '../../src/auth/token.js';
import type { Role } from '../../src/auth/principal.js';
import { API_KEY, JWT_SECRET } from './app.js';
import { type CliProcess, freePort, spawnCli } from './spawn-server.js';

export interface DemoServer {
  url: string;
  proc: CliProcess;
  token(userId: string, role: Role, name?: string): Promise<string>;
  /** GETs the API with a token (the API key by default) and returns the parsed JSON. */
  api<T = Record<string, unknown>>(path: string, token?: string): Promise<T>;
  stop(): Promise<void>;
}

/**
 * `learnpulse demo` as a new user runs it (embedded database in a fresh folder, demo platform
 * generated and live activity produced), from the sources, with a known API key and secret.
 */
export async function startDemoServer(learners?: number, readyTimeoutMs = 180_000): Promise<DemoServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'learnpulse-e2e-'));
  const port = await freePort();
  const proc = spawnCli(
    [
      'demo',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      ...(learners ? ['--learners', String(learners)] : []),
    ],
    { LEARNPULSE_API_KEYS: API_KEY, LEARNPULSE_JWT_SECRET: JWT_SECRET },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    proc.child.kill('SIGTERM');
    const timer = setTimeout(() => proc.child.kill('SIGKILL'), 20_000);
    await proc.exited;
    clearTimeout(timer);
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + readyTimeoutMs;
  let exited = false;
  void proc.exited.then(() => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error(`learnpulse demo exited before it was ready:\n${proc.output()}`);
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // Still generating the demo platform.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`learnpulse demo not ready after ${readyTimeoutMs} ms:\n${proc.output()}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    url,
    proc,
    token: (userId, role, name) => signToken(JWT_SECRET, { userId, role, ...(name ? { name } : {}) }, '2h'),
    async api<T>(p: string, token = API_KEY): Promise<T> {
      const res = await fetch(`${url}/api/v1${p}`, { headers: { authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error(`GET ${p}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    stop,
  };
}
