/**
 * Course analytics benchmark (issue 3): latency of the course analytics and the students page
 * (first 50 by engagement) on PostgreSQL at 10,000 learners and 5 million events, against the
 * reference design's method (four aggregate queries per learner over the raw events) measured
 * in the same run. Writes its section of docs/benchmarks.md.
 *
 * Run: `npm run bench:analytics`, or `BENCH_ONLY=analytics npm run bench`. Settings, all optional:
 * BENCH_DATABASE_URL (admin URL, default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_ANALYTICS_LEARNERS (10000), BENCH_ANALYTICS_EVENTS (5000000), BENCH_ANALYTICS_DAYS (60),
 * BENCH_ANALYTICS_REQUESTS (30), BENCH_ANALYTICS_WARMUP (5), BENCH_ANALYTICS_BASELINE_RUNS (3),
 * BENCH_ANALYTICS_KEEP_DB=1 (leave the database `lp_bench_analytics` for inspection),
 * BENCH_SKIP_BUILD=1, BENCH_NO_DOCS=1 (print only: for trial runs at reduced size, e.g.
 * BENCH_ANALYTICS_LEARNERS=300 BENCH_ANALYTICS_EVENTS=30000).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openPostgres } from '../src/store/postgres.js';
import { COURSE_ID, DataSet, ITEMS } from './lib/analytics-data.js';
import { type BaselineRun, referenceRun } from './lib/analytics-baseline.js';
import { timeGet } from './lib/analytics-http.js';
import { loadEvents, prepareSchema, pushCatalog } from './lib/analytics-load.js';
import { type AnalyticsSettings, renderAnalytics } from './lib/analytics-report.js';
import { build, repoDir } from './lib/build.js';
import * as pg from './lib/pg.js';
import { cpuSecondsOf, cpuSecondsOfCommand, machineBusySeconds, warnIfBusy } from './lib/proc.js';
import { upsertSection } from './lib/report.js';
import { BENCH_API_KEY, benchLog, benchServerEnv, envSettings, serveLearnpulse } from './lib/setup.js';

const DB_NAME = 'lp_bench_analytics';

function settingsFrom(env: NodeJS.ProcessEnv): AnalyticsSettings {
  const { adminUrl, int, flag } = envSettings(env);
  return {
    adminUrl,
    learners: int('BENCH_ANALYTICS_LEARNERS', 10_000),
    events: int('BENCH_ANALYTICS_EVENTS', 5_000_000),
    days: int('BENCH_ANALYTICS_DAYS', 60, 8),
    workers: 2,
    batchEvents: 5000,
    warmup: int('BENCH_ANALYTICS_WARMUP', 5, 0),
    requests: int('BENCH_ANALYTICS_REQUESTS', 30),
    baselineRuns: int('BENCH_ANALYTICS_BASELINE_RUNS', 3),
    baselineRunCapSec: 300,
    pageSize: 50,
    writeDocs: !flag('BENCH_NO_DOCS'),
    keepDatabase: flag('BENCH_ANALYTICS_KEEP_DB'),
  };
}

const log = benchLog('analytics');

/**
 * Average cores used by anything but the server under test, PostgreSQL and this process between
 * the call and `stop()`: another workload on the two cores would make the figures suspect.
 */
function otherLoad(serverPid?: number): { stop(): number } {
  const mine = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const take = () => ({
    at: process.hrtime.bigint(),
    machine: machineBusySeconds(),
    known: mine() + cpuSecondsOfCommand('postgres') + (serverPid ? cpuSecondsOf(serverPid) : 0),
  });
  const before = take();
  return {
    stop() {
      const after = take();
      const wall = Number(after.at - before.at) / 1e9;
      return Math.max(0, after.machine - before.machine - (after.known - before.known)) / wall;
    },
  };
}

/** Fresh database, schema, catalog and events; returns what the report says about the load. */
async function loadDatabase(s: AnalyticsSettings, url: string, data: DataSet) {
  const db = openPostgres(url, { max: s.workers + 2 });
  try {
    await prepareSchema(db);
    await pushCatalog(db, s.learners);
    log(`catalog: 1 course, ${ITEMS.length} items, ${s.learners} learners + 1 instructor`);
    const load = await loadEvents(db, data, { workers: s.workers, batchEvents: s.batchEvents, log });
    log(
      `loaded ${load.events} events in ${load.seconds.toFixed(1)} s (${Math.round(load.eventsPerSec)} events/s)`,
    );
    const vacuumStarted = Date.now();
    await db.query('VACUUM (ANALYZE)');
    await db.query('CHECKPOINT');
    const vacuumSec = (Date.now() - vacuumStarted) / 1000;
    log(`VACUUM (ANALYZE) + CHECKPOINT in ${vacuumSec.toFixed(1)} s`);
    const [size] = await db.query<{ db: number; events: number }>(
      `SELECT pg_database_size(current_database())::bigint AS db,
              (SELECT sum(pg_total_relation_size(inhrelid))::bigint FROM pg_inherits
               WHERE inhparent = 'events'::regclass) AS events`,
    );
    return { load, vacuumSec, databaseBytes: size?.db ?? 0, eventsBytes: size?.events ?? 0 };
  } finally {
    await db.close();
  }
}

/** Our endpoints, through the built server in its own process. */
async function measureOurs(s: AnalyticsSettings, url: string, cacheMs?: string) {
  // The load recorded the projections' versions: a server finding them stale would rebuild them
  // from the whole log before answering, and the run would measure that instead.
  const projectionState = async () => {
    const sql = pg.connect(url);
    try {
      return JSON.stringify(await sql`SELECT name, version, rebuilt_at FROM projection_state ORDER BY 1`);
    } finally {
      await sql.end();
    }
  };
  const before = await projectionState();
  const server = await serveLearnpulse(
    benchServerEnv({
      DATABASE_URL: url,
      ...(cacheMs === undefined ? {} : { LEARNPULSE_ANALYTICS_CACHE_MS: cacheMs }),
    }),
  );
  try {
    if ((await projectionState()) !== before) throw new Error('the server rebuilt projections at start-up');
    const load = otherLoad(server.pid);
    const base = `${server.baseUrl}/api/v1/courses/${COURSE_ID}`;
    const analytics = await timeGet(`${base}/analytics`, BENCH_API_KEY, s.warmup, s.requests);
    const studentsUrl = `${base}/students?limit=${s.pageSize}&sort=engagement&order=desc`;
    const students = await timeGet(studentsUrl, BENCH_API_KEY, s.warmup, s.requests);
    const otherCores = load.stop();
    const a = analytics.body as { enrolledLearners?: number };
    const p = students.body as { total?: number; items?: unknown[] };
    if (a.enrolledLearners !== s.learners)
      throw new Error(`analytics: ${a.enrolledLearners} learners, expected ${s.learners}`);
    if (p.total !== s.learners || p.items?.length !== Math.min(s.pageSize, s.learners)) {
      throw new Error(`students: total ${p.total}, ${p.items?.length} rows`);
    }
    log(
      `ours${cacheMs === '0' ? ' (cache off)' : ''}: analytics median ${analytics.medianMs.toFixed(1)} ms (p95 ${analytics.p95Ms.toFixed(1)}), ` +
        `students median ${students.medianMs.toFixed(1)} ms (p95 ${students.p95Ms.toFixed(1)}); other load ${otherCores.toFixed(2)} cores`,
    );
    if (otherCores > 0.25)
      log(`WARNING another workload used ${otherCores.toFixed(2)} cores during the measurement`);
    return { analytics, students, oursOtherCores: otherCores };
  } finally {
    await server.stop();
  }
}

/** The reference method, repeated unless one run already takes longer than the cap. */
async function measureReference(s: AnalyticsSettings, url: string) {
  const sql = pg.connect(url, 1);
  const runs: BaselineRun[] = [];
  let worstOther = 0;
  try {
    for (let i = 0; i < s.baselineRuns; i++) {
      const load = otherLoad();
      const run = await referenceRun(sql, COURSE_ID, s.pageSize);
      const otherCores = load.stop();
      runs.push(run);
      worstOther = Math.max(worstOther, otherCores);
      log(
        `reference run ${i + 1}: ${(run.loopMs / 1000).toFixed(1)} s, ${run.queries} queries; other load ${otherCores.toFixed(2)} cores`,
      );
      if (otherCores > 0.25)
        log(`WARNING another workload used ${otherCores.toFixed(2)} cores during the run`);
      if (run.loopMs > s.baselineRunCapSec * 1000) break;
    }
  } finally {
    await sql.end();
  }
  return { baseline: runs, referenceOtherCores: worstOther };
}

/**
 * Runs the analytics benchmark and returns the markdown section (also written to docs/benchmarks.md).
 * @example const markdown = await analyticsBench(process.env);
 */
export async function analyticsBench(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const s = settingsFrom(env);
  await build(env);
  await warnIfBusy(log);
  const url = pg.databaseUrl(s.adminUrl, DB_NAME);
  try {
    await pg.recreateDatabase(s.adminUrl, DB_NAME);
    const info = await pg.pgInfo(s.adminUrl, url);
    // The history ends a little before the measurements, so that "the last 7 days" are full.
    const data = new DataSet({
      learners: s.learners,
      events: s.events,
      days: s.days,
      end: Date.now() - 120_000,
    });
    log(`loading ${s.events} events for ${s.learners} learners over ${s.days} days`);
    const loaded = await loadDatabase(s, url, data);
    const ours = await measureOurs(s, url);
    const cold = await measureOurs(s, url, '0');
    const reference = await measureReference(s, url);
    const markdown = renderAnalytics({
      settings: s,
      pg: info,
      items: ITEMS.length,
      typeCounts: data.typeCounts,
      ...loaded,
      ...ours,
      coldAnalytics: cold.analytics,
      coldStudents: cold.students,
      oursOtherCores: Math.max(ours.oursOtherCores, cold.oursOtherCores),
      ...reference,
    });
    if (s.writeDocs) {
      upsertSection(path.join(repoDir, 'docs', 'benchmarks.md'), '## Course analytics (issue 3)', markdown);
      log('wrote docs/benchmarks.md');
    }
    return markdown;
  } finally {
    if (s.keepDatabase) log(`kept database ${url}`);
    else await pg.dropDatabase(s.adminUrl, DB_NAME);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${await analyticsBench()}\n`);
}
