import { repoDir } from './build.js';
import { type ServerProcess, startServer } from './server.js';

/** The API key every bench's server accepts. */
export const BENCH_API_KEY = 'bench-key';
/** Given so that the server does not generate development credentials into ./data. */
export const BENCH_JWT_SECRET = 'bench-jwt-secret-not-for-production';

/**
 * Readers of a bench's settings from the environment: malformed values stop the bench with the
 * variable's name instead of running it with a wrong figure.
 */
export function envSettings(env: NodeJS.ProcessEnv) {
  return {
    /** The PostgreSQL server's maintenance database, where the bench creates its own. */
    adminUrl: env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    int(name: string, fallback: number, min = 1): number {
      const n = Number(env[name] ?? fallback);
      if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}`);
      return n;
    },
    num(name: string, fallback: number): number {
      const n = Number(env[name] ?? fallback);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number`);
      return n;
    },
    flag: (name: string): boolean => ['1', 'true', 'yes'].includes((env[name] ?? '').toLowerCase()),
  };
}

/** Progress lines on stderr, each with the seconds since the bench started. */
export function benchLog(tag: string): (message: string) => void {
  const t0 = Date.now();
  return (message) =>
    process.stderr.write(`[${tag} ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${message}\n`);
}

/** The environment `learnpulse serve` runs with in a bench; its defaults otherwise (pool, writers, batch). */
export function benchServerEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    LEARNPULSE_API_KEYS: BENCH_API_KEY,
    LEARNPULSE_JWT_SECRET: BENCH_JWT_SECRET,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** Starts `learnpulse serve` from the built package on a free port, ready when it answers /readyz. */
export function serveLearnpulse(env: NodeJS.ProcessEnv, readyTimeoutMs?: number): Promise<ServerProcess> {
  return startServer({
    args: ['bin/learnpulse.js', 'serve', '--port', '{port}', '--host', '127.0.0.1'],
    cwd: repoDir,
    env,
    ...(readyTimeoutMs === undefined ? {} : { readyTimeoutMs }),
  });
}
