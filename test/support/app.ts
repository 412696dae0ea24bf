import { randomUUID } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { signToken } from '../../src/auth/token.js';
import type { Role } from '../../src/auth/principal.js';
import { type Config, loadConfig } from '../../src/config/config.js';
import { createServer, type Server } from '../../src/server.js';
import type { Engine, TestDb } from './engines.js';

export const API_KEY = 'test-api-key-0123456789';
export const JWT_SECRET = 'test-jwt-secret-0123456789abcdef';

export interface TestApp {
  app: FastifyInstance;
  server: Server;
  testDb: TestDb;
  config: Config;
  /** Injects a request with the API key unless `auth` is given (a token, or null for none). */
  request(opts: InjectOptions & { auth?: string | null }): Promise<LightMyRequestResponse>;
  token(userId: string, role?: Role, expiresIn?: string | number): Promise<string>;
  close(): Promise<void>;
}

/** A server on a fresh database of the engine, with a known API key and JWT secret. */
export async function startTestApp(
  engine: Engine,
  env: NodeJS.ProcessEnv = {},
  options: { now?: () => Date } = {},
): Promise<TestApp> {
  const testDb = await engine.open();
  const config = loadConfig({ LEARNPULSE_API_KEYS: API_KEY, LEARNPULSE_JWT_SECRET: JWT_SECRET, ...env });
  const server = await createServer(config, testDb.db, options.now ? { now: options.now } : {});
  const app = server.app;
  return {
    app,
    server,
    testDb,
    config,
    request({ auth, ...opts }) {
      const headers = { ...(opts.headers ?? {}) } as Record<string, string>;
      const credential = auth === undefined ? API_KEY : auth;
      if (credential !== null) headers.authorization = `Bearer ${credential}`;
      return app.inject({ ...opts, headers });
    },
    token: (userId, role = 'student', expiresIn = '1h') => signToken(JWT_SECRET, { userId, role }, expiresIn),
    async close() {
      await server.close();
      if (testDb.url) await testDb.close();
    },
  };
}

/** A valid event of a type, with overrides. */
export function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    type: 'heartbeat',
    occurredAt: '2026-11-20T10:00:00.000Z',
    userId: 'u1',
    courseId: 'c1',
    data: { activeSec: 30 },
    ...overrides,
  };
}

/** One number from a query (`SELECT count(*)::int AS n ...`). */
export async function count(t: TestApp, sql: string, params: unknown[] = []): Promise<number> {
  const rows = await t.server.db.query<{ n: number }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

/** Every catalog row, to prove a refused request changed nothing. */
export async function catalogSnapshot(t: TestApp): Promise<string> {
  const tables = [
    ['users', 'id'],
    ['courses', 'id'],
    ['items', 'id'],
    ['enrollments', 'course_id, user_id'],
    ['live_sessions', 'id'],
    ['live_session_registrations', 'session_id, user_id'],
  ] as const;
  const out: Record<string, unknown> = {};
  for (const [table, order] of tables) {
    out[table] = await t.server.db.query(`SELECT * FROM ${table} ORDER BY ${order}`);
  }
  return JSON.stringify(out);
}

/** A reply as the tests read it. */
export interface Reply {
  statusCode: number;
  body: string;
  json(): unknown;
}

/**
 * Short calls to `/api/v1`: the API key unless `auth` is given (a token, or null for none).
 * @example const c = apiClient(() => t); await c.put('/users/u1', { displayName: 'Ada' });
 */
export function apiClient(t: () => TestApp) {
  const send = (
    method: 'GET' | 'PUT' | 'DELETE' | 'POST',
    url: string,
    payload?: unknown,
    auth?: string | null,
  ) =>
    t().request({
      method,
      url: `/api/v1${url}`,
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
      ...(auth !== undefined ? { auth } : {}),
    }) as Promise<Reply>;
  return {
    send,
    get: (url: string, auth?: string | null) => send('GET', url, undefined, auth),
    put: (url: string, payload?: unknown, auth?: string | null) => send('PUT', url, payload, auth),
    del: (url: string, auth?: string | null) => send('DELETE', url, undefined, auth),
    post: (url: string, payload: unknown, auth?: string | null) => send('POST', url, payload, auth),
  };
}
