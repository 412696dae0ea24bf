import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import postgres from 'postgres';
import type { MonthRange } from './events.js';

const run = promisify(execFile);

/** The same server URL pointing at another database. */
export function databaseUrl(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = '/' + database;
  return url.toString();
}

/** A short-lived connection that keeps PostgreSQL's NOTICEs out of the bench output. */
export function connect(url: string, max = 1): postgres.Sql {
  return postgres(url, { max, onnotice: () => {} });
}

/** Drops (forcibly: a crashed earlier run may have left sessions open) and creates `name`. */
export async function recreateDatabase(adminUrl: string, name: string): Promise<void> {
  const sql = connect(adminUrl);
  try {
    await sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await sql.unsafe(`CREATE DATABASE "${name}"`);
  } finally {
    await sql.end();
  }
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const sql = connect(adminUrl);
  try {
    await sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await sql.end();
  }
}

/**
 * Flushes dirty pages so that no scenario pays for a checkpoint the previous one caused
 * (they share one server, one WAL and one disk).
 */
export async function checkpoint(adminUrl: string): Promise<void> {
  const sql = connect(adminUrl);
  try {
    await sql`CHECKPOINT`;
  } finally {
    await sql.end();
  }
}

/** Creates the schema with our own CLI, so that every scenario writes into the same tables. */
export async function migrate(repoDir: string, url: string): Promise<void> {
  await run(process.execPath, ['bin/learnpulse.js', 'migrate'], {
    cwd: repoDir,
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' },
  });
}

/**
 * Makes sure rows of `month` land in a partition of their own, as they do on our server (which
 * creates monthly partitions on demand), and not in `events_default`. Returns its name.
 */
export async function ensureMonthPartition(sql: postgres.Sql, month: MonthRange): Promise<string> {
  const probe = await partitionOf(sql, month.from);
  if (probe !== 'events_default') return probe;
  const name = `events_bench_${month.from.toISOString().slice(0, 7).replace('-', '_')}`;
  await sql.unsafe(
    `CREATE TABLE ${name} PARTITION OF events FOR VALUES FROM ('${month.from.toISOString()}') TO ('${month.to.toISOString()}')`,
  );
  return name;
}

/** Where a row occurring at `at` would land: a probe insert, rolled back by throwing. */
async function partitionOf(sql: postgres.Sql, at: Date): Promise<string> {
  class Probe extends Error {
    constructor(readonly partition: string) {
      super('probe');
    }
  }
  try {
    await sql.begin(async (tx) => {
      const [row] = await tx`
        INSERT INTO events (id, type, occurred_at, received_at, user_id)
        VALUES (gen_random_uuid(), 'probe', ${at}, now(), 'probe')
        RETURNING tableoid::regclass::text AS partition`;
      throw new Probe(String(row?.partition));
    });
  } catch (err) {
    if (err instanceof Probe) return err.partition;
    throw err;
  }
  throw new Error('unreachable');
}

/** Events stored, counted on the idempotency table (one row per accepted event). */
export async function countStored(url: string, table: 'event_ids' | 'events' = 'event_ids'): Promise<number> {
  const sql = connect(url);
  try {
    const [row] = await sql.unsafe(`SELECT count(*)::bigint AS n FROM ${table}`);
    return Number(row?.n);
  } finally {
    await sql.end();
  }
}

export interface PgInfo {
  version: string;
  fsync: string;
  synchronousCommit: string;
  sharedBuffers: string;
  /** See commitLatencyMs. */
  commitMs: number;
}

/** Server settings, plus the commit latency measured in `probeUrl` (a scratch database). */
export async function pgInfo(adminUrl: string, probeUrl: string): Promise<PgInfo> {
  const sql = connect(adminUrl);
  try {
    const show = async (name: string) => {
      const [row] = await sql.unsafe(`SHOW ${name}`);
      return String(Object.values(row ?? {})[0]);
    };
    return {
      version: await show('server_version'),
      fsync: await show('fsync'),
      synchronousCommit: await show('synchronous_commit'),
      sharedBuffers: await show('shared_buffers'),
      commitMs: await commitLatencyMs(probeUrl),
    };
  } finally {
    await sql.end();
  }
}

/** How many rows each partition of `events` holds, to see that none went to the default one. */
export async function rowsPerPartition(url: string): Promise<Record<string, number>> {
  const sql = connect(url);
  try {
    const rows = await sql`
      SELECT tableoid::regclass::text AS partition, count(*)::bigint AS n FROM events GROUP BY 1 ORDER BY 1`;
    return Object.fromEntries(rows.map((r) => [String(r.partition), Number(r.n)]));
  } finally {
    await sql.end();
  }
}

/**
 * Milliseconds one durable one-row commit takes, measured with `n` sequential INSERTs in
 * autocommit: what a design paying a commit per event or per request pays each time.
 */
export async function commitLatencyMs(url: string, n = 300): Promise<number> {
  const sql = connect(url);
  try {
    await sql`CREATE TABLE bench_commit_probe (n int)`;
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await sql`INSERT INTO bench_commit_probe VALUES (${i})`;
    const ms = Number(process.hrtime.bigint() - started) / 1e6 / n;
    await sql`DROP TABLE bench_commit_probe`;
    return ms;
  } finally {
    await sql.end();
  }
}
