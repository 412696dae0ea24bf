/**
 * Ingest benchmark (issue 2): end-to-end HTTP ingestion of 100-event batches into learnpulse on
 * PostgreSQL and on PGlite, against the naive baseline of the reference designs and the raw COPY
 * limit. Writes its section of docs/benchmarks.md.
 *
 * Run: `npm run bench:ingest` (or `node --import tsx bench/ingest.ts`). Settings, all optional:
 * BENCH_DATABASE_URL, BENCH_DURATION_SEC (20), BENCH_WARMUP_SEC (3), BENCH_CONNECTIONS (50),
 * BENCH_COPY_ROWS (500000), BENCH_SKIP_PGLITE=1, BENCH_SKIP_NAIVE_AUTOCOMMIT=1, BENCH_SKIP_TRACKER=1,
 * BENCH_SKIP_BUILD=1,
 * BENCH_NO_DOCS=1 (print only, leave docs/benchmarks.md alone: for quick trial runs).
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { build, repoDir } from './lib/build.js';
import { copyBaseline } from './lib/copy-baseline.js';
import { drive, type HttpMeasurement } from './lib/drive.js';
import { type BodySource, currentMonth, EventGenerator, TrackerStream } from './lib/events.js';
import { type IngestResults, renderIngest } from './lib/ingest-report.js';
import * as pg from './lib/pg.js';
import { warnIfBusy } from './lib/proc.js';
import { upsertSection } from './lib/report.js';
import { type ServerProcess, startServer } from './lib/server.js';
import { BENCH_API_KEY, benchLog, benchServerEnv, envSettings, serveLearnpulse } from './lib/setup.js';

const DB = { copy: 'lp_bench_copy', naive: 'lp_bench_naive', ingest: 'lp_bench_ingest' } as const;

export interface IngestSettings {
  adminUrl: string;
  durationSec: number;
  warmupSec: number;
  connections: number;
  batchEvents: number;
  copyRows: number;
  copyBatchRows: number;
  skipPglite: boolean;
  skipNaiveAutocommit: boolean;
  skipTracker: boolean;
  writeDocs: boolean;
}

function settingsFrom(env: NodeJS.ProcessEnv): IngestSettings {
  const { adminUrl, num, flag } = envSettings(env);
  return {
    adminUrl,
    durationSec: num('BENCH_DURATION_SEC', 20),
    warmupSec: num('BENCH_WARMUP_SEC', 3),
    connections: num('BENCH_CONNECTIONS', 50),
    batchEvents: 100,
    copyRows: num('BENCH_COPY_ROWS', 500_000),
    copyBatchRows: 10_000,
    skipPglite: flag('BENCH_SKIP_PGLITE'),
    skipNaiveAutocommit: flag('BENCH_SKIP_NAIVE_AUTOCOMMIT'),
    skipTracker: flag('BENCH_SKIP_TRACKER'),
    writeDocs: !flag('BENCH_NO_DOCS'),
  };
}

const log = benchLog('ingest');

/**
 * A fresh database with our schema (migrated by our CLI), after a CHECKPOINT so that no scenario
 * pays for the previous one's dirty pages. For the baselines, this month's partition is made
 * the way our server makes it at start-up, so that all rows land in the same kind of table.
 */
async function freshDatabase(s: IngestSettings, name: string, forBaseline: boolean): Promise<string> {
  const url = pg.databaseUrl(s.adminUrl, name);
  await pg.recreateDatabase(s.adminUrl, name);
  await pg.migrate(repoDir, url);
  if (forBaseline) {
    const sql = pg.connect(url);
    const partition = await pg.ensureMonthPartition(sql, currentMonth()).finally(() => sql.end());
    log(`${name}: this month's rows go to ${partition}`);
  }
  await pg.checkpoint(s.adminUrl);
  return url;
}

/** Stops the server, then counts what it stored: the shutdown drains requests still in flight. */
async function measure(
  label: string,
  server: ServerProcess,
  s: IngestSettings,
  countStored: () => Promise<number>,
  source: BodySource = new EventGenerator(),
): Promise<HttpMeasurement & { stored: number }> {
  log(`${label}: ${s.warmupSec} s warm-up + ${s.durationSec} s at ${s.connections} clients`);
  let m: HttpMeasurement;
  try {
    m = await drive(server, source, { apiKey: BENCH_API_KEY, ...s });
  } finally {
    await server.stop();
  }
  if (m.main.accepted === 0) {
    throw new Error(`${label}: no event accepted (${m.main.failures} failed requests)\n${server.output()}`);
  }
  const stored = await countStored();
  log(
    `${label}: ${Math.round(m.eventsPerSec)} events/s, p50 ${m.main.p50Ms} ms, p99 ${m.main.p99Ms} ms, ` +
      `peak RSS ${Math.round(m.peakRss / 2 ** 20)} MB, stored ${stored} / acknowledged ${m.acknowledged}, ` +
      `failures ${m.main.failures}, rejected ${m.main.rejected}; CPU cores: server ${m.serverCores.toFixed(2)}, ` +
      `postgres ${m.postgresCores.toFixed(2)}, load generator ${m.loadGenCores.toFixed(2)}, other ${m.otherCores.toFixed(2)}`,
  );
  if (m.otherCores > 0.25) log(`${label}: WARNING another workload used ${m.otherCores.toFixed(2)} cores`);
  return { ...m, stored };
}

async function oursOnPostgres(s: IngestSettings, source?: BodySource) {
  const url = await freshDatabase(s, DB.ingest, false);
  const server = await serveLearnpulse(benchServerEnv({ DATABASE_URL: url }));
  const label = source ? 'learnpulse on PostgreSQL, tracker stream' : 'learnpulse on PostgreSQL';
  const result = await measure(label, server, s, () => pg.countStored(url), source);
  log(`${label}: rows per partition ${JSON.stringify(await pg.rowsPerPartition(url))}`);
  return result;
}

async function oursOnPglite(s: IngestSettings) {
  const dataDir = path.join(repoDir, '.bench-data', `ingest-pglite-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  try {
    const env = benchServerEnv({ LEARNPULSE_DATA_DIR: dataDir });
    delete env.DATABASE_URL;
    const server = await serveLearnpulse(env, 120_000);
    return await measure('learnpulse on PGlite', server, s, async () => {
      // The server has exited, so the folder can be opened here to count what it holds.
      const db = await PGlite.create(dataDir);
      try {
        const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM event_ids');
        return rows[0]?.n ?? 0;
      } finally {
        await db.close();
      }
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function naive(s: IngestSettings, mode: 'reference' | 'autocommit') {
  const url = await freshDatabase(s, DB.naive, true);
  const server = await startServer({
    args: ['--import', 'tsx', 'bench/naive-server.ts', '--port', '{port}'],
    cwd: repoDir,
    env: { ...process.env, NAIVE_DATABASE_URL: url, NAIVE_API_KEY: BENCH_API_KEY, NAIVE_MODE: mode },
  });
  const result = await measure(`naive (${mode})`, server, s, () => pg.countStored(url));
  const events = await pg.countStored(url, 'events');
  if (events !== result.stored) throw new Error(`naive: ${events} rows in events but ${result.stored} ids`);
  return result;
}

async function copy(s: IngestSettings) {
  const url = await freshDatabase(s, DB.copy, true);
  log(`raw COPY: ${s.copyRows} rows in ${s.copyBatchRows}-row batches, one connection`);
  const result = await copyBaseline(url, { rows: s.copyRows, batchRows: s.copyBatchRows });
  const stored = await pg.countStored(url, 'events');
  if (stored !== result.rows) throw new Error(`COPY: ${stored} rows stored, ${result.rows} sent`);
  log(`raw COPY: ${Math.round(result.rowsPerSec)} rows/s (${result.seconds.toFixed(1)} s)`);
  return result;
}

/**
 * Runs every ingest scenario and returns the markdown section (also written to docs/benchmarks.md).
 * @example const markdown = await ingestBench(process.env);
 */
export async function ingestBench(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const s = settingsFrom(env);
  await build(env);
  await warnIfBusy(log);
  try {
    // A scratch database for the commit probe; the COPY scenario recreates it.
    await pg.recreateDatabase(s.adminUrl, DB.copy);
    const info = await pg.pgInfo(s.adminUrl, pg.databaseUrl(s.adminUrl, DB.copy));
    // One after another, never overlapping: they share two cores and one disk.
    const bodyMicros = bodyCost(s.batchEvents);
    const copyResult = await copy(s);
    const postgres = await oursOnPostgres(s);
    const tracker = s.skipTracker ? undefined : await oursOnPostgres(s, new TrackerStream());
    const naiveReference = await naive(s, 'reference');
    const naiveAutocommit = s.skipNaiveAutocommit ? undefined : await naive(s, 'autocommit');
    const pglite = s.skipPglite ? undefined : await oursOnPglite(s);
    const results: IngestResults = {
      settings: s,
      pg: info,
      bodyMicros,
      copy: copyResult,
      postgres,
      tracker,
      naive: naiveReference,
      naiveAutocommit,
      pglite,
    };
    const markdown = renderIngest(results);
    if (s.writeDocs) {
      upsertSection(path.join(repoDir, 'docs', 'benchmarks.md'), '## Ingest (issue 2)', markdown);
      log('wrote docs/benchmarks.md');
    }
    return markdown;
  } finally {
    for (const name of Object.values(DB)) await pg.dropDatabase(s.adminUrl, name);
  }
}

/** Microseconds the load generator spends building one request body. */
function bodyCost(batchEvents: number): number {
  const gen = new EventGenerator();
  for (let i = 0; i < 50; i++) gen.body(batchEvents);
  const started = process.hrtime.bigint();
  for (let i = 0; i < 500; i++) gen.body(batchEvents);
  return Number(process.hrtime.bigint() - started) / 1e3 / 500;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${await ingestBench()}\n`);
}
