import { post } from './http-post.js';
import http from 'node:http';
import { percentile } from './analytics-http.js';
import { clockMs, type FeedWorkload } from './feed-data.js';
import { cpuSecondsOf, machineBusySeconds, sampleMemory } from './proc.js';
import type { ServerProcess } from './server.js';
import { postgresCpuSeconds } from './video-drive.js';

/** When the request carrying a milestone was sent and answered (clockMs; answered NaN until then). */
export interface Timing {
  sent: number;
  answered: number;
}

export interface PhaseOptions {
  apiKey: string;
  clients: number;
  warmupSec: number;
  durationSec: number;
  batch: number;
  milestones: number;
  workload: FeedWorkload;
  /** Filled with every milestone key sent: when its request went out and came back. */
  timings: Map<string, Timing>;
  /** The bench's other processes (subscribers, commit listener): their CPU is not "other load". */
  helperPids: number[];
}

export interface PhaseMeasurement {
  /** Events acknowledged per second in the measured window (after the warm-up). */
  eventsPerSec: number;
  windowSec: number;
  /** Requests answered in the window and their latency (ms, sent to answer read). */
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Over warm-up and window. */
  acknowledged: number;
  milestonesSent: number;
  rejected: number;
  duplicates: number;
  failures: number;
  firstFailure?: string;
  /** Highest RSS of the server sampled during the phase, and its VmHWM so far. */
  serverRss: number;
  serverHwm: number;
  /** Average cores in the window. */
  serverCores: number;
  postgresCores: number;
  loadGenCores: number;
  helperCores: number;
  otherCores: number;
  /** clockMs of the first request sent and of the last answer read. */
  startedAt: number;
  endedAt: number;
}

interface Cpu {
  at: number;
  server: number;
  postgres: number;
  own: number;
  helpers: number;
  machine: number;
}

function cpu(serverPid: number, helperPids: readonly number[]): Cpu {
  const own = process.cpuUsage();
  return {
    at: clockMs(),
    server: cpuSecondsOf(serverPid),
    postgres: postgresCpuSeconds(),
    own: (own.user + own.system) / 1e6,
    helpers: helperPids.reduce((n, pid) => n + cpuSecondsOf(pid), 0),
    machine: machineBusySeconds(),
  };
}

/**
 * Closed-loop ingest: `clients` clients over keep-alive connections, each sending its next body
 * of `batch` events when the previous one is answered, for warm-up + duration seconds; the window
 * is the duration after the warm-up. Every milestone key's send and answer times are recorded.
 * @example await ingestPhase(server, { apiKey, clients: 50, warmupSec: 3, durationSec: 25, … })
 */
export async function ingestPhase(server: ServerProcess, o: PhaseOptions): Promise<PhaseMeasurement> {
  const url = new URL('/api/v1/events', server.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.clients });
  const memory = sampleMemory(server.pid);
  const t0 = clockMs();
  const windowStart = t0 + o.warmupSec * 1000;
  const stopAt = windowStart + o.durationSec * 1000;
  const done: { at: number; ms: number; accepted: number }[] = [];
  let acknowledged = 0;
  let milestonesSent = 0;
  let rejected = 0;
  let duplicates = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  let start: Cpu | undefined;
  let end: Cpu | undefined;
  const startTimer = setTimeout(() => {
    start = cpu(server.pid, o.helperPids);
  }, o.warmupSec * 1000);
  const endTimer = setTimeout(
    () => {
      end = cpu(server.pid, o.helperPids);
    },
    (o.warmupSec + o.durationSec) * 1000,
  );

  const client = async () => {
    while (clockMs() < stopAt) {
      const sent = clockMs();
      const batch = o.workload.body(o.batch, o.milestones, Date.now());
      const timing: Timing = { sent, answered: Number.NaN };
      for (const k of batch.keys) {
        if (o.timings.has(k)) throw new Error(`milestone ${k} generated twice`);
        o.timings.set(k, timing);
      }
      milestonesSent += batch.keys.length;
      try {
        const res = await post(agent, url, o.apiKey, batch.body);
        const now = clockMs();
        timing.answered = now;
        if (res.status < 200 || res.status >= 300) {
          failures++;
          firstFailure ??= `${res.status} ${res.text.slice(0, 300)}`;
          continue;
        }
        const parsed = JSON.parse(res.text) as {
          accepted?: number;
          duplicates?: number;
          rejected?: { code?: string; message?: string }[];
        };
        acknowledged += parsed.accepted ?? 0;
        duplicates += parsed.duplicates ?? 0;
        if (parsed.rejected && parsed.rejected.length > 0) {
          rejected += parsed.rejected.length;
          firstFailure ??= `rejected: ${JSON.stringify(parsed.rejected[0])}`;
        }
        o.workload.acknowledged(batch.keys);
        done.push({ at: now, ms: now - sent, accepted: parsed.accepted ?? 0 });
      } catch (err) {
        timing.answered = clockMs();
        failures++;
        firstFailure ??= (err as Error).message;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: o.clients }, () => client()));
  } finally {
    clearTimeout(startTimer);
    clearTimeout(endTimer);
    agent.destroy();
  }
  const { peakRss, hwm } = memory.stop();
  if (!start || !end) throw new Error('the ingest phase ended before its measured window');
  const windowSec = (end.at - start.at) / 1000;
  const inWindow = done.filter((d) => d.at >= windowStart && d.at <= end!.at);
  const latencies = inWindow.map((d) => d.ms).sort((a, b) => a - b);
  const cores = (f: (s: Cpu) => number) => (f(end!) - f(start!)) / windowSec;
  const serverCores = cores((s) => s.server);
  const postgresCores = cores((s) => s.postgres);
  const loadGenCores = cores((s) => s.own);
  const helperCores = cores((s) => s.helpers);
  const machineCores = cores((s) => s.machine);
  return {
    eventsPerSec: inWindow.reduce((n, d) => n + d.accepted, 0) / windowSec,
    windowSec,
    requests: inWindow.length,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? Number.NaN,
    acknowledged,
    milestonesSent,
    rejected,
    duplicates,
    failures,
    ...(firstFailure !== undefined ? { firstFailure } : {}),
    serverRss: peakRss,
    serverHwm: hwm,
    serverCores,
    postgresCores,
    loadGenCores,
    helperCores,
    otherCores: Math.max(0, machineCores - serverCores - postgresCores - loadGenCores - helperCores),
    startedAt: t0,
    endedAt: done.at(-1)?.at ?? clockMs(),
  };
}
