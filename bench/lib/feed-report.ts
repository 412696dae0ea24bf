import { cpus } from 'node:os';
import {
  type Dist,
  dist,
  emptyLatencies,
  type Latencies,
  type PollCheck,
  type StreamCheck,
  summarise,
} from './feed-check.js';
import type { Deliveries, LoopDelay, PollStats, SubscriberStats } from './feed-clients.js';
import { CATALOG, type SubscriberPlan, VIDEO_SEC } from './feed-data.js';
import type { PhaseMeasurement } from './feed-load.js';
import type { PgInfo } from './pg.js';
import { fmt, machineLine, table } from './report.js';

export interface FeedSettings {
  adminUrl: string;
  plan: SubscriberPlan;
  clients: number;
  batch: number;
  milestones: number;
  rounds: number;
  phaseSec: number;
  warmupSec: number;
  baselineSec: number;
  pollSec: number;
  keepDatabase: boolean;
  writeDocs: boolean;
}

/** One phase with the subscribers open. */
export interface StreamPhase {
  label: string;
  ingest: PhaseMeasurement;
  openMs: number;
  /** Server RSS before the subscribers connected, and once all were ready. */
  rssBefore: number;
  rssOpen: number;
  /** The feed's last seq when the phase's last request was answered. */
  endSeq: number;
  /** From the last answer until every all-seeing subscriber had the last item. */
  caughtUpMs: number;
  behind: number;
  loop: LoopDelay;
  stats: SubscriberStats[];
  deliveries: Deliveries;
}

export interface FeedResults {
  settings: FeedSettings;
  pg: PgInfo;
  streams: StreamPhase[];
  streamChecks: StreamCheck[];
  without: PhaseMeasurement[];
  baseline: {
    ingest: PhaseMeasurement;
    stats: PollStats;
    loop: LoopDelay;
    check: PollCheck;
    fromSeq: number;
    endSeq: number;
  };
  feed: {
    items: number;
    finalSeq: number;
    byType: Record<string, number>;
    milestonesSent: number;
    milestonesAcknowledged: number;
    keysInFeed: number;
    commitsOutOfOrder: number;
    notifications: number;
  };
  idleCores: number;
  totalSec: number;
}

export const ISSUE = { subscribers: 1_000, p99Ms: 500, maxCost: 0.15 };
const OTHER_LOAD_CORES = 0.25;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const ms = (x: number) => (Number.isFinite(x) ? fmt.ms(x) : '∞');
const sec = (x: number) => (Number.isFinite(x) ? `${(x / 1000).toFixed(1)} s` : '∞');
const mb = (b: number) => fmt.mib(b);
const cores = (c: number) => `${c.toFixed(2)}${c > OTHER_LOAD_CORES ? ' ⚠' : ''}`;

function pool(list: Latencies[]): Latencies {
  const out = emptyLatencies();
  for (const l of list) {
    for (const x of l.commit) out.commit.push(x);
    for (const x of l.upper) out.upper.push(x);
    for (const x of l.lower) out.lower.push(x);
  }
  return out;
}

/** Server CPU (ms) per 1,000 events acknowledged: less sensitive than events/s to other load on the cores. */
const serverMsPerK = (m: PhaseMeasurement) => (m.serverCores / m.eventsPerSec) * 1e6;

const ingestRow = (name: string, m: PhaseMeasurement) => [
  name,
  fmt.int(m.eventsPerSec),
  `${fmt.ms(m.p50Ms)} / ${fmt.ms(m.p99Ms)}`,
  fmt.int(m.milestonesSent),
  mb(m.serverRss),
  `${m.serverCores.toFixed(2)} / ${m.postgresCores.toFixed(2)} / ${m.loadGenCores.toFixed(2)} / ` +
    `${m.helperCores.toFixed(2)} / ${cores(m.otherCores)}`,
  serverMsPerK(m).toFixed(1),
  fmt.int(m.failures + m.rejected),
];

const distCells = (d: Dist, unit: (x: number) => string) => [
  unit(d.p50),
  unit(d.p95),
  unit(d.p99),
  unit(d.max),
];

/** The markdown body of the `## Live feed (issue 6)` section. */
export function renderFeed(r: FeedResults): string {
  const s = r.settings;
  const subscribers = s.plan.admins + s.plan.instructors + s.plan.learners;
  const full = subscribers >= ISSUE.subscribers;
  const ours = summarise(pool(r.streamChecks.map((c) => c.raw)));
  const firstAny = dist(r.streamChecks.flatMap((c) => c.transactions.firstAny));
  const lastAll = dist(r.streamChecks.flatMap((c) => c.transactions.lastAll));
  const base = r.baseline.check;
  const deliveries = r.streamChecks.reduce((n, c) => n + c.received, 0);
  const allOk = r.streamChecks.every((c) => c.ok);
  const withRates = r.streams.map((p) => p.ingest.eventsPerSec);
  const withoutRates = r.without.map((m) => m.eventsPerSec);
  const cost = 1 - mean(withRates) / mean(withoutRates);
  const pairCosts = withRates.map((w, i) => 1 - w / withoutRates[i]!);
  const p99Pass = ours.commit.p99 < ISSUE.p99Ms;
  const costPass = cost <= ISSUE.maxCost;
  const abOther = Math.max(
    ...r.streams.map((p) => p.ingest.otherCores),
    ...r.without.map((m) => m.otherCores),
  );
  const cpuCost =
    mean(r.streams.map((p) => serverMsPerK(p.ingest))) / mean(r.without.map((m) => serverMsPerK(m))) - 1;
  const allPhases = [...r.streams.map((p) => p.ingest), ...r.without, r.baseline.ingest];
  const worstOther = Math.max(...allPhases.map((m) => m.otherCores));
  const itemRate = (m: PhaseMeasurement) => (m.milestonesSent / Math.max(1, m.endedAt - m.startedAt)) * 1000;
  const kinds = ['admin', 'instructor', 'learner'] as const;
  const kindName = {
    admin: 'admin scope (API key or admin token; 1 in 5 with a `types` filter)',
    instructor: 'instructors (their course; half with `courseId`)',
    learner: 'learners (their own items; token in the query)',
  };
  const types = Object.entries(r.feed.byType)
    .sort(([, a], [, b]) => b - a)
    .map(([t, n]) => `${fmt.int(n)} \`${t}\``)
    .join(', ');

  const latencyRows = [
    ['commit → subscriber (commit as seen by a LISTEN client)', ours.commit, base.latency.commit] as const,
    ['request sent → subscriber (upper bound)', ours.upper, base.latency.upper] as const,
    ['request answered → subscriber (lower bound)', ours.lower, base.latency.lower] as const,
  ];

  return [
    `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${fmt.int(r.totalSec)} s in all. ` +
      `Machine: ${machineLine(r.pg)}.` +
      (process.env.NODE_OPTIONS
        ? ` Bench and server ran with NODE_OPTIONS=\`${process.env.NODE_OPTIONS}\`.`
        : '') +
      (r.idleCores > OTHER_LOAD_CORES
        ? ` ⚠ ${r.idleCores.toFixed(2)} cores were busy before the bench started.`
        : ''),
    '',
    `${fmt.int(subscribers)} Server-Sent Events subscribers on one server process — ${s.plan.admins} admin-scope, ` +
      `${s.plan.instructors} instructors, ${s.plan.learners} learners` +
      (full ? " — the issue's size" : ' — **reduced size** (the issue asks for 1,000)') +
      ` — while ${s.clients} clients ingest requests of ${s.batch} events (${s.batch - s.milestones} \`video_heartbeat\`s that make ` +
      `no item, ${s.milestones} milestone events that make one each: about ${fmt.int(mean(r.streams.map((p) => itemRate(p.ingest))))} ` +
      `feed items/s). ${fmt.int(deliveries)} deliveries checked over ${r.streams.length} phase(s) with the subscribers; ` +
      `the feed ended with ` +
      `${fmt.int(r.feed.items)} items (${types}).`,
    '',
    table(
      [
        'delivery latency',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'max ms',
        'baseline p50',
        'baseline p99',
        'baseline ÷ ours, p50 / p99',
      ],
      latencyRows
        .map(([name, o, b]) => [
          name,
          ...distCells(o, ms),
          sec(b.p50),
          sec(b.p99),
          o.p50 > 0 ? `${fmt.ratio(b.p50 / o.p50)} / ${fmt.ratio(b.p99 / o.p99)}` : '—',
        ])
        .concat([
          [
            `— per transaction (${fmt.int(firstAny.n)}, each counted once): commit → its first item at the first subscriber`,
            ...distCells(firstAny, ms),
            '',
            '',
            '',
          ],
          [
            '— per transaction: commit → its last item at the last subscriber',
            ...distCells(lastAll, ms),
            '',
            '',
            '',
          ],
        ]),
    ),
    '',
    `The server committed ${fmt.int(r.feed.items)} items in ${fmt.int(r.feed.notifications)} transactions ` +
      `(${(r.feed.items / Math.max(1, r.feed.notifications)).toFixed(1)} on average: the group commit takes up to its batch ` +
      'limit of events at a time). Per transaction, the first of its items to reach any subscriber measures the way to ' +
      "the server's hub (notification, read of the new rows, both waiting their turn on the server's event loop); the " +
      'last of its items to reach the last subscriber adds the fan-out of the whole transaction to every stream.',
    '',
    `Baseline: the reference design's page re-fetch, every ${s.pollSec} s at a random phase per viewer, as ` +
      `${fmt.int(base.pollers)} pollers of \`GET /feed?limit=50\` (same readers, same filters) over the same workload for ` +
      `${s.baselineSec} s (+ ${s.pollSec} s of polling after it); its latency is to the first poll that returned the item, ` +
      `over the (poller, item) pairs that some poll returned at all: ${fmt.int(base.shown)} of ${fmt.int(base.expected)} ` +
      `(${pct(base.shown / Math.max(1, base.expected))}): the page holds the 50 newest items, so a reader with more than 50 ` +
      `new items per period never sees the rest (by reader below). Counting the never-shown pairs as never delivered: ` +
      `p50 ${sec(base.commitWithNever.p50)}, p99 ${sec(base.commitWithNever.p99)}.`,
    '',
    table(
      ['target', 'measured', 'result'],
      [
        [
          `every subscriber receives every item it may see (${fmt.int(ISSUE.subscribers)} subscribers, while ingesting)`,
          `${fmt.int(r.streamChecks.reduce((n, c) => n + c.expected, 0))} expected, ` +
            `${fmt.int(r.streamChecks.reduce((n, c) => n + c.missing, 0))} missing, ` +
            `${fmt.int(r.streamChecks.reduce((n, c) => n + c.extra, 0))} extra, ` +
            `${fmt.int(r.streamChecks.reduce((n, c) => n + c.disorder, 0))} repeated or out of order, ` +
            `${fmt.int(r.streamChecks.reduce((n, c) => n + c.resyncs, 0))} resyncs`,
          `${allOk ? '**pass**' : '**FAIL**'}${full ? '' : ' (reduced size)'}`,
        ],
        [
          `delivery latency p99 < ${ISSUE.p99Ms} ms (commit → subscriber)`,
          `p99 ${ms(ours.commit.p99)} ms (p50 ${ms(ours.commit.p50)} ms); upper bound p99 ${ms(ours.upper.p99)} ms`,
          `${p99Pass ? '**pass**' : '**FAIL**'}${ours.upper.p99 < ISSUE.p99Ms ? ' (upper bound too)' : ' (upper bound: fail)'}`,
        ],
        [
          `ingest with the subscribers ≥ ${100 - ISSUE.maxCost * 100} % of without (cost ≤ ${ISSUE.maxCost * 100} %)`,
          `${fmt.int(mean(withRates))} vs ${fmt.int(mean(withoutRates))} events/s: cost ${pct(cost)} ` +
            `(per pair ${pairCosts.map(pct).join(', ')}); server CPU per event ` +
            `${cpuCost >= 0 ? '+' : ''}${pct(cpuCost)} with them`,
          (costPass ? '**pass**' : '**FAIL**') +
            (abOther > OTHER_LOAD_CORES ? ' ⚠ (other load in a phase)' : ''),
        ],
        [
          `against the ${s.pollSec}-s page re-fetch (reference design), same run`,
          `p50 ${sec(base.latency.commit.p50)} / p99 ${sec(base.latency.commit.p99)}: ` +
            `${fmt.ratio(base.latency.commit.p50 / ours.commit.p50)} / ${fmt.ratio(base.latency.commit.p99 / ours.commit.p99)} ` +
            `slower; shows ${pct(base.shown / Math.max(1, base.expected))} of the items at all`,
          '(reported)',
        ],
      ],
    ),
    '',
    table(
      [
        'ingest phase (in run order)',
        'events/s',
        'request p50 / p99 ms',
        'milestones sent',
        'server RSS peak',
        'CPU cores: server / PostgreSQL / load gen / readers + listener / other',
        'server CPU ms per 1,000 events',
        'failed requests',
      ],
      [
        ...r.streams.flatMap((p, i) => [
          ingestRow(p.label, p.ingest),
          ingestRow(`B${i + 1} without subscribers`, r.without[i]!),
        ]),
        ingestRow(`baseline: ${fmt.int(base.pollers)} pollers every ${s.pollSec} s`, r.baseline.ingest),
      ],
    ),
    '',
    table(
      ['subscribers', ...r.streams.map((p) => p.label)],
      [
        [
          'ready / opened (time to all ready)',
          ...r.streams.map(
            (p, i) =>
              `${fmt.int(subscribers - r.streamChecks[i]!.notReady)} / ${fmt.int(subscribers)} (${fmt.ms(p.openMs)} ms)`,
          ),
        ],
        [
          'server RSS before → with all open',
          ...r.streams.map((p) => `${mb(p.rssBefore)} → ${mb(p.rssOpen)}`),
        ],
        [
          'items received / expected',
          ...r.streamChecks.map((c) => `${fmt.int(c.received)} / ${fmt.int(c.expected)}`),
        ],
        [
          'missing, extra, not in the feed, repeated or out of order, wrong item',
          ...r.streamChecks.map(
            (c) => `${c.missing}, ${c.extra}, ${c.notInFeed}, ${c.disorder}, ${c.wrongItem + c.mismatches}`,
          ),
        ],
        ['resyncs, disconnects', ...r.streamChecks.map((c) => `${c.resyncs}, ${c.disconnects}`)],
        [
          'all-seeing subscribers had the last item, after the last answer',
          ...r.streams.map(
            (p) => `${fmt.ms(p.caughtUpMs)} ms${p.behind > 0 ? ` (${p.behind} still behind ✗)` : ''}`,
          ),
        ],
        [
          'pings, `live_session` events',
          ...r.streamChecks.map((c) => `${fmt.int(c.pings)}, ${fmt.int(c.liveSessionEvents)}`),
        ],
        [
          'commit → subscriber p50 / p99 / max ms',
          ...r.streamChecks.map(
            (c) => `${ms(c.latency.commit.p50)} / ${ms(c.latency.commit.p99)} / ${ms(c.latency.commit.max)}`,
          ),
        ],
        [
          "readers' process event-loop delay p99 / max ms",
          ...r.streams.map((p) => `${fmt.ms(p.loop.p99Ms)} / ${fmt.ms(p.loop.maxMs)}`),
        ],
        [
          'deliveries not caused by a bench request (not timed)',
          ...r.streamChecks.map((c) => fmt.int(c.untimed)),
        ],
      ],
    ),
    '',
    table(
      [
        'by reader',
        'readers',
        'SSE deliveries',
        'SSE commit → subscriber p50 / p99 ms',
        'polled: pairs shown',
        'polled: commit → first poll p50 / p99',
      ],
      kinds.map((k) => {
        const raws = r.streamChecks.map((c) => c.byKind[k]);
        const d = dist(raws.flatMap((x) => x?.raw.commit ?? []));
        const b = base.byKind[k];
        return [
          kindName[k],
          fmt.int(raws[0]?.subscribers ?? 0),
          fmt.int(raws.reduce((n, x) => n + (x?.deliveries ?? 0), 0)),
          `${ms(d.p50)} / ${ms(d.p99)}`,
          b
            ? `${fmt.int(b.shown)} of ${fmt.int(b.expected)} (${pct(b.shown / Math.max(1, b.expected))})`
            : '—',
          b ? `${sec(b.commit.p50)} / ${sec(b.commit.p99)}` : '—',
        ];
      }),
    ),
    '',
    table(
      ['checks', 'value'],
      [
        [
          'milestones sent → feed items',
          `${fmt.int(r.feed.milestonesSent)} sent (${fmt.int(r.feed.milestonesAcknowledged)} answered), ` +
            `${fmt.int(r.feed.keysInFeed)} found in the feed ${r.feed.keysInFeed === r.feed.milestonesSent ? '✓' : '✗'}; ` +
            `${fmt.int(r.feed.items)} items for ${fmt.int(r.feed.finalSeq)} seqs taken (none revised or deleted) ` +
            `${r.feed.items === r.feed.finalSeq ? '✓' : '✗'}`,
        ],
        [
          'commit notifications seen by the listener',
          `${fmt.int(r.feed.notifications)} (${r.feed.commitsOutOfOrder} out of seq order)`,
        ],
        [
          'baseline polls',
          `${fmt.int(r.baseline.stats.polls)} (p50 ${fmt.ms(r.baseline.stats.p50Ms)} ms, p99 ${fmt.ms(r.baseline.stats.p99Ms)} ms; ` +
            `${r.baseline.stats.failures} failed; ${mb(r.baseline.stats.bytes)} read); items shown to a reader that may not ` +
            `see them: ${base.extra}; feed seq ${fmt.int(r.baseline.fromSeq)} → ${fmt.int(r.baseline.endSeq)}`,
        ],
      ],
    ),
    '',
    `CPU used by other processes (neither server, PostgreSQL nor the bench's processes): up to ${cores(worstOther)} cores in a phase` +
      (worstOther > OTHER_LOAD_CORES
        ? ` — ⚠ above ${OTHER_LOAD_CORES}: another workload shared the ${cpus().length} cores and the figures are suspect.`
        : '.'),
    '',
    'How it was measured (`bench/feed.ts`):',
    `- Server: the built server (\`learnpulse serve\`) as a child process on a fresh PostgreSQL database, its defaults ` +
      '(pool, two writers, batch limit, `LEARNPULSE_FEED_PING_MS`, stream buffer limit) but `LEARNPULSE_AT_RISK_CHECK_MS=0`: ' +
      "the at-risk check's first run, 5 minutes after start, would add a burst of `at_risk_changed` items no request caused. " +
      `Catalog through the API: ${CATALOG.courses} courses with ${CATALOG.instructorsPerCourse} instructors each ` +
      `(\`instructorIds\`), ${fmt.int(CATALOG.learners)} learners enrolled in two courses each, ${CATALOG.videosPerCourse} videos ` +
      `(${VIDEO_SEC / 60} min), ${CATALOG.lessonsPerCourse} lessons and ${CATALOG.quizzesPerCourse} quizzes per course.`,
    `- Load (\`bench/lib/feed-data.ts\`, \`feed-load.ts\`): ${s.clients} clients in a closed loop over keep-alive ` +
      `connections, ${s.batch} events per request with \`occurredAt\` = now: ${s.batch - s.milestones} \`video_heartbeat\`s of ` +
      'enrolled learners (10 s further each, wrapping at 25 min of a 60-min video: never half of it, so no item) and ' +
      `${s.milestones} milestones — 40 % a lesson at 60 % (\`progress_update\`), 30 % a lesson at 100 % whose 60 % was ` +
      'answered before (`lesson_completed`), 30 % a first attempt at a quiz (`exam_attempt`); each makes exactly one item ' +
      'that nothing revises, keyed by (type, learner, item) to the request that carried it. Phases in this order: a 5-s ' +
      `warm-up (not reported), then ${r.streams.map((p, i) => `${p.label.slice(0, 2)}, B${i + 1}`).join(', ')} — A with the ` +
      `subscribers open, B with none connected — each ${s.warmupSec} s of warm-up then ${s.phaseSec} s measured; ` +
      'events/s = events acknowledged in the window ÷ its length; the cost is 1 − mean(A) ÷ mean(B), and per pair. ' +
      "Server CPU per 1,000 events (the server process's CPU time in the window ÷ the events) is a second view of the " +
      'cost, less sensitive to other processes taking the cores than events/s (which a closed loop on shared cores ' +
      'ties to whatever else runs).',
    `- Subscribers (\`bench/lib/feed-clients.ts\`): one separate Node process holding all ${fmt.int(subscribers)} ` +
      '`GET /feed/stream` connections (one socket each, opened 100 at a time; all `ready` before the load starts), ' +
      "parsing the stream as EventSource does and keeping only each item's seq, arrival time and a hash of its id. After " +
      'the last request of a phase is answered, the bench waits for the all-seeing subscribers to have the last seq, ' +
      'then 1 s, then closes them all. The event-loop delay of that process is reported: it is part of the measured ' +
      'latency (its CPU is in the "readers + listener" column; it shares the cores with the server and PostgreSQL).',
    '- Check (`bench/lib/feed-check.ts`): the whole feed is read back through `GET /feed` with the cursor (API key); for ' +
      "each subscriber the items it may see by SPEC §4's rules (admin all, subject to its `types`; instructor the items " +
      'of the course they teach; learner their own, not `at_risk_changed`) with seq after its `ready` position and up to ' +
      "the phase's last seq must be exactly those received: each once, in increasing seq, with the id the feed lists for " +
      'that seq; no `resync`, no stream ended by the server. Any failure fails the bench and leaves this file unchanged.',
    '- Latency, per delivery (subscriber, item), all on CLOCK_MONOTONIC (`process.hrtime`, shared by the processes): ' +
      "**commit → subscriber** is arrival minus the commit time seen by a fourth process that LISTENs on the server's " +
      'feed channel (PostgreSQL delivers a notification at commit, and its payload is the highest seq written; commits ' +
      'take seqs in order, so seq N is committed at the first notification ≥ N) — it includes the notification reaching ' +
      'that listener (sub-ms on localhost, but not zero) and is the figure the target is judged on. A client cannot see ' +
      'the commit itself, so two bounds from the ingest requests are given too: arrival minus the sending of the request ' +
      'that carried the milestone (an upper bound: it includes the wait for the group commit and the commit) and arrival ' +
      'minus the reading of its answer (a lower bound, since the answer is sent after the commit; negative when the ' +
      'stream was faster than the answer).',
    `- Baseline (\`feed-clients.ts\` pollers): the reference design's \`setInterval(fetch(page), 30000)\` as ` +
      `${fmt.int(base.pollers)} pollers in the same process, each with the reader's credential and filters and a random ` +
      `phase in [0, ${s.pollSec} s), fetching \`GET /feed?limit=50\` (the page's feed) during a ${s.baselineSec}-s ingest of the ` +
      `same workload and ${s.pollSec} s after it; an item is delivered to a poller by the first response that contains it. ` +
      "Its latency is about half the period plus the ingest's own delay, and items pushed out of the 50 newest before the " +
      'next poll are never shown; the server does less work for it (one query per poll instead of a fan-out per item).',
  ].join('\n');
}
