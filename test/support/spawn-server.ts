import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { PROJECTIONS } from '../../src/projections/registry.js';
import type { Queryable } from '../../src/store/db.js';
import { API_KEY, JWT_SECRET } from './app.js';

/** The repository root: the CLI runs from here through tsx, so no build is needed. */
export const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Settings inherited from the test's own environment that must not leak into a spawned server. */
const SCRUBBED = [
  'DATABASE_URL',
  'TEST_DATABASE_URL',
  'PORT',
  'HOST',
  'LEARNPULSE_DATA_DIR',
  'LEARNPULSE_API_KEYS',
  'LEARNPULSE_JWT_SECRET',
  'LEARNPULSE_JWKS_URL',
];

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process running the CLI, with its output kept for failure messages. */
export interface CliProcess {
  child: ChildProcess;
  pid: number;
  /** Settles when the process has exited. */
  exited: Promise<Exit>;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
}

export interface SpawnedServer extends CliProcess {
  port: number;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Sends a signal and waits for the exit (SIGKILL after `graceMs` if it is still running). */
  kill(signal?: NodeJS.Signals, graceMs?: number): Promise<Exit>;
}

const running = new Set<ChildProcess>();
// A failed test must not leave servers behind holding a port, a data folder or database connections.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A port nothing listens on right now on 127.0.0.1 (the OS picks it; we close and hand it over). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', resolve);
  });
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** The environment a spawned CLI gets: ours without database/server settings, plus `env`. */
export function cliEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const key of SCRUBBED) delete base[key];
  const merged: NodeJS.ProcessEnv = { ...base, LOG_LEVEL: 'warn', ...env };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  return merged;
}

/** Runs `learnpulse <args>` from the sources (`node --import tsx src/cli/main.ts`). */
export function spawnCli(args: string[], env: Record<string, string | undefined>): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: repoDir,
    env: cliEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  const keep = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  return { child, pid: child.pid!, exited, output: () => out };
}

/** Runs a CLI command to its end; rejects (with its output) when it does not exit with 0. */
export async function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs = 60_000,
): Promise<string> {
  const p = spawnCli(args, env);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const exit = await p.exited;
  clearTimeout(timer);
  if (exit.code !== 0) {
    throw new Error(`learnpulse ${args.join(' ')} exited with ${exit.code ?? exit.signal}:\n${p.output()}`);
  }
  return p.output();
}

/**
 * Starts `learnpulse serve` on a free port of 127.0.0.1 with a known API key and JWT secret and
 * `env` on top (DATABASE_URL or LEARNPULSE_DATA_DIR), and waits until /readyz answers 200.
 */
export async function spawnServer(
  env: Record<string, string | undefined>,
  options: { readyTimeoutMs?: number } = {},
): Promise<SpawnedServer> {
  const port = await freePort();
  const proc = spawnCli(['serve'], {
    LEARNPULSE_API_KEYS: API_KEY,
    LEARNPULSE_JWT_SECRET: JWT_SECRET,
    ...env,
    HOST: '127.0.0.1',
    PORT: String(port),
  });
  const url = `http://127.0.0.1:${port}`;
  let exit: Exit | undefined;
  void proc.exited.then((e) => {
    exit = e;
  });
  const kill = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 30_000): Promise<Exit> => {
    if (exit) return exit;
    proc.child.kill(signal);
    const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
    const e = await proc.exited;
    clearTimeout(timer);
    return e;
  };
  const server: SpawnedServer = { ...proc, port, url, kill };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 45_000);
  for (;;) {
    if (exit) {
      throw new Error(
        `learnpulse serve exited with ${exit.code ?? exit.signal} before it was ready:\n${proc.output()}`,
      );
    }
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return server;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await kill('SIGKILL');
      throw new Error(`learnpulse serve was not ready within the time limit:\n${proc.output()}`);
    }
    await sleep(100);
  }
}

/** An API client for a spawned server, authenticated with the test API key. */
export function apiClient(baseUrl: string) {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` };
  return {
    async send(method: string, url: string, body?: unknown): Promise<{ status: number; body: unknown }> {
      const res = await fetch(`${baseUrl}${url}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON: kept as text for the assertion message.
      }
      return { status: res.status, body: parsed };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The workload shared by the multi-process and durability tests, and the brute-force answer
// daily_activity must give for it.

/** The demo's seeded PRNG (mulberry32): a failing run can be reproduced from its seed. */
export { prng } from '../../src/demo/random.js';

export interface Learner {
  id: string;
  /** Set through PUT /users/:id; absent: never pushed to the catalog, so its days are UTC days. */
  timezone?: string;
}

/** Zones with odd offsets (half and quarter hours, +14, −11) and daylight-saving changes. */
export const ZONES = [
  'Asia/Kolkata',
  'America/St_Johns',
  'Pacific/Chatham',
  'America/Los_Angeles',
  'Pacific/Kiritimati',
  'Pacific/Pago_Pago',
  'Australia/Adelaide',
  'Europe/Berlin',
];

export const COURSES = ['c-alpha', 'c-beta', 'c-gamma'];

/** Odd activeSec values: fractions (rounding to whole milliseconds), 0, the maximum. */
const ACTIVE_SEC = [12.345, 30, 0.5, 59.999, 1.0005, 0, 3600, 0.0004, 7.77, 15, 0.1 + 0.2, 29.5];

/** An instant: mostly Sep 2026–Jan 2027 (several monthly partitions), some far past or future (default partition). */
function instant(rand: () => number): string {
  const r = rand();
  let ms: number;
  if (r < 0.03) ms = Date.UTC(2019, 6, 14) + Math.floor(rand() * 86_400_000 * 3);
  else if (r < 0.06) ms = Date.UTC(2024, 11, 31) + Math.floor(rand() * 86_400_000 * 2);
  else if (r < 0.08) ms = Date.UTC(2027, 2, 10) + Math.floor(rand() * 86_400_000 * 5);
  else {
    // Around local midnights of many zones: the hour of the day is spread evenly.
    ms = Date.UTC(2026, 8, 1) + Math.floor(rand() * 137) * 86_400_000 + Math.floor(rand() * 86_400_000);
  }
  const iso = new Date(ms).toISOString();
  // Some clients send local offsets; the server normalises to UTC.
  if (rand() < 0.15) {
    const local = new Date(ms + 5.5 * 3_600_000).toISOString().slice(0, -1);
    return `${local}+05:30`;
  }
  return iso;
}

/** `n` events of the learners: heartbeats (fractional, default and zero activeSec), visits, custom ones. */
export function makeEvents(
  n: number,
  learners: readonly Learner[],
  rand: () => number,
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const learner = learners[Math.floor(rand() * learners.length)]!;
    const courseId = COURSES[Math.floor(rand() * COURSES.length)]!;
    const base = { id: randomUUID(), occurredAt: instant(rand), userId: learner.id };
    const r = rand();
    if (r < 0.55) {
      const activeSec = ACTIVE_SEC[Math.floor(rand() * ACTIVE_SEC.length)]!;
      out.push({ ...base, type: 'heartbeat', courseId, data: { activeSec } });
    } else if (r < 0.62) {
      out.push({
        ...base,
        type: 'heartbeat',
        courseId,
        data: { activeSec: Math.round(rand() * 3_600_000) / 1000 },
      });
    } else if (r < 0.67) {
      out.push({ ...base, type: 'heartbeat', courseId });
    } else if (r < 0.7) {
      out.push({ ...base, type: 'heartbeat', data: { activeSec: 10 } });
    } else if (r < 0.85) {
      out.push({ ...base, type: 'course_visit', courseId });
    } else if (r < 0.9) {
      // Items the catalog does not have: their progress belongs to the course the events name.
      const itemId = `${courseId}-item-${Math.floor(rand() * 3)}`;
      out.push({ ...base, type: 'lesson_progress', courseId, itemId, value: Math.round(rand() * 1000) / 10 });
    } else if (r < 0.93) {
      const attemptId = `a${Math.floor(rand() * 4)}`;
      const score = Math.floor(rand() * 11);
      out.push({
        ...base,
        type: 'quiz_submit',
        courseId,
        itemId: `${courseId}-quiz`,
        data: { attemptId: `${attemptId}-${score}`, score, maxScore: 10, passed: score >= 6 },
      });
    } else {
      out.push({
        ...base,
        type: 'x-custom.note',
        courseId,
        data: { n: i, note: 'ünïcødé ✓', nested: { ok: true } },
      });
    }
  }
  return out;
}

/** The learner's calendar day of an instant, from Intl's parts (not the server's formatter). */
function dayIn(instantIso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(new Date(instantIso));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return `${String(get('year')).padStart(4, '0')}-${String(get('month')).padStart(2, '0')}-${String(get('day')).padStart(2, '0')}`;
}

export type DailyRow = {
  user_id: string;
  course_id: string;
  day: string;
  active_ms: string;
  visits: number;
};

const byKey = (a: DailyRow, b: DailyRow) => {
  const ka = `${a.user_id}\u0000${a.course_id}\u0000${a.day}`;
  const kb = `${b.user_id}\u0000${b.course_id}\u0000${b.day}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/** daily_activity computed by brute force from the distinct events sent and each learner's zone. */
export function expectedDailyActivity(
  events: Iterable<Record<string, unknown>>,
  zoneOf: (userId: string) => string,
): DailyRow[] {
  const rows = new Map<string, { row: DailyRow; ms: bigint }>();
  const seen = new Set<string>();
  for (const e of events) {
    if (seen.has(e.id as string)) continue;
    seen.add(e.id as string);
    // Every native learning event makes a learner's day (custom x- types and certificates do not);
    // only heartbeats add time and only visits count as visits in these workloads.
    const type = e.type as string;
    if (type.startsWith('x-') || type === 'certification_issued') continue;
    if (typeof e.courseId !== 'string') continue;
    const userId = e.userId as string;
    const day = dayIn(e.occurredAt as string, zoneOf(userId));
    const key = `${userId}\u0000${e.courseId}\u0000${day}`;
    let acc = rows.get(key);
    if (!acc) {
      acc = { row: { user_id: userId, course_id: e.courseId, day, active_ms: '0', visits: 0 }, ms: 0n };
      rows.set(key, acc);
    }
    if (e.type === 'course_visit') acc.row.visits++;
    else if (e.type === 'heartbeat') {
      const sec = (e.data as { activeSec?: number } | undefined)?.activeSec ?? 30;
      acc.ms += BigInt(Math.round(sec * 1000));
    }
  }
  return [...rows.values()].map(({ row, ms }) => ({ ...row, active_ms: ms.toString() })).sort(byKey);
}

/** The daily_activity table in the same shape and order as `expectedDailyActivity`. */
export async function dailyActivitySnapshot(db: Queryable): Promise<DailyRow[]> {
  const rows = await db.query<DailyRow>(
    `SELECT user_id, course_id, day::text AS day, active_ms::text AS active_ms, visits::int AS visits
     FROM daily_activity ORDER BY user_id COLLATE "C", course_id COLLATE "C", day`,
  );
  return rows.map((r) => ({ ...r })).sort(byKey);
}

/** Asserts two daily_activity snapshots are equal, reporting the first differing keys briefly. */
export function assertSameRows(actual: DailyRow[], expected: DailyRow[], message: string): void {
  const key = (r: DailyRow) => `${r.user_id} ${r.course_id} ${r.day}`;
  const a = new Map(actual.map((r) => [key(r), r]));
  const e = new Map(expected.map((r) => [key(r), r]));
  const diffs: string[] = [];
  for (const k of new Set([...a.keys(), ...e.keys()])) {
    const x = a.get(k);
    const y = e.get(k);
    if (x && y && x.active_ms === y.active_ms && x.visits === y.visits) continue;
    const show = (r: DailyRow | undefined) => (r ? `${r.active_ms} ms, ${r.visits} visits` : 'no row');
    diffs.push(`${k}: ${show(x)}, expected ${show(y)}`);
  }
  if (diffs.length === 0) return;
  throw new assert.AssertionError({
    message: `${message}: ${diffs.length} of ${expected.length} rows differ (${actual.length} rows found), e.g.\n  ${diffs.slice(0, 8).join('\n  ')}`,
    actual: actual.length,
    expected: expected.length,
    operator: 'sameRows',
  });
}

/**
 * Every projection table, rows in a stable order, as one string: what ingest kept, to compare with
 * what `replay` rebuilds from the log.
 */
export async function projectionSnapshot(db: Queryable): Promise<string> {
  const out: Record<string, string[]> = {};
  for (const p of PROJECTIONS) {
    for (const table of p.tables) {
      const rows = await db.query<{ r: string }>(`SELECT row_to_json(t)::text AS r FROM ${table} t`);
      out[table] = rows.map((x) => x.r).sort();
    }
  }
  return JSON.stringify(out);
}
