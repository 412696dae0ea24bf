/**
 * Live-session benchmark (issue 5), on PostgreSQL. Writes its section of docs/benchmarks.md.
 * One live session with 5,000 attendees (joins and leaves, several connections for some),
 * 50,000 chat messages, 200,000 reactions and feedback, loaded through the store and the
 * projections in time order; GET /api/v1/live-sessions/{id}/analytics median and p95 against
 * computing the same answer from the raw events on every request, in the same run, with the
 * ratio. Target: < 200 ms median. The baselines' answers must equal the endpoint's, or it fails.
 *
 * Run: `npm run bench:live`, or `BENCH_ONLY=live npm run bench`. Settings, all optional:
 * BENCH_DATABASE_URL (admin URL, default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_LIVE_SCALE (1: multiplies the four sizes below, e.g. 0.1 for a trial),
 * BENCH_LIVE_ATTENDEES (5000), BENCH_LIVE_REGISTERED (6000), BENCH_LIVE_CHAT (50000),
 * BENCH_LIVE_REACTIONS (200000), BENCH_LIVE_LOAD_BATCH (5000: events per load transaction),
 * BENCH_LIVE_REQUESTS (50), BENCH_LIVE_WARMUP_REQUESTS (5), BENCH_LIVE_BASELINE_RUNS (20),
 * BENCH_LIVE_BASELINE_WARMUP (2), BENCH_LIVE_KEEP_DB=1 (leave the database `lp_bench_live`),
 * BENCH_SKIP_BUILD=1, BENCH_NO_DOCS=1 (print only: for trial runs at reduced size, e.g.
 * BENCH_LIVE_SCALE=0.1 BENCH_NO_DOCS=1 npm run bench:live).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openPostgres } from '../src/store/postgres.js';
import { median, timeGet } from './lib/analytics-http.js';
import { prepareSchema } from './lib/analytics-load.js';
import { build, repoDir } from './lib/build.js';
import { differences, keyFigures, type RawMethod, rawEventsAnalytics } from './lib/live-baseline.js';
import { type LiveSessionData, liveSession, SESSION_ID } from './lib/live-data.js';
import { loadLiveEvents, pushLiveCatalog } from './lib/live-load.js';
import { type BaselineResult, type LiveResults, type LiveSettings, renderLive } from './lib/live-report.js';
import * as pg from './lib/pg.js';
import { warnIfBusy } from './lib/proc.js';
import { upsertSection } from './lib/report.js';
import { otherLoad } from './lib/video-drive.js';
import { BENCH_API_KEY, benchLog, benchServerEnv, envSettings, serveLearnpulse } from './lib/setup.js';

const DB = 'lp_bench_live';

function settingsFrom(env: NodeJS.ProcessEnv): LiveSettings {
  const scale = Number(env.BENCH_LIVE_SCALE ?? 1);
  if (!(scale > 0 && scale <= 10)) throw new Error('BENCH_LIVE_SCALE must be a number in (0, 10]');
  const { adminUrl, int, flag } = envSettings(env);
  const scaled = (name: string, fallback: number) => int(name, Math.max(1, Math.round(fallback * scale)));
  const s: LiveSettings = {
    adminUrl,
    attendees: scaled('BENCH_LIVE_ATTENDEES', 5_000),
    registered: scaled('BENCH_LIVE_REGISTERED', 6_000),
    chat: scaled('BENCH_LIVE_CHAT', 50_000),
    reactions: scaled('BENCH_LIVE_REACTIONS', 200_000),
    loadWorkers: 2,
    loadBatchEvents: int('BENCH_LIVE_LOAD_BATCH', 5_000),
    requests: int('BENCH_LIVE_REQUESTS', 50),
    warmupRequests: int('BENCH_LIVE_WARMUP_REQUESTS', 5, 0),
    baselineRuns: int('BENCH_LIVE_BASELINE_RUNS', 20),
    baselineWarmup: int('BENCH_LIVE_BASELINE_WARMUP', 2, 0),
    keepDatabase: flag('BENCH_LIVE_KEEP_DB'),
    writeDocs: !flag('BENCH_NO_DOCS'),
  };
  if (s.registered < Math.round(s.attendees * 0.92))
    throw new Error('BENCH_LIVE_REGISTERED must be at least 92 % of BENCH_LIVE_ATTENDEES');
  return s;
}

const log = benchLog('live');

const serve = (url: string) => serveLearnpulse(benchServerEnv({ DATABASE_URL: url }));

/** Loads the database: schema, catalog, then every event through the store; returns what it holds. */
async function load(s: LiveSettings, url: string, data: LiveSessionData) {
  const db = openPostgres(url, { max: s.loadWorkers + 2 });
  try {
    await prepareSchema(db);
    await pushLiveCatalog(db, data);
    log(
      `catalog: ${data.users} learners, ${data.registrations.length} registrations; loading ${data.events.length} events`,
    );
    const stats = await loadLiveEvents(db, data, {
      workers: s.loadWorkers,
      batchEvents: s.loadBatchEvents,
      log,
    });
    log(
      `loaded ${stats.events} events in ${stats.seconds.toFixed(1)} s (${Math.round(stats.eventsPerSec)}/s)`,
    );
    const vacuumStarted = Date.now();
    await db.query('VACUUM (ANALYZE)');
    await db.query('CHECKPOINT');
    const vacuumSec = (Date.now() - vacuumStarted) / 1000;
    const [sums] = await db.query<{
      rows: number;
      attended: number;
      chat: number;
      questions: number;
      reactions: number;
      rated: number;
      ratings: number;
      events: number;
    }>(
      `SELECT count(*)::int AS rows, count(first_join_at)::int AS attended,
              coalesce(sum(chat_messages), 0)::int AS chat, coalesce(sum(questions), 0)::int AS questions,
              (SELECT coalesce(sum(value::int), 0) FROM live_attendance, jsonb_each_text(reactions))::int AS reactions,
              count(rating)::int AS rated, coalesce(sum(rating), 0)::int AS ratings,
              (SELECT count(*) FROM events WHERE live_session_id = $1)::int AS events
       FROM live_attendance WHERE session_id = $1`,
      [SESSION_ID],
    );
    const [size] = await db.query<{ db: number; events: number; attendance: number }>(
      `SELECT pg_database_size(current_database())::bigint AS db,
              (SELECT sum(pg_total_relation_size(inhrelid))::bigint FROM pg_inherits
               WHERE inhparent = 'events'::regclass) AS events,
              pg_total_relation_size('live_attendance')::bigint AS attendance`,
    );
    log(`VACUUM (ANALYZE) + CHECKPOINT in ${vacuumSec.toFixed(1)} s; projection ${JSON.stringify(sums)}`);
    return { stats, vacuumSec, sums: sums!, size: size! };
  } finally {
    await db.close();
  }
}

/** Our endpoint through the built server on the loaded database. */
async function measureOurs(s: LiveSettings, url: string) {
  const projectionState = async () => {
    const sql = pg.connect(url);
    try {
      return JSON.stringify(await sql`SELECT name, version, rebuilt_at FROM projection_state ORDER BY 1`);
    } finally {
      await sql.end();
    }
  };
  const before = await projectionState();
  const server = await serve(url);
  try {
    if ((await projectionState()) !== before) throw new Error('the server rebuilt projections at start-up');
    const load = otherLoad(server.pid);
    const latency = await timeGet(
      `${server.baseUrl}/api/v1/live-sessions/${SESSION_ID}/analytics`,
      BENCH_API_KEY,
      s.warmupRequests,
      s.requests,
    );
    const otherCores = load.stop();
    log(
      `ours: median ${latency.medianMs.toFixed(1)} ms, p95 ${latency.p95Ms.toFixed(1)} ms, ` +
        `min ${latency.minMs.toFixed(1)} ms, ${latency.bytes} bytes; other load ${otherCores.toFixed(2)} cores`,
    );
    if (otherCores > 0.25)
      log(`WARNING another workload used ${otherCores.toFixed(2)} cores during the measurement`);
    return { ...latency, otherCores };
  } finally {
    await server.stop();
  }
}

/** Both raw-events methods, `runs` times each after a warm-up; each answer compared with ours. */
async function measureBaselines(s: LiveSettings, url: string, ours: unknown): Promise<BaselineResult[]> {
  const db = openPostgres(url, { max: 1 });
  const out: BaselineResult[] = [];
  try {
    for (const method of ['raw', 'sql'] as RawMethod[]) {
      const ms: number[] = [];
      const queryMs: number[] = [];
      let rows = 0;
      let worstOther = 0;
      let diffs: string[] = [];
      let body: unknown;
      for (let i = 0; i < s.baselineWarmup + s.baselineRuns; i++) {
        const load = otherLoad();
        const answer = await rawEventsAnalytics(db, method, SESSION_ID, new Date());
        const other = load.stop();
        rows = answer.rows;
        if (i === 0) {
          body = JSON.parse(answer.json);
          diffs = differences(body, ours);
        }
        if (i < s.baselineWarmup) continue;
        worstOther = Math.max(worstOther, other);
        ms.push(answer.ms);
        queryMs.push(answer.queryMs);
      }
      log(
        `${method}: median ${median(ms).toFixed(1)} ms (queries ${median(queryMs).toFixed(1)} ms), ` +
          `${rows} rows; runs ${ms.map((x) => x.toFixed(0)).join(', ')} ms; other load ${worstOther.toFixed(2)} cores; ` +
          (diffs.length === 0 ? 'answer = endpoint' : `ANSWER DIFFERS: ${diffs.join('; ')}`),
      );
      out.push({ method, ms, queryMs, rows, otherCores: worstOther, diffs, figures: keyFigures(body) });
    }
    return out;
  } finally {
    await db.close();
  }
}

/**
 * Runs the live-session benchmark and returns the markdown section (also written to docs/benchmarks.md).
 * @example const markdown = await liveBench(process.env);
 */
export async function liveBench(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const s = settingsFrom(env);
  await build(env);
  await warnIfBusy(log);
  const url = pg.databaseUrl(s.adminUrl, DB);
  try {
    await pg.recreateDatabase(s.adminUrl, DB);
    const info = await pg.pgInfo(s.adminUrl, url);
    const data = liveSession(
      { attendees: s.attendees, registered: s.registered, chat: s.chat, reactions: s.reactions },
      Date.now() - 10 * 60_000,
    );
    const loaded = await load(s, url, data);
    const ours = await measureOurs(s, url);
    const figures = keyFigures(ours.body);
    const t = data.truth;
    const p = loaded.sums;
    const truthChecks = [
      { name: 'events stored', expected: data.events.length, actual: p.events },
      { name: 'attendee rows', expected: t.attended, actual: p.rows },
      { name: 'attended (rows)', expected: t.attended, actual: p.attended },
      { name: 'chat (rows)', expected: t.chatMessages, actual: p.chat },
      { name: 'questions (rows)', expected: t.questions, actual: p.questions },
      { name: 'reactions (rows)', expected: t.reactionsTotal, actual: p.reactions },
      { name: 'ratings (rows)', expected: t.responses, actual: p.rated },
      { name: 'rating sum (rows)', expected: t.ratingSum, actual: p.ratings },
      { name: 'registered', expected: data.registrations.length, actual: figures.registered },
      { name: 'attended', expected: t.attended, actual: figures.attended },
      { name: 'walk-ins', expected: t.walkIns, actual: figures.walkIns },
      { name: 'chat', expected: t.chatMessages, actual: figures.chatMessages },
      { name: 'questions', expected: t.questions, actual: figures.questions },
      { name: 'reactions', expected: t.reactionsTotal, actual: figures.reactionsTotal },
      { name: 'responses', expected: t.responses, actual: figures.responses },
      {
        name: 'average rating',
        expected: (t.ratingSum / t.responses).toFixed(9),
        actual: figures.averageRating?.toFixed(9) ?? null,
      },
    ];
    const badTruth = truthChecks.filter((c) => c.expected !== c.actual);
    if (badTruth.length > 0)
      log(`CHECK FAILED: ${badTruth.map((c) => `${c.name} ${c.actual} ≠ ${c.expected}`).join('; ')}`);

    // The baselines' index, after ours was measured so that it costs ours nothing.
    const sql = pg.connect(url);
    const indexStarted = Date.now();
    try {
      await sql`CREATE INDEX bench_events_live_session_idx ON events (live_session_id)`;
      await sql`ANALYZE events`;
    } finally {
      await sql.end();
    }
    const indexSec = (Date.now() - indexStarted) / 1000;
    const baselines = await measureBaselines(s, url, ours.body);

    const byType: Record<string, number> = {};
    for (const e of data.events) byType[e.type] = (byType[e.type] ?? 0) + 1;
    const results: LiveResults = {
      settings: s,
      pg: info,
      data: {
        events: data.events.length,
        byType,
        users: data.users,
        multiConnection: t.multiConnection,
        reconnecting: t.reconnecting,
        neverLeft: t.neverLeft,
        scheduledStart: new Date(data.scheduledStart).toISOString(),
        scheduledEnd: new Date(data.scheduledEnd).toISOString(),
      },
      load: loaded.stats,
      vacuumSec: loaded.vacuumSec,
      attendanceRows: p.rows,
      databaseBytes: loaded.size.db,
      eventsBytes: loaded.size.events,
      attendanceBytes: loaded.size.attendance,
      truthChecks,
      ours,
      figures,
      indexSec,
      baselines,
    };
    const markdown = renderLive(results);
    const disagree = baselines.filter((b) => b.diffs.length > 0);
    if (badTruth.length > 0 || disagree.length > 0) {
      process.stdout.write(`${markdown}\n`);
      throw new Error(
        'live bench: ' +
          [
            ...badTruth.map((c) => `${c.name}: ${c.actual} ≠ ${c.expected} generated`),
            ...disagree.map((b) => `${b.method} baseline ≠ endpoint: ${b.diffs.join('; ')}`),
          ].join('; ') +
          ' — docs/benchmarks.md left as it was',
      );
    }
    if (s.writeDocs) {
      upsertSection(path.join(repoDir, 'docs', 'benchmarks.md'), '## Live sessions (issue 5)', markdown);
      log('wrote docs/benchmarks.md');
    }
    return markdown;
  } finally {
    if (s.keepDatabase) log(`kept database ${url}`);
    else await pg.dropDatabase(s.adminUrl, DB);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${await liveBench()}\n`);
}
