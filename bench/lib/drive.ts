import { performance } from 'node:perf_hooks';
import type { BodySource } from './events.js';
import { type LoadResult, runLoad } from './load.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuSecondsOf, cpuSecondsOfCommand, machineBusySeconds, sampleMemory } from './proc.js';
import type { ServerProcess } from './server.js';

export interface DriveOptions {
  apiKey: string;
  connections: number;
  warmupSec: number;
  durationSec: number;
  batchEvents: number;
}

/** What one HTTP scenario measured; `stored` is filled in by the caller from the database. */
export interface HttpMeasurement {
  /** Events acknowledged per second in the measured window. */
  eventsPerSec: number;
  main: LoadResult;
  /** Events acknowledged over warm-up and measured window together. */
  acknowledged: number;
  /** Peak resident memory of the server process over its whole life (VmHWM). */
  peakRss: number;
  /** Highest resident memory sampled during the measured window. */
  loadRss: number;
  /** Average CPU of the server process in the window, in cores. */
  serverCores: number;
  /** Average CPU of this process (the load generator) in the window, in cores. */
  loadGenCores: number;
  /** Average CPU of the PostgreSQL server's processes in the window, in cores. */
  postgresCores: number;
  /** Average CPU of the whole machine in the window, in cores (PostgreSQL included). */
  machineCores: number;
  /** What the machine spent besides the server, PostgreSQL and us: other load distorts the run. */
  otherCores: number;
}

/**
 * Drives a running server: a warm-up (JIT, connection pools, first partition), then the measured
 * window during which the server's memory and CPU and our own CPU are sampled.
 * @example const m = await drive(server, gen, { apiKey, connections: 50, warmupSec: 3, durationSec: 20, batchEvents: 100 })
 */
export async function drive(
  server: ServerProcess,
  gen: BodySource,
  opts: DriveOptions,
): Promise<HttpMeasurement> {
  const load = (durationSec: number) =>
    runLoad({
      url: `${server.baseUrl}/api/v1/events`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.apiKey}` },
      connections: opts.connections,
      durationSec,
      body: () => gen.body(opts.batchEvents),
    });
  const warm = opts.warmupSec > 0 ? await load(opts.warmupSec) : undefined;
  // Let the requests cut off at the end of the warm-up finish before the window opens.
  await sleep(1000);

  const memory = sampleMemory(server.pid);
  const serverCpu = cpuSecondsOf(server.pid);
  const ownCpu = process.cpuUsage();
  const machineCpu = machineBusySeconds();
  const postgresCpu = cpuSecondsOfCommand('postgres');
  const started = performance.now();
  const main = await load(opts.durationSec);
  const seconds = (performance.now() - started) / 1000;
  const own = process.cpuUsage(ownCpu);
  const serverCores = (cpuSecondsOf(server.pid) - serverCpu) / seconds;
  const machineCores = (machineBusySeconds() - machineCpu) / seconds;
  const postgresCores = (cpuSecondsOfCommand('postgres') - postgresCpu) / seconds;
  const loadGenCores = (own.user + own.system) / 1e6 / seconds;
  const { peakRss, hwm } = memory.stop();

  return {
    eventsPerSec: main.accepted / main.durationSec,
    main,
    acknowledged: (warm?.accepted ?? 0) + main.accepted,
    peakRss: hwm,
    loadRss: peakRss,
    serverCores,
    loadGenCores,
    postgresCores,
    machineCores,
    otherCores: Math.max(0, machineCores - serverCores - postgresCores - loadGenCores),
  };
}
