/**
 * Video benchmark (issue 4), on PostgreSQL. Writes its section of docs/benchmarks.md.
 * (a) Heartbeat ingest over HTTP: 1,000,000 `video_heartbeat` events from 10,000 viewers of the
 *     course's four videos, 100 per request from 50 clients, each client sending its viewers'
 *     heartbeats in time order; against plain event ingest (the ingest bench's event mix) on the
 *     same server build and PostgreSQL in the same run. Target: heartbeats ≥ 70 % of plain.
 * (b) Video analytics: one 60-minute video with 100,000 viewers, loaded through the store and the
 *     projections; GET /api/v1/courses/{courseId}/videos/{itemId}/analytics (all time, and a
 *     3-day from/to range) against the reference design's method (two queries over all the
 *     video's raw progress rows per request) in the same run. Target: < 100 ms median.
 *
 * Run: `npm run bench:video`, or `BENCH_ONLY=video npm run bench`. Settings, all optional:
 * BENCH_DATABASE_URL (admin URL, default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_VIDEO_HEARTBEATS (1000000), BENCH_VIDEO_VIEWERS (10000), BENCH_VIDEO_CLIENTS (50),
 * BENCH_VIDEO_WINDOW_HOURS (24: the ingest viewers start within its first window − 12 hours),
 * BENCH_VIDEO_WARMUP_SEC (3), BENCH_VIDEO_PLAIN_SEC (30: the plain ingest's measured window),
 * BENCH_VIDEO_ANALYTICS_VIEWERS (100000), BENCH_VIDEO_ANALYTICS_DAYS (30),
 * BENCH_VIDEO_SAMPLE_VIEWERS (300: the video loaded both ways to compare),
 * BENCH_VIDEO_REQUESTS (50), BENCH_VIDEO_WARMUP_REQUESTS (5), BENCH_VIDEO_BASELINE_RUNS (5),
 * BENCH_VIDEO_SKIP_INGEST=1, BENCH_VIDEO_SKIP_ANALYTICS=1 (run one half), BENCH_VIDEO_KEEP_DB=1
 * (leave the analytics database `lp_bench_video_analytics`), BENCH_SKIP_BUILD=1, BENCH_NO_DOCS=1
 * (print only: for trial runs at reduced size, e.g. BENCH_VIDEO_HEARTBEATS=50000
 * BENCH_VIDEO_VIEWERS=1000 BENCH_VIDEO_ANALYTICS_VIEWERS=2000).
 */
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openPostgres } from '../src/store/postgres.js';
import { timeGet } from './lib/analytics-http.js';
import { prepareSchema } from './lib/analytics-load.js';
import { build, repoDir } from './lib/build.js';
import { drive } from './lib/drive.js';
import { EventGenerator } from './lib/events.js';
import * as pg from './lib/pg.js';
import { warnIfBusy } from './lib/proc.js';
import { upsertSection } from './lib/report.js';
import type { ServerProcess } from './lib/server.js';
import {
  type BaselineSource,
  createReferenceTable,
  type DayRange,
  referenceDropoff,
} from './lib/video-baseline.js';
import {
  COURSE_ID,
  heartbeatEvent,
  INGEST_VIDEOS,
  IngestWorkload,
  LONG_VIDEO,
  SAMPLE_VIDEO,
  videoViewers,
} from './lib/video-data.js';
import { driveStreams, otherLoad, type StreamMeasurement } from './lib/video-drive.js';
import { daysBefore, loadViewings, pushVideoCatalog, type ViewerStream } from './lib/video-load.js';
import {
  type AnalyticsPart,
  type BaselineRuns,
  type IngestPart,
  renderVideo,
  type VideoSettings,
} from './lib/video-report.js';
import { BENCH_API_KEY, benchLog, benchServerEnv, envSettings, serveLearnpulse } from './lib/setup.js';

const DB = {
  plain: 'lp_bench_video_plain',
  heartbeats: 'lp_bench_video_heartbeats',
  analytics: 'lp_bench_video_analytics',
  check: 'lp_bench_video_check',
} as const;

function settingsFrom(env: NodeJS.ProcessEnv): VideoSettings {
  const { adminUrl, int, flag } = envSettings(env);
  return {
    adminUrl,
    heartbeats: int('BENCH_VIDEO_HEARTBEATS', 1_000_000),
    viewers: int('BENCH_VIDEO_VIEWERS', 10_000),
    clients: int('BENCH_VIDEO_CLIENTS', 50),
    batchEvents: 100,
    windowHours: int('BENCH_VIDEO_WINDOW_HOURS', 24, 13),
    warmupSec: int('BENCH_VIDEO_WARMUP_SEC', 3, 0),
    plainSec: int('BENCH_VIDEO_PLAIN_SEC', 30),
    analyticsViewers: int('BENCH_VIDEO_ANALYTICS_VIEWERS', 100_000),
    analyticsDays: int('BENCH_VIDEO_ANALYTICS_DAYS', 30, 10),
    sampleViewers: int('BENCH_VIDEO_SAMPLE_VIEWERS', 300),
    loadWorkers: 2,
    loadBatchEvents: 20_000,
    requests: int('BENCH_VIDEO_REQUESTS', 50),
    warmupRequests: int('BENCH_VIDEO_WARMUP_REQUESTS', 5, 0),
    baselineRuns: int('BENCH_VIDEO_BASELINE_RUNS', 5),
    skipIngest: flag('BENCH_VIDEO_SKIP_INGEST'),
    skipAnalytics: flag('BENCH_VIDEO_SKIP_ANALYTICS'),
    keepDatabase: flag('BENCH_VIDEO_KEEP_DB'),
    writeDocs: !flag('BENCH_NO_DOCS'),
  };
}

const log = benchLog('video');

const serve = (url: string) => serveLearnpulse(benchServerEnv({ DATABASE_URL: url }));

/**
 * A fresh database migrated by our CLI (as the ingest bench makes them), with the video catalog
 * when given, after a CHECKPOINT so that no scenario pays for the previous one's dirty pages.
 */
async function freshDatabase(
  s: VideoSettings,
  name: string,
  catalog?: { videos: typeof INGEST_VIDEOS; viewers: number },
): Promise<string> {
  const url = pg.databaseUrl(s.adminUrl, name);
  await pg.recreateDatabase(s.adminUrl, name);
  await pg.migrate(repoDir, url);
  if (catalog) {
    const db = openPostgres(url, { max: 2 });
    try {
      await pushVideoCatalog(db, catalog.videos, catalog.viewers);
    } finally {
      await db.close();
    }
  }
  await pg.checkpoint(s.adminUrl);
  return url;
}

function logStream(label: string, m: StreamMeasurement): void {
  log(
    `${label}: ${Math.round(m.eventsPerSec)} events/s over ${m.windowSec.toFixed(1)} s ` +
      `(${Math.round(m.overallEventsPerSec)} overall), p50 ${m.p50Ms.toFixed(0)} ms, p99 ${m.p99Ms.toFixed(0)} ms, ` +
      `failures ${m.failures}, rejected ${m.rejected}; CPU cores: server ${m.serverCores.toFixed(2)}, ` +
      `postgres ${m.postgresCores.toFixed(2)}, load generator ${m.loadGenCores.toFixed(2)}, other ${m.otherCores.toFixed(2)}`,
  );
  if (m.firstFailure) log(`${label}: first failure: ${m.firstFailure}`);
  if (m.otherCores > 0.25) log(`${label}: WARNING another workload used ${m.otherCores.toFixed(2)} cores`);
}

/** Plain event ingest through this bench's driver: the ingest bench's event mix, for a fixed time. */
async function plainStreams(s: VideoSettings) {
  const url = await freshDatabase(s, DB.plain);
  const server = await serve(url);
  const gen = new EventGenerator();
  const until = s.warmupSec + s.plainSec;
  log(`plain ingest (stream driver): ${s.warmupSec} s warm-up + ${s.plainSec} s at ${s.clients} clients`);
  let m: StreamMeasurement;
  try {
    m = await driveStreams(server, {
      apiKey: BENCH_API_KEY,
      clients: s.clients,
      warmupSec: s.warmupSec,
      durationSec: s.plainSec,
      next: (_c, elapsed) =>
        elapsed < until ? { body: gen.body(s.batchEvents), events: s.batchEvents } : undefined,
    });
  } finally {
    await server.stop();
  }
  const stored = await pg.countStored(url);
  logStream('plain ingest (stream driver)', m);
  return { ...m, stored };
}

/** Plain event ingest exactly as the ingest bench measures it: autocannon, `drive`. */
async function plainAutocannon(s: VideoSettings) {
  const url = await freshDatabase(s, DB.plain);
  const server = await serve(url);
  log(`plain ingest (autocannon): ${s.warmupSec} s warm-up + ${s.plainSec} s at ${s.clients} clients`);
  try {
    const m = await drive(server, new EventGenerator(), {
      apiKey: BENCH_API_KEY,
      connections: s.clients,
      warmupSec: s.warmupSec,
      durationSec: s.plainSec,
      batchEvents: s.batchEvents,
    });
    log(
      `plain ingest (autocannon): ${Math.round(m.eventsPerSec)} events/s, p50 ${m.main.p50Ms} ms, p99 ${m.main.p99Ms} ms, ` +
        `failures ${m.main.failures}; other load ${m.otherCores.toFixed(2)} cores`,
    );
    return m;
  } finally {
    await server.stop();
  }
}

/** The heartbeat workload over HTTP, every heartbeat sent once. */
async function heartbeatIngest(s: VideoSettings) {
  const url = await freshDatabase(s, DB.heartbeats, { videos: INGEST_VIDEOS, viewers: s.viewers });
  const workload = new IngestWorkload({
    heartbeats: s.heartbeats,
    viewers: s.viewers,
    clients: s.clients,
    windowHours: s.windowHours,
    end: Date.now() - 5 * 60_000,
  });
  const server = await serve(url);
  log(`heartbeat ingest: ${s.heartbeats} heartbeats of ${s.viewers} viewers from ${s.clients} clients`);
  let nextReport = 0.1;
  let m: StreamMeasurement;
  try {
    m = await driveStreams(server, {
      apiKey: BENCH_API_KEY,
      clients: s.clients,
      warmupSec: s.warmupSec,
      next: (c) => workload.body(c, s.batchEvents),
      progress: (acknowledged, elapsed) => {
        if (acknowledged < nextReport * s.heartbeats) return;
        const rate = acknowledged / elapsed;
        log(
          `heartbeat ingest: ${acknowledged} / ${s.heartbeats} (${Math.round(rate)} events/s, ` +
            `~${Math.round((s.heartbeats - acknowledged) / rate)} s to go)`,
        );
        while (nextReport * s.heartbeats <= acknowledged) nextReport += 0.1;
      },
    });
  } finally {
    await server.stop();
  }
  logStream('heartbeat ingest', m);
  const stored = await pg.countStored(url);
  // What the projection made of it: one viewer row per (viewer, video) pair that sent heartbeats,
  // and the all-time aggregates counting each of them once.
  const sql = pg.connect(url);
  try {
    const [v] = await sql`SELECT count(*)::int AS n FROM video_viewers WHERE sessions > 0`;
    const [a] = await sql`SELECT coalesce(sum(viewers), 0)::int AS n, coalesce(sum(views), 0)::int AS views
                          FROM video_aggregates WHERE day = 'infinity'`;
    const projected = { viewerRows: Number(v?.n), aggregateViewers: Number(a?.n), views: Number(a?.views) };
    log(
      `heartbeat ingest: stored ${stored}, acknowledged ${m.acknowledged}; ${workload.pairs.size} (viewer, video) pairs sent, ` +
        `${projected.viewerRows} viewer rows, ${projected.aggregateViewers} in the aggregates, ${projected.views} watch sessions; ` +
        `${workload.viewersPerRequest().toFixed(1)} pairs per request`,
    );
    return {
      ...m,
      stored,
      pairs: workload.pairs.size,
      pairsPerRequest: workload.viewersPerRequest(),
      ...projected,
    };
  } finally {
    await sql.end();
  }
}

async function ingestPart(s: VideoSettings): Promise<IngestPart> {
  // One after another, never overlapping: they share two cores and one disk.
  const plain = await plainStreams(s);
  const heartbeats = await heartbeatIngest(s);
  const autocannon = await plainAutocannon(s);
  return { plain, heartbeats, autocannon };
}

/** The UTC date `days` days before `end`. */
const dateBefore = (end: number, days: number) =>
  new Date(end - days * 86_400_000).toISOString().slice(0, 10);

/** Analytics queries compared between the bulk-loaded and the HTTP-ingested sample video. */
function sampleQueries(range: DayRange): string[] {
  return [
    '',
    '?resolution=full',
    `?from=${range.from}&to=${range.to}&resolution=full`,
    `?from=${range.from}`,
  ];
}

async function getJson(server: ServerProcess, url: string): Promise<unknown> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${BENCH_API_KEY}` } });
  const text = await res.text();
  if (res.status !== 200) {
    throw new Error(
      `GET ${url}: ${res.status} ${text.slice(0, 300)}\n--- server output ---\n${server.output()}`,
    );
  }
  return JSON.parse(text);
}

const analyticsUrl = (server: ServerProcess, itemId: string) =>
  `${server.baseUrl}/api/v1/courses/${COURSE_ID}/videos/${itemId}/analytics`;

/** The sample video's heartbeats over HTTP into a database of their own; returns its answers. */
async function sampleOverHttp(s: VideoSettings, sample: ViewerStream[], range: DayRange) {
  // The same catalog as the bulk-loaded database: an item's position is part of the answer.
  const url = await freshDatabase(s, DB.check, {
    videos: [LONG_VIDEO, SAMPLE_VIDEO],
    viewers: s.sampleViewers,
  });
  const server = await serve(url);
  try {
    // Ten clients, each sending its viewers' heartbeats in order, a viewer after another.
    const clients = 10;
    const queues = Array.from({ length: clients }, (_, c) =>
      sample
        .filter((_v, i) => i % clients === c)
        .flatMap((v) => v.beats.map((b) => ({ b, userId: v.userId }))),
    );
    const m = await driveStreams(server, {
      apiKey: BENCH_API_KEY,
      clients,
      warmupSec: 0,
      next: (c) => {
        const part = queues[c]!.splice(0, s.batchEvents);
        if (part.length === 0) return undefined;
        const events = part.map(({ b, userId }) => heartbeatEvent(b, userId));
        return { body: JSON.stringify({ events }), events: events.length };
      },
    });
    const sent = sample.reduce((n, v) => n + v.beats.length, 0);
    if (m.acknowledged !== sent || m.failures > 0) {
      throw new Error(`sample over HTTP: ${m.acknowledged} of ${sent} acknowledged, ${m.failures} failures`);
    }
    log(`sample: ${sent} heartbeats of ${sample.length} viewers ingested over HTTP`);
    const answers: unknown[] = [];
    for (const q of sampleQueries(range))
      answers.push(await getJson(server, analyticsUrl(server, SAMPLE_VIDEO.id) + q));
    return answers;
  } finally {
    await server.stop();
    await pg.dropDatabase(s.adminUrl, DB.check);
  }
}

/** Paths (up to `limit`) where two JSON values differ, for the report. */
function differences(a: unknown, b: unknown, at = '', out: string[] = [], limit = 5): string[] {
  if (out.length >= limit || isDeepStrictEqual(a, b)) return out;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      differences(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        `${at}.${k}`,
        out,
        limit,
      );
    }
  } else {
    out.push(`${at || '.'}: ${JSON.stringify(a)?.slice(0, 80)} ≠ ${JSON.stringify(b)?.slice(0, 80)}`);
  }
  return out;
}

/** Loads the analytics database: catalog, then both videos' viewers through the store. */
async function loadAnalytics(s: VideoSettings, url: string, end: number) {
  const db = openPostgres(url, { max: s.loadWorkers + 2 });
  try {
    await prepareSchema(db);
    await pushVideoCatalog(db, [LONG_VIDEO, SAMPLE_VIDEO], Math.max(s.analyticsViewers, s.sampleViewers));
    const main = videoViewers(LONG_VIDEO, {
      viewers: s.analyticsViewers,
      days: s.analyticsDays,
      end,
      seed: 1,
    });
    const sample: ViewerStream[] = [];
    function* both(): Generator<ViewerStream> {
      yield* main;
      for (const v of videoViewers(SAMPLE_VIDEO, {
        viewers: s.sampleViewers,
        days: s.analyticsDays,
        end,
        seed: 2,
      })) {
        sample.push(v);
        yield v;
      }
    }
    log(
      `loading ${s.analyticsViewers} viewers of ${LONG_VIDEO.id} (~${s.analyticsViewers * 111} heartbeats) and ` +
        `${s.sampleViewers} of ${SAMPLE_VIDEO.id}`,
    );
    const load = await loadViewings(db, both(), {
      workers: s.loadWorkers,
      batchEvents: s.loadBatchEvents,
      days: daysBefore(end, s.analyticsDays + 7),
      expected: (s.analyticsViewers + s.sampleViewers) * 111,
      log,
    });
    log(
      `loaded ${load.events} heartbeats in ${load.seconds.toFixed(0)} s (${Math.round(load.eventsPerSec)}/s)`,
    );
    const vacuumStarted = Date.now();
    await db.query('VACUUM (ANALYZE)');
    await db.query('CHECKPOINT');
    const vacuumSec = (Date.now() - vacuumStarted) / 1000;
    const [counts] = await db.query<{ heartbeats: number; sessions: number; days: number }>(
      `SELECT (SELECT count(*) FROM events WHERE item_id = $1)::int AS heartbeats,
              (SELECT count(*) FROM video_sessions WHERE item_id = $1)::int AS sessions,
              (SELECT count(*) FROM video_aggregates WHERE item_id = $1 AND day <> 'infinity')::int AS days`,
      [LONG_VIDEO.id],
    );
    const [size] = await db.query<{ db: number; events: number; video: number }>(
      `SELECT pg_database_size(current_database())::bigint AS db,
              (SELECT sum(pg_total_relation_size(inhrelid))::bigint FROM pg_inherits
               WHERE inhparent = 'events'::regclass) AS events,
              (pg_total_relation_size('video_viewers') + pg_total_relation_size('video_sessions')
               + pg_total_relation_size('video_aggregates'))::bigint AS video`,
    );
    log(`VACUUM (ANALYZE) + CHECKPOINT in ${vacuumSec.toFixed(1)} s; ${JSON.stringify(counts)}`);
    return {
      load,
      vacuumSec,
      sample,
      heartbeats: counts?.heartbeats ?? 0,
      sessions: counts?.sessions ?? 0,
      aggregateDays: counts?.days ?? 0,
      databaseBytes: size?.db ?? 0,
      eventsBytes: size?.events ?? 0,
      videoBytes: size?.video ?? 0,
    };
  } finally {
    await db.close();
  }
}

/** Our endpoint through the built server on the loaded database; also the sample's answers. */
async function measureOurs(s: VideoSettings, url: string, range: DayRange) {
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
    const base = analyticsUrl(server, LONG_VIDEO.id);
    const time = (q: string) => timeGet(base + q, BENCH_API_KEY, s.warmupRequests, s.requests);
    const allTime = await time('');
    const ranged = await time(`?from=${range.from}&to=${range.to}`);
    const full = await time('?resolution=full');
    const otherCores = load.stop();
    const a = allTime.body as { viewers?: number; views?: number; curve?: { points?: unknown[] } };
    const r = ranged.body as { viewers?: number };
    if (a.viewers !== s.analyticsViewers)
      throw new Error(`analytics: ${a.viewers} viewers, expected ${s.analyticsViewers}`);
    if (!r.viewers || r.viewers >= s.analyticsViewers)
      throw new Error(`ranged analytics: ${r.viewers} viewers`);
    log(
      `ours: all time median ${allTime.medianMs.toFixed(1)} ms (p95 ${allTime.p95Ms.toFixed(1)}), ` +
        `${range.from}…${range.to} median ${ranged.medianMs.toFixed(1)} ms (p95 ${ranged.p95Ms.toFixed(1)}), ` +
        `full resolution median ${full.medianMs.toFixed(1)} ms; other load ${otherCores.toFixed(2)} cores`,
    );
    if (otherCores > 0.25)
      log(`WARNING another workload used ${otherCores.toFixed(2)} cores during the measurement`);
    const sampleAnswers: unknown[] = [];
    for (const q of sampleQueries(range))
      sampleAnswers.push(await getJson(server, analyticsUrl(server, SAMPLE_VIDEO.id) + q));
    return { allTime, ranged, full, otherCores, sampleAnswers, rangedViewers: r.viewers };
  } finally {
    await server.stop();
  }
}

/** The reference method, `runs` times per store and range. */
async function measureReference(s: VideoSettings, url: string, range: DayRange, expectViewers: number) {
  const sql = pg.connect(url, 1);
  const out: BaselineRuns[] = [];
  try {
    const started = Date.now();
    const rows = await createReferenceTable(sql);
    const tableSec = (Date.now() - started) / 1000;
    log(`reference table: ${rows} rows in ${tableSec.toFixed(0)} s`);
    for (const source of ['reference', 'events'] as BaselineSource[]) {
      for (const r of [undefined, range]) {
        const ms: number[] = [];
        let watchers = 0;
        let worstOther = 0;
        for (let i = 0; i < s.baselineRuns; i++) {
          const load = otherLoad();
          const answer = await referenceDropoff(sql, source, COURSE_ID, LONG_VIDEO.id, r);
          worstOther = Math.max(worstOther, load.stop());
          ms.push(answer.ms);
          watchers = answer.watchers;
        }
        if (!r && watchers !== expectViewers) {
          throw new Error(`reference method on ${source}: ${watchers} viewers, expected ${expectViewers}`);
        }
        log(
          `reference method on ${source}${r ? ` ${r.from}…${r.to}` : ''}: ${ms.map((x) => (x / 1000).toFixed(2)).join(', ')} s; ` +
            `${watchers} viewers; other load ${worstOther.toFixed(2)} cores`,
        );
        out.push({ source, ranged: r !== undefined, ms, watchers, otherCores: worstOther });
      }
    }
    return { runs: out, referenceRows: rows, referenceTableSec: tableSec };
  } finally {
    await sql.end();
  }
}

async function analyticsPart(s: VideoSettings): Promise<AnalyticsPart> {
  const url = pg.databaseUrl(s.adminUrl, DB.analytics);
  await pg.recreateDatabase(s.adminUrl, DB.analytics);
  const end = Date.now() - 10 * 60_000;
  // Three days in the middle of the history.
  const range: DayRange = { from: dateBefore(end, 12), to: dateBefore(end, 10) };
  const loaded = await loadAnalytics(s, url, end);
  const httpAnswers = await sampleOverHttp(s, loaded.sample, range);
  const ours = await measureOurs(s, url, range);
  const sampleDiffs = sampleQueries(range).map((q, i) => ({
    query: q || '(none)',
    diffs: differences(ours.sampleAnswers[i], httpAnswers[i]),
  }));
  for (const d of sampleDiffs) {
    log(
      `sample ${d.query}: ${d.diffs.length === 0 ? 'bulk load = HTTP ingest' : `DIFFERS ${d.diffs.join('; ')}`}`,
    );
  }
  const reference = await measureReference(s, url, range, s.analyticsViewers);
  const { sample, ...load } = loaded;
  const { sampleAnswers: _answers, ...measured } = ours;
  return {
    ...load,
    range,
    ...measured,
    sampleCheck: {
      viewers: (httpAnswers[0] as { viewers?: number }).viewers ?? 0,
      heartbeats: sample.reduce((n, v) => n + v.beats.length, 0),
      diffs: sampleDiffs,
    },
    ...reference,
  };
}

/**
 * Runs the video benchmark and returns the markdown section (also written to docs/benchmarks.md).
 * @example const markdown = await videoBench(process.env);
 */
export async function videoBench(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const s = settingsFrom(env);
  await build(env);
  await warnIfBusy(log);
  try {
    await pg.recreateDatabase(s.adminUrl, DB.plain);
    const info = await pg.pgInfo(s.adminUrl, pg.databaseUrl(s.adminUrl, DB.plain));
    // A part that fails is reported as such and the other still runs; the docs keep their section.
    const attempt = async <T>(name: string, skip: boolean, part: () => Promise<T>) => {
      if (skip) return undefined;
      try {
        return await part();
      } catch (err) {
        log(`${name} failed: ${(err as Error).stack}`);
        return (err as Error).message;
      }
    };
    const ingest = await attempt('heartbeat ingest', s.skipIngest, () => ingestPart(s));
    const analytics = await attempt('video analytics', s.skipAnalytics, () => analyticsPart(s));
    const markdown = renderVideo({ settings: s, pg: info, ingest, analytics });
    if (typeof ingest === 'string' || typeof analytics === 'string') {
      process.stdout.write(`${markdown}\n`);
      throw new Error('video bench: a part failed (see above); docs/benchmarks.md left as it was');
    }
    if (s.writeDocs) {
      upsertSection(path.join(repoDir, 'docs', 'benchmarks.md'), '## Video engine (issue 4)', markdown);
      log('wrote docs/benchmarks.md');
    }
    return markdown;
  } finally {
    for (const name of [DB.plain, DB.heartbeats, DB.check]) await pg.dropDatabase(s.adminUrl, name);
    if (s.keepDatabase) log(`kept database ${pg.databaseUrl(s.adminUrl, DB.analytics)}`);
    else await pg.dropDatabase(s.adminUrl, DB.analytics);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${await videoBench()}\n`);
}
