import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import type { IngestSettings } from '../ingest.js';
import { repoDir } from './build.js';
import type { CopyResult } from './copy-baseline.js';
import type { HttpMeasurement } from './drive.js';
import type { PgInfo } from './pg.js';
import { fmt, machineLine, table } from './report.js';

type Http = HttpMeasurement & { stored: number };

export interface IngestResults {
  settings: IngestSettings;
  pg: PgInfo;
  bodyMicros: number;
  copy: CopyResult;
  postgres: Http;
  /** Ours on PostgreSQL under the tracker-shaped stream (in-order heartbeats). */
  tracker: Http | undefined;
  naive: Http;
  naiveAutocommit: Http | undefined;
  pglite: Http | undefined;
}

/** The targets: reported as pass or fail, never asserted. */
const TARGET = { ofCopy: 0.5, overNaive: 8, p99Ms: 250, rssBytes: 400 * 2 ** 20 };

/**
 * Acknowledged events must all be stored; a few more may be stored than acknowledged (requests in
 * flight when the load generator stopped, answered to nobody), at most two per client.
 */
function verified(m: Http, s: IngestSettings): string {
  const ok = m.stored >= m.acknowledged && m.stored - m.acknowledged <= 2 * s.connections * s.batchEvents;
  const refused = m.main.rejected > 0 ? ` (${fmt.int(m.main.rejected)} events rejected)` : '';
  return `${fmt.int(m.stored)} / ${fmt.int(m.acknowledged)} ${ok ? '✓' : '✗'}${refused}`;
}

/** Above this, something else ran on the machine during the window and the figures are suspect. */
const OTHER_LOAD_CORES = 0.25;

function cpuCell(m: Http): string {
  const cores = [m.serverCores, m.postgresCores, m.loadGenCores, m.otherCores].map((c) => c.toFixed(2));
  return cores.join(' / ') + (m.otherCores > OTHER_LOAD_CORES ? ' ⚠' : '');
}

function httpRow(name: string, m: Http, s: IngestSettings): string[] {
  return [
    name,
    fmt.int(m.eventsPerSec),
    fmt.ms(m.main.p50Ms),
    fmt.ms(m.main.p99Ms),
    fmt.mib(m.peakRss),
    cpuCell(m),
    String(m.main.failures),
    verified(m, s),
  ];
}

const pass = (ok: boolean) => (ok ? '**pass**' : '**FAIL**');

function pgliteVersion(): string {
  // Read from disk: the package's `exports` do not include its package.json.
  const file = path.join(repoDir, 'node_modules', '@electric-sql', 'pglite', 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** The markdown body of the `## Ingest (issue 2)` section. */
export function renderIngest(r: IngestResults): string {
  const s = r.settings;
  const ours = r.postgres;
  const rows = [
    httpRow('learnpulse, PostgreSQL', ours, s),
    ...(r.tracker
      ? [httpRow("learnpulse, PostgreSQL, tracker-shaped stream (not the target's load)", r.tracker, s)]
      : []),
    ...(r.pglite ? [httpRow('learnpulse, PGlite', r.pglite, s)] : []),
    httpRow('naive (reference design): 1 INSERT per event, 1 transaction per request', r.naive, s),
    ...(r.naiveAutocommit
      ? [httpRow('naive, autocommit: 1 INSERT and 1 commit per event', r.naiveAutocommit, s)]
      : []),
    [
      `raw COPY into \`events\`, ${fmt.int(s.copyBatchRows)}-row batches, 1 connection`,
      fmt.int(r.copy.rowsPerSec),
      '—',
      '—',
      '—',
      '—',
      '0',
      `${fmt.int(r.copy.rows)} rows ✓`,
    ],
  ];
  const ofCopy = ours.eventsPerSec / r.copy.rowsPerSec;
  const overNaive = ours.eventsPerSec / r.naive.eventsPerSec;
  const overAutocommit = r.naiveAutocommit ? ours.eventsPerSec / r.naiveAutocommit.eventsPerSec : undefined;
  const targets = [
    [`end-to-end ≥ 50 % of raw COPY`, `${(ofCopy * 100).toFixed(0)} %`, pass(ofCopy >= TARGET.ofCopy)],
    [
      `≥ 8× naive (reference design: 1 transaction per request)`,
      fmt.ratio(overNaive),
      pass(overNaive >= TARGET.overNaive),
    ],
    [
      `≥ 8× naive (autocommit: 1 commit per event)`,
      overAutocommit ? fmt.ratio(overAutocommit) : 'not run',
      overAutocommit ? pass(overAutocommit >= TARGET.overNaive) : '—',
    ],
    [
      `p99 < 250 ms at 50 clients`,
      `${fmt.ms(ours.main.p99Ms)} ms at ${s.connections} clients`,
      s.connections === 50 ? pass(ours.main.p99Ms < TARGET.p99Ms) : 'n/a (not 50 clients)',
    ],
    [`server RSS < 400 MB on PostgreSQL`, fmt.mib(ours.peakRss), pass(ours.peakRss < TARGET.rssBytes)],
    [`server RSS on PGlite (reported)`, r.pglite ? fmt.mib(r.pglite.peakRss) : 'not run', '—'],
  ];

  return [
    `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. Machine: ${machineLine(r.pg, pgliteVersion())}.`,
    '',
    table(
      [
        'scenario',
        'events/s',
        'p50 ms',
        'p99 ms',
        'server peak RSS',
        'CPU cores: server / PostgreSQL / load gen / other',
        'failed requests',
        'stored / acknowledged',
      ],
      rows,
    ),
    '',
    table(['target', 'measured', 'result'], targets),
    '',
    'How it was measured:',
    `- Load: autocannon in the bench process on the same machine, ${s.connections} clients in a closed loop ` +
      `(each sends its next request when the previous one is answered), ${s.batchEvents} events per request ` +
      `(90 % \`heartbeat\` with \`activeSec\`, 10 % \`course_visit\`; 5,000 learners over 20 courses; ` +
      `\`occurredAt\` in the last 3 days of the current month; fresh UUIDs in every body, built per ` +
      `request in ${r.bodyMicros.toFixed(0)} µs). ${s.warmupSec} s warm-up, then ${s.durationSec} s measured. ` +
      `The load generator, the server and PostgreSQL share the machine's cores. In a closed loop ` +
      `events/s ≈ clients × ${s.batchEvents} ÷ mean latency: at a fixed number of clients, throughput ` +
      'is set by request latency.',
    "- Tracker-shaped stream (a second load, reported beside the target's): 20,000 learners in one " +
      'course each, every one sending a heartbeat every 30 s of event time, in order, and a ' +
      '`course_visit` in place of every tenth; each request carries the next 100 events of all learners, ' +
      "as a platform relaying its browsers' trackers would. Event time starts two days back and moves " +
      '30 s per round of learners. Unlike the random instants above, where nearly every heartbeat opens ' +
      'a learning session of its own, heartbeats here stretch the current session.',
    '- events/s: events acknowledged (`accepted` summed over 2xx responses) in the measured window ÷ its ' +
      'length. Stored / acknowledged: rows counted in `event_ids` after the server was stopped, against ' +
      'the events acknowledged over warm-up and window (✓: none missing; a few extra are requests in ' +
      'flight when the load stopped).',
    '- Server peak RSS: VmHWM of the server process (Node only; PostgreSQL backends are not counted; ' +
      'for PGlite the database runs inside it). CPU: average cores used during the window by the server ' +
      'process, by all `postgres` processes, by the bench process (load generator), and by anything else ' +
      `(the machine's busy time minus those three; ⚠ above ${OTHER_LOAD_CORES}: another workload shared ` +
      `the ${cpus().length} cores and the row is suspect).`,
    '- Each scenario runs alone on a fresh database migrated by `learnpulse migrate`, after a `CHECKPOINT`; ' +
      "the baselines' rows go to the current month's partition, as ours do.",
    '- naive (reference design): `bench/naive-server.ts`, node:http + postgres.js pool of 10. Per request, ' +
      'one INSERT per event, pipelined inside one transaction, as the reference does with `pgx.Batch` / ' +
      '`SendBatch` (one implicit transaction per batch). Each INSERT is one statement that first inserts ' +
      'the id into `event_ids` ON CONFLICT DO NOTHING and then the row into `events` if the id was new, so ' +
      'it is as idempotent as ours; it keeps all 100 events where the reference drops those after the 50th. ' +
      'naive, autocommit: the same statements awaited one by one, each committed on its own. Neither ' +
      'maintains projections; ours applies every projection (daily activity, course progress and ' +
      'learning sessions, per-course daily totals, the feed) in the same transaction, as SPEC §2 asks.',
    `- raw COPY: ${fmt.int(r.copy.rows)} pre-generated rows of the same shape, COPY text format into ` +
      '`events` only (no `event_ids`, no projections), one COPY statement (one commit) per batch, ' +
      `${r.copy.seconds.toFixed(1)} s.`,
  ].join('\n');
}
