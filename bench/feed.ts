/**
 * Live activity feed benchmark (issue 6), on PostgreSQL. Writes its section of docs/benchmarks.md.
 * 1,000 Server-Sent Events subscribers on one server process (50 admin-scope, 200 instructors of
 * 20 courses, 750 learners) while 50 clients ingest 100-event requests (mostly video heartbeats,
 * a few milestone events each making a feed item): every subscriber must receive exactly the
 * items it may see, each once, in commit order (checked against the whole feed read back with
 * GET /feed), or the bench fails. Reported: delivery latency p50/p95/p99 from commit to
 * subscriber (target p99 < 500 ms) and ingest throughput with and without the subscribers
 * (target: they cost ≤ 15 %), phases alternated A, B, A, B. Baseline, same run and workload:
 * the reference design's page re-fetch every 30 s (1,000 pollers of GET /feed?limit=50, random
 * phase), its latency from commit to the first poll returning the item, and the ratio.
 *
 * Run: `npm run bench:feed`, or `BENCH_ONLY=feed npm run bench`. Settings, all optional:
 * BENCH_DATABASE_URL (admin URL, default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_FEED_ADMINS (50), BENCH_FEED_INSTRUCTORS (200), BENCH_FEED_LEARNERS (750),
 * BENCH_FEED_CLIENTS (50 ingest clients), BENCH_FEED_BATCH (100 events per request),
 * BENCH_FEED_MILESTONES (5 milestone events per request), BENCH_FEED_ROUNDS (2: A,B pairs),
 * BENCH_FEED_PHASE_SEC (25: each phase's measured window), BENCH_FEED_WARMUP_SEC (3),
 * BENCH_FEED_BASELINE_SEC (60: ingest under the pollers, which go on one period longer),
 * BENCH_FEED_POLL_SEC (30), BENCH_FEED_KEEP_DB=1 (leave the database `lp_bench_feed`),
 * BENCH_SKIP_BUILD=1, BENCH_NO_DOCS=1 (print only, e.g. for a trial:
 * BENCH_FEED_PHASE_SEC=5 BENCH_FEED_BASELINE_SEC=10 BENCH_FEED_POLL_SEC=5 BENCH_NO_DOCS=1 npm run bench:feed).
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { signToken } from '../src/auth/token.js';
import { build, repoDir } from './lib/build.js';
import { checkPolls, checkStreams, type FeedIndex, indexFeed } from './lib/feed-check.js';
import { FeedClients, type ReaderSpec } from './lib/feed-clients.js';
import { CommitClock, commitOf } from './lib/feed-commits.js';
import {
  type Audience,
  audiences,
  CATALOG,
  catalogRequests,
  clockMs,
  FeedWorkload,
  type ItemFacts,
  milestoneKey,
  streamQuery,
} from './lib/feed-data.js';
import { ingestPhase, type PhaseMeasurement, type Timing } from './lib/feed-load.js';
import { type FeedResults, type FeedSettings, renderFeed, type StreamPhase } from './lib/feed-report.js';
import * as pg from './lib/pg.js';
import { machineBusySeconds, memoryOf } from './lib/proc.js';
import { upsertSection } from './lib/report.js';
import type { ServerProcess } from './lib/server.js';
import {
  BENCH_API_KEY,
  BENCH_JWT_SECRET,
  benchLog,
  benchServerEnv,
  envSettings,
  serveLearnpulse,
} from './lib/setup.js';

const DB = 'lp_bench_feed';
export const FEED_HEADING = '## Live feed (issue 6)';

function settingsFrom(env: NodeJS.ProcessEnv): FeedSettings {
  const { adminUrl, int, flag } = envSettings(env);
  return {
    adminUrl,
    plan: {
      admins: int('BENCH_FEED_ADMINS', 50, 0),
      instructors: int('BENCH_FEED_INSTRUCTORS', 200, 0),
      learners: int('BENCH_FEED_LEARNERS', 750, 0),
    },
    clients: int('BENCH_FEED_CLIENTS', 50),
    batch: int('BENCH_FEED_BATCH', 100),
    milestones: int('BENCH_FEED_MILESTONES', 5, 0),
    rounds: int('BENCH_FEED_ROUNDS', 2),
    phaseSec: int('BENCH_FEED_PHASE_SEC', 25),
    warmupSec: int('BENCH_FEED_WARMUP_SEC', 3, 1),
    baselineSec: int('BENCH_FEED_BASELINE_SEC', 60),
    pollSec: int('BENCH_FEED_POLL_SEC', 30),
    keepDatabase: flag('BENCH_FEED_KEEP_DB'),
    writeDocs: !flag('BENCH_NO_DOCS'),
  };
}

const log = benchLog('feed');

// `learnpulse serve`'s defaults (pool, writers, batch, LEARNPULSE_FEED_PING_MS, buffer limit), but
// the at-risk check: its first run, 5 minutes after start, would announce a burst of
// at_risk_changed items that no request of the bench caused, in the middle of a phase.
const serve = (url: string) =>
  serveLearnpulse(benchServerEnv({ DATABASE_URL: url, LEARNPULSE_AT_RISK_CHECK_MS: '0' }));

async function call(server: ServerProcess, method: string, p: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${server.baseUrl}/api/v1${p}`, {
    method,
    headers: {
      authorization: `Bearer ${BENCH_API_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status < 200 || res.status >= 300)
    throw new Error(`${method} ${p}: ${res.status} ${text.slice(0, 300)}\n${server.output()}`);
  return text === '' ? undefined : JSON.parse(text);
}

/** The catalog through the API, as a host platform would push it. */
async function pushCatalog(server: ServerProcess): Promise<void> {
  const { users, courses } = catalogRequests();
  await call(server, 'PUT', '/users', { items: users });
  for (const c of courses) {
    await call(server, 'PUT', `/courses/${c.id}`, c.course);
    await call(server, 'PUT', `/courses/${c.id}/items`, { items: c.items });
    await call(server, 'PUT', `/courses/${c.id}/enrollments`, { items: c.enrollments });
  }
}

/** Each audience's credential: API key for half the admins, signed tokens for everyone else. */
async function credentials(list: readonly Audience[]): Promise<string[]> {
  return Promise.all(
    list.map((a, i) =>
      a.kind === 'admin' && i % 2 === 0
        ? BENCH_API_KEY
        : signToken(
            BENCH_JWT_SECRET,
            { userId: a.userId, role: a.kind === 'learner' ? 'student' : a.kind },
            '2h',
          ),
    ),
  );
}

/** Streams: learners pass the token in the query (EventSource cannot set headers), others a header. */
function streamReaders(list: readonly Audience[], creds: readonly string[]): ReaderSpec[] {
  return list.map((a, i) => {
    const q = streamQuery(a);
    if (a.kind === 'learner') {
      const sep = q === '' ? '?' : '&';
      const headers: Record<string, string> = {};
      return { path: `/api/v1/feed/stream${q}${sep}access_token=${creds[i]}`, headers };
    }
    return { path: `/api/v1/feed/stream${q}`, headers: { authorization: `Bearer ${creds[i]}` } };
  });
}

/** Pollers: the same readers' page, re-fetched: the 50 newest items they may see. */
function pollReaders(list: readonly Audience[], creds: readonly string[]): ReaderSpec[] {
  return list.map((a, i) => {
    const q = streamQuery(a);
    return {
      path: `/api/v1/feed${q}${q === '' ? '?' : '&'}limit=50`,
      headers: { authorization: `Bearer ${creds[i]}` },
    };
  });
}

async function lastSeq(url: string): Promise<number> {
  const sql = pg.connect(url);
  try {
    const [row] = await sql`SELECT last::text AS last FROM feed_sequence WHERE id = 1`;
    return Number(row?.last ?? 0);
  } finally {
    await sql.end();
  }
}

/** The whole feed through GET /feed, newest first, page after page with the cursor. */
async function readWholeFeed(server: ServerProcess): Promise<ItemFacts[]> {
  type Page = {
    items: {
      id: string;
      seq: number;
      type: string;
      learner: { id: string };
      course: { id: string } | null;
      item: { id: string } | null;
    }[];
    nextCursor: string | null;
  };
  const out: ItemFacts[] = [];
  let cursor: string | null = null;
  do {
    const page = (await call(
      server,
      'GET',
      `/feed?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    )) as Page;
    for (const i of page.items)
      out.push({
        seq: i.seq,
        id: i.id,
        type: i.type,
        userId: i.learner.id,
        courseId: i.course?.id ?? null,
        itemId: i.item?.id ?? null,
      });
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

interface Common {
  server: ServerProcess;
  url: string;
  s: FeedSettings;
  workload: FeedWorkload;
  timings: Map<string, Timing>;
  helperPids: number[];
}

const phase = (c: Common, warmupSec: number, durationSec: number) =>
  ingestPhase(c.server, {
    apiKey: BENCH_API_KEY,
    clients: c.s.clients,
    warmupSec,
    durationSec,
    batch: c.s.batch,
    milestones: c.s.milestones,
    workload: c.workload,
    timings: c.timings,
    helperPids: c.helperPids,
  });

function logPhase(label: string, m: PhaseMeasurement): void {
  log(
    `${label}: ${Math.round(m.eventsPerSec)} events/s over ${m.windowSec.toFixed(1)} s, request p50 ${m.p50Ms.toFixed(0)} ms ` +
      `p99 ${m.p99Ms.toFixed(0)} ms, ${m.milestonesSent} milestones, failures ${m.failures}, rejected ${m.rejected}; ` +
      `cores: server ${m.serverCores.toFixed(2)}, postgres ${m.postgresCores.toFixed(2)}, load ${m.loadGenCores.toFixed(2)}, ` +
      `readers+listener ${m.helperCores.toFixed(2)}, other ${m.otherCores.toFixed(2)}; server RSS ${(m.serverRss / 2 ** 20).toFixed(0)} MB`,
  );
  if (m.firstFailure) log(`${label}: first failure: ${m.firstFailure}`);
}

/** Phase A: the subscribers open, ingest runs, every subscriber catches up, they close. */
async function streamPhase(
  c: Common,
  clients: FeedClients,
  list: readonly Audience[],
  readers: ReaderSpec[],
  label: string,
): Promise<StreamPhase> {
  const rssBefore = memoryOf(c.server.pid)?.rss ?? 0;
  const opened = await clients.subscribe(c.server.baseUrl, readers);
  const notReady = opened.stats.filter((st) => st.readyPosition < 0);
  const rssOpen = memoryOf(c.server.pid)?.rss ?? 0;
  log(
    `${label}: ${readers.length - notReady.length} of ${readers.length} subscribers ready in ${opened.openMs.toFixed(0)} ms; ` +
      `server RSS ${(rssBefore / 2 ** 20).toFixed(0)} → ${(rssOpen / 2 ** 20).toFixed(0)} MB`,
  );
  if (notReady.length > 0) log(`${label}: first not ready: ${notReady[0]!.error}`);
  const m = await phase(c, c.s.warmupSec, c.s.phaseSec);
  logPhase(label, m);
  // Every request was answered, so every item is committed: wait for the all-seeing to have it.
  const endSeq = await lastSeq(c.url);
  const allSeeing = list.flatMap((a, i) => (a.kind === 'admin' && !a.types ? [i] : []));
  const waitFrom = clockMs();
  let behind = allSeeing.length;
  while (clockMs() - waitFrom < 30_000) {
    const last = await clients.lastSeqs();
    behind = allSeeing.filter((i) => last[i]! < endSeq).length;
    if (behind === 0) break;
    await sleep(50);
  }
  const caughtUpMs = clockMs() - waitFrom;
  // The other subscribers' items were written in the same pass: a second for them to be read.
  await sleep(1000);
  const closed = await clients.unsubscribe();
  log(
    `${label}: feed at seq ${endSeq}; all-seeing subscribers caught up ${caughtUpMs.toFixed(0)} ms after the last answer` +
      (behind > 0 ? ` (${behind} STILL BEHIND after 30 s)` : '') +
      `; subscribers' event loop delay p99 ${closed.loop.p99Ms.toFixed(1)} ms, max ${closed.loop.maxMs.toFixed(1)} ms`,
  );
  return {
    label,
    ingest: m,
    openMs: opened.openMs,
    rssBefore,
    rssOpen,
    endSeq,
    caughtUpMs,
    behind,
    loop: closed.loop,
    stats: closed.stats,
    deliveries: closed.deliveries,
  };
}

/**
 * Runs the live-feed benchmark and returns the markdown section (also written to docs/benchmarks.md).
 * @example const markdown = await feedBench(process.env);
 */
export async function feedBench(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const s = settingsFrom(env);
  const started = Date.now();
  await build(env);
  const idle = await busyCores();
  if (idle > 0.25) log(`WARNING: the machine is not idle (${idle.toFixed(2)} cores busy before the bench)`);
  const url = pg.databaseUrl(s.adminUrl, DB);
  await pg.recreateDatabase(s.adminUrl, DB);
  const info = await pg.pgInfo(s.adminUrl, url);
  const server = await serve(url);
  const clients = FeedClients.start();
  let commits: CommitClock | undefined;
  try {
    await pushCatalog(server);
    log(
      `catalog: ${CATALOG.courses} courses × ${CATALOG.instructorsPerCourse} instructors, ${CATALOG.learners} learners ` +
        `in 2 courses each, ${CATALOG.videosPerCourse + CATALOG.lessonsPerCourse + CATALOG.quizzesPerCourse} items per course`,
    );
    commits = await CommitClock.start(url);
    const list = audiences(s.plan);
    const creds = await credentials(list);
    const c: Common = {
      server,
      url,
      s,
      workload: new FeedWorkload(),
      timings: new Map(),
      helperPids: [clients.pid, commits.pid],
    };

    const warm = await phase(c, 1, 4);
    logPhase('warm-up (not reported)', warm);

    const streams: StreamPhase[] = [];
    const without: PhaseMeasurement[] = [];
    for (let r = 1; r <= s.rounds; r++) {
      streams.push(await streamPhase(c, clients, list, streamReaders(list, creds), `A${r} with subscribers`));
      const b = await phase(c, s.warmupSec, s.phaseSec);
      logPhase(`B${r} without subscribers`, b);
      without.push(b);
    }

    // Baseline: the pollers, over the same workload; they go on one period after the last answer,
    // so that each has polled at least once after every item of the phase was committed.
    const baselineFrom = await lastSeq(url);
    await clients.startPolling(server.baseUrl, pollReaders(list, creds), s.pollSec * 1000);
    const polled = await phase(c, 0, s.baselineSec);
    logPhase('baseline: pollers', polled);
    const baselineEnd = await lastSeq(url);
    await sleep(Math.max(0, polled.endedAt + s.pollSec * 1000 + 1000 - clockMs()));
    const polls = await clients.stopPolling();
    log(
      `baseline: ${polls.stats.polls} polls (p50 ${polls.stats.p50Ms.toFixed(0)} ms, p99 ${polls.stats.p99Ms.toFixed(0)} ms), ` +
        `${polls.stats.failures} failed; feed seq ${baselineFrom} → ${baselineEnd}`,
    );

    // Read back everything and check.
    const readStarted = Date.now();
    const items = await readWholeFeed(server);
    const feed: FeedIndex = indexFeed(items);
    const finalSeq = await lastSeq(url);
    log(
      `read the whole feed back: ${items.length} items (last seq ${finalSeq}) in ${((Date.now() - readStarted) / 1000).toFixed(1)} s`,
    );
    const commitLog = await commits.read();
    const times = { timings: c.timings, commitOf: commitOf(commitLog) };
    const streamChecks = streams.map((p) => checkStreams(list, p.stats, p.deliveries, feed, p.endSeq, times));
    for (const [i, ch] of streamChecks.entries()) {
      log(
        `${streams[i]!.label}: ${ch.ok ? 'OK' : 'FAILED'} — ${ch.received} received of ${ch.expected} expected, ` +
          `${ch.missing} missing, ${ch.extra} extra, ${ch.disorder} out of order, ${ch.resyncs} resyncs, ` +
          `${ch.disconnects} disconnects; commit → subscriber p50 ${ch.latency.commit.p50.toFixed(1)} ms, ` +
          `p99 ${ch.latency.commit.p99.toFixed(1)} ms, max ${ch.latency.commit.max.toFixed(1)} ms`,
      );
      for (const p of ch.problems) log(`  ${p}`);
    }
    const pollCheck = checkPolls(list, polls.deliveries, feed, baselineFrom, baselineEnd, times);
    log(
      `baseline: ${pollCheck.shown} of ${pollCheck.expected} (poller, item) pairs ever shown; commit → first poll ` +
        `p50 ${(pollCheck.latency.commit.p50 / 1000).toFixed(1)} s, p99 ${(pollCheck.latency.commit.p99 / 1000).toFixed(1)} s`,
    );

    // Every acknowledged milestone made exactly one item, written once (no revision, no gap).
    const acknowledgedKeys = [...c.timings].filter(([, t]) => !Number.isNaN(t.answered)).length;
    const keysInFeed = items.filter(
      (i) => i.itemId !== null && c.timings.has(milestoneKey(i.type, i.userId, i.itemId)),
    ).length;
    const byType: Record<string, number> = {};
    for (const i of items) byType[i.type] = (byType[i.type] ?? 0) + 1;

    const results: FeedResults = {
      settings: s,
      pg: info,
      streams,
      streamChecks,
      without,
      baseline: {
        ingest: polled,
        stats: polls.stats,
        loop: polls.loop,
        check: pollCheck,
        fromSeq: baselineFrom,
        endSeq: baselineEnd,
      },
      feed: {
        items: items.length,
        finalSeq,
        byType,
        milestonesSent: c.timings.size,
        milestonesAcknowledged: acknowledgedKeys,
        keysInFeed,
        commitsOutOfOrder: commitLog.outOfOrder,
        notifications: commitLog.at.length,
      },
      idleCores: idle,
      totalSec: 0,
    };
    const productionOk = keysInFeed === c.timings.size && items.length === finalSeq;
    const ok = streamChecks.every((ch) => ch.ok) && productionOk;
    results.totalSec = (Date.now() - started) / 1000;
    const markdown = renderFeed(results);
    if (!ok) {
      process.stdout.write(`${markdown}\n`);
      throw new Error(
        'feed bench: ' +
          [
            ...streamChecks.flatMap((ch, i) =>
              ch.ok ? [] : [`${streams[i]!.label}: ${ch.problems.slice(0, 3).join('; ') || 'stream errors'}`],
            ),
            ...(productionOk
              ? []
              : [
                  `${keysInFeed} of ${c.timings.size} milestones sent are in the feed; ${items.length} items for ` +
                    `${finalSeq} seqs taken`,
                ]),
          ].join('; ') +
          ' — docs/benchmarks.md left as it was',
      );
    }
    if (s.writeDocs) {
      upsertSection(path.join(repoDir, 'docs', 'benchmarks.md'), FEED_HEADING, markdown);
      log('wrote docs/benchmarks.md');
    }
    log(`done in ${results.totalSec.toFixed(0)} s`);
    return markdown;
  } finally {
    await clients.stop();
    await commits?.stop();
    await server.stop();
    if (s.keepDatabase) log(`kept database ${url}`);
    else await pg.dropDatabase(s.adminUrl, DB);
  }
}

/** Cores busy over a second: the figures mean little if something else is using the machine. */
async function busyCores(): Promise<number> {
  const before = machineBusySeconds();
  await sleep(1000);
  return machineBusySeconds() - before;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${await feedBench()}\n`);
}
