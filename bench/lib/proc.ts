import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Memory {
  /** Resident set size now, in bytes. */
  rss: number;
  /** Peak resident set size since the process started (VmHWM), in bytes. */
  hwm: number;
}

/** Reads VmRSS and VmHWM of `pid` from /proc (Linux only); undefined once the process is gone. */
export function memoryOf(pid: number): Memory | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

/**
 * Samples a process's memory every `everyMs` so that the peak of a phase can be told apart from
 * the start-up peak VmHWM also covers.
 * @example const s = sampleMemory(child.pid); …; const { peakRss, hwm } = s.stop();
 */
export function sampleMemory(pid: number, everyMs = 200): { stop(): { peakRss: number; hwm: number } } {
  let peakRss = 0;
  let hwm = 0;
  const take = () => {
    const m = memoryOf(pid);
    if (!m) return;
    peakRss = Math.max(peakRss, m.rss);
    hwm = Math.max(hwm, m.hwm);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { peakRss, hwm };
    },
  };
}

/** Command name and CPU seconds (user + system) of `pid`, from /proc/<pid>/stat. */
function statOf(pid: number | string): { command: string; cpuSeconds: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name, which may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, in clock ticks (100 per second on Linux).
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / 100;
    return { command: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), cpuSeconds };
  } catch {
    return undefined;
  }
}

/** CPU seconds `pid` has used so far; 0 once it is gone. */
export function cpuSecondsOf(pid: number): number {
  return statOf(pid)?.cpuSeconds ?? 0;
}

/**
 * CPU seconds used so far by all live processes named `command` (e.g. `postgres`: the server's
 * backends, checkpointer, WAL writer). Processes that exit meanwhile drop out of the sum, so take
 * differences over windows in which the processes of interest stay alive.
 */
export function cpuSecondsOfCommand(command: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(entry);
    if (stat?.command === command) total += stat.cpuSeconds;
  }
  return total;
}

/**
 * CPU seconds the whole machine has spent busy (all cores, everything but idle and I/O wait), from
 * /proc/stat: with the load generator, the server and PostgreSQL on two cores, this tells whether
 * a run was CPU-bound.
 */
export function machineBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100;
  } catch {
    return 0;
  }
}

/** The figures mean little if something else is using the cores: says so before a bench starts. */
export async function warnIfBusy(log: (message: string) => void): Promise<void> {
  const before = machineBusySeconds();
  await sleep(1000);
  const cores = machineBusySeconds() - before;
  if (cores > 0.25) log(`WARNING: the machine is not idle (${cores.toFixed(2)} cores busy before the bench)`);
}
