/** Latency of one endpoint, from sequential requests (one in flight at a time). */
export interface Latency {
  samples: number;
  medianMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
  /** The last answer, parsed, for the caller's sanity checks. */
  body: unknown;
  bytes: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Times `GET url` end to end as a client sees it (request sent to body fully read), `warmup`
 * times untimed and then `n` times, one after another: the figure is the latency of one
 * instructor's page load on an otherwise idle server, not throughput under load.
 */
export async function timeGet(url: string, apiKey: string, warmup: number, n: number): Promise<Latency> {
  const headers = { authorization: `Bearer ${apiKey}` };
  const times: number[] = [];
  let text = '';
  for (let i = 0; i < warmup + n; i++) {
    const started = process.hrtime.bigint();
    const res = await fetch(url, { headers });
    text = await res.text();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${text.slice(0, 500)}`);
    if (i >= warmup) times.push(ms);
  }
  times.sort((a, b) => a - b);
  return {
    samples: n,
    medianMs: median(times),
    p95Ms: percentile(times, 0.95),
    minMs: times[0] ?? Number.NaN,
    maxMs: times[times.length - 1] ?? Number.NaN,
    body: JSON.parse(text),
    bytes: Buffer.byteLength(text),
  };
}
