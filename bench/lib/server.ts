import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A server under test, running as a child process so that its memory can be read on its own. */
export interface ServerProcess {
  readonly pid: number;
  readonly baseUrl: string;
  /** The last lines the process wrote, for error messages. */
  output(): string;
  /** SIGTERM, then waits for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/** A free TCP port on 127.0.0.1, found by letting the kernel pick one. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface StartOptions {
  /** Arguments after `node`; `{port}` is replaced by the chosen port. */
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** PGlite needs several seconds to initialise a fresh data folder. */
  readyTimeoutMs?: number;
}

/**
 * Starts a server and resolves once `GET /readyz` answers 200.
 * @example const s = await startServer({ args: ['bin/learnpulse.js', 'serve', '--port', '{port}'], env, cwd });
 */
export async function startServer(opts: StartOptions): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    opts.args.map((a) => a.replace('{port}', String(port))),
    { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = once(child, 'exit');
  const server: ServerProcess = {
    pid: child.pid ?? -1,
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => tail,
    stop: (graceMs = 15_000) => stop(child, exited, graceMs),
  };
  try {
    await waitReady(server.baseUrl, child, opts.readyTimeoutMs ?? 60_000);
  } catch (err) {
    await server.stop(2000);
    throw new Error(`${(err as Error).message}\n--- server output ---\n${tail}`);
  }
  return server;
}

async function waitReady(baseUrl: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited before it was ready (code ${child.exitCode ?? child.signalCode})`);
    }
    try {
      const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`server not ready after ${timeoutMs} ms`);
}

async function stop(child: ChildProcess, exited: Promise<unknown>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
