import { post } from './http-post.js';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { percentile } from './analytics-http.js';
import { cpuSecondsOf, machineBusySeconds, sampleMemory } from './proc.js';
import type { ServerProcess } from './server.js';

/**
 * A closed-loop load driver where each client owns its own stream of request bodies (autocannon
 * draws every body from one shared function, so it cannot keep a client's viewers in order):
 * `clients` clients over keep-alive connections, each sending its next body when the previous one
 * is answered, until its stream ends (or the time is up).
 */
export interface StreamDriveOptions {
  apiKey: string;
  clients: number;
  /** Client `c`'s next body, or undefined when it has nothing more to send. */
  next(c: number, elapsedSec: number): { body: string; events: number } | undefined;
  /** Requests answered in the first `warmupSec` seconds are not measured. */
  warmupSec: number;
  /**
   * With a duration, clients stop sending at warm-up + duration and the window is that long.
   * Without, every client sends its whole stream and the window ends when the first client has
   * sent its last request (after that, fewer than `clients` clients are sending).
   */
  durationSec?: number;
  /** Called after each answered request with the events acknowledged so far. */
  progress?(acknowledged: number, elapsedSec: number): void;
}

export interface StreamMeasurement {
  /** Events acknowledged per second in the measured window. */
  eventsPerSec: number;
  windowSec: number;
  /** Requests answered in the window, and their latency (ms, request sent to answer read). */
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Over the whole run, warm-up and tail included. */
  acknowledged: number;
  totalSec: number;
  overallEventsPerSec: number;
  rejected: number;
  rejectionCodes: Record<string, number>;
  duplicates: number;
  /** Non-2xx answers and socket errors (their events are not resent). */
  failures: number;
  firstFailure?: string;
  /** VmHWM of the server process, and the highest RSS sampled during the run. */
  peakRss: number;
  loadRss: number;
  /** Average cores in the window: the server, PostgreSQL, this process, everything else. */
  serverCores: number;
  postgresCores: number;
  loadGenCores: number;
  otherCores: number;
}

interface CpuSnapshot {
  at: number;
  server: number;
  postgres: number;
  own: number;
  machine: number;
}

/**
 * CPU seconds PostgreSQL's processes have used so far, those that have exited included: parallel
 * query workers live for one query, so summing live processes alone (`cpuSecondsOfCommand`)
 * would count their work as another workload's. An exited child's time is in its parent's
 * cutime/cstime, so the postmaster's (the `postgres` process whose parent is not one) is added.
 */
export function postgresCpuSeconds(): number {
  const procs: { pid: string; ppid: string; own: number; children: number }[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') continue;
      // Fields after the command: state, ppid, …; utime, stime, cutime, cstime are the 12th to 15th.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.push({
        pid,
        ppid: f[1]!,
        own: (Number(f[11]) + Number(f[12])) / 100,
        children: (Number(f[13]) + Number(f[14])) / 100,
      });
    } catch {
      // Gone meanwhile.
    }
  }
  const pids = new Set(procs.map((p) => p.pid));
  return procs.reduce((n, p) => n + p.own + (pids.has(p.ppid) ? 0 : p.children), 0);
}

function snapshot(serverPid: number): CpuSnapshot {
  const own = process.cpuUsage();
  return {
    at: performance.now(),
    server: cpuSecondsOf(serverPid),
    postgres: postgresCpuSeconds(),
    own: (own.user + own.system) / 1e6,
    machine: machineBusySeconds(),
  };
}

/**
 * Drives `POST /api/v1/events` of a running server with per-client streams and measures the
 * window after the warm-up (see `StreamDriveOptions.durationSec`).
 * @example await driveStreams(server, { apiKey, clients: 50, warmupSec: 3, next: (c) => work.body(c, 100) })
 */
export async function driveStreams(
  server: ServerProcess,
  opts: StreamDriveOptions,
): Promise<StreamMeasurement> {
  const url = new URL('/api/v1/events', server.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.clients });
  const memory = sampleMemory(server.pid);
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  const done: { at: number; ms: number; accepted: number }[] = [];
  let acknowledged = 0;
  let rejected = 0;
  let duplicates = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  const rejectionCodes: Record<string, number> = {};

  let start: CpuSnapshot | undefined;
  let end: CpuSnapshot | undefined;
  const windowStart = t0 + opts.warmupSec * 1000;
  const warmTimer = setTimeout(() => {
    start = snapshot(server.pid);
  }, opts.warmupSec * 1000);
  const timed = opts.durationSec !== undefined;
  const endTimer = timed
    ? setTimeout(
        () => {
          end = snapshot(server.pid);
        },
        (opts.warmupSec + opts.durationSec!) * 1000,
      )
    : undefined;

  const client = async (c: number) => {
    for (;;) {
      const next = opts.next(c, elapsed());
      if (!next) break;
      const sent = performance.now();
      try {
        const res = await post(agent, url, opts.apiKey, next.body);
        const now = performance.now();
        if (res.status < 200 || res.status >= 300) {
          failures++;
          firstFailure ??= `${res.status} ${res.text.slice(0, 300)}`;
          continue;
        }
        const parsed = JSON.parse(res.text) as {
          accepted?: number;
          duplicates?: number;
          rejected?: { code?: string }[];
        };
        const accepted = parsed.accepted ?? 0;
        acknowledged += accepted;
        duplicates += parsed.duplicates ?? 0;
        for (const r of parsed.rejected ?? []) {
          rejected++;
          rejectionCodes[r.code ?? '?'] = (rejectionCodes[r.code ?? '?'] ?? 0) + 1;
        }
        done.push({ at: now, ms: now - sent, accepted });
        opts.progress?.(acknowledged, elapsed());
      } catch (err) {
        failures++;
        firstFailure ??= (err as Error).message;
      }
    }
    // The first client to run out closes a count-driven window.
    if (!timed && !end) end = snapshot(server.pid);
  };
  try {
    await Promise.all(Array.from({ length: opts.clients }, (_, c) => client(c)));
  } finally {
    clearTimeout(warmTimer);
    if (endTimer) clearTimeout(endTimer);
    agent.destroy();
  }
  const finished = performance.now();
  const { peakRss, hwm } = memory.stop();
  if (!start || !end || end.at <= start.at) {
    throw new Error(`the run ended before its measured window (${((finished - t0) / 1000).toFixed(1)} s)`);
  }
  const windowSec = (end.at - start.at) / 1000;
  const inWindow = done.filter((d) => d.at >= windowStart && d.at <= end!.at);
  const latencies = inWindow.map((d) => d.ms).sort((a, b) => a - b);
  const cores = (f: (s: CpuSnapshot) => number) => (f(end!) - f(start!)) / windowSec;
  const serverCores = cores((s) => s.server);
  const postgresCores = cores((s) => s.postgres);
  const loadGenCores = cores((s) => s.own);
  const machineCores = cores((s) => s.machine);
  const totalSec = ((done.at(-1)?.at ?? finished) - t0) / 1000;
  return {
    eventsPerSec: inWindow.reduce((n, d) => n + d.accepted, 0) / windowSec,
    windowSec,
    requests: inWindow.length,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? Number.NaN,
    acknowledged,
    totalSec,
    overallEventsPerSec: acknowledged / totalSec,
    rejected,
    rejectionCodes,
    duplicates,
    failures,
    ...(firstFailure !== undefined ? { firstFailure } : {}),
    peakRss: hwm,
    loadRss: peakRss,
    serverCores,
    postgresCores,
    loadGenCores,
    otherCores: Math.max(0, machineCores - serverCores - postgresCores - loadGenCores),
  };
}

/**
 * Average cores used by anything but the server under test, PostgreSQL and this process between
 * the call and `stop()`: another workload on the cores would make the figures suspect.
 */
export function otherLoad(serverPid?: number): { stop(): number } {
  const take = () => snapshot(serverPid ?? -1);
  const before = take();
  return {
    stop() {
      const after = take();
      const known = (s: CpuSnapshot) => s.server + s.postgres + s.own;
      const wall = (after.at - before.at) / 1000;
      return Math.max(0, after.machine - before.machine - (known(after) - known(before))) / wall;
    },
  };
}
