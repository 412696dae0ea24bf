import { createRequire } from 'node:module';

/** The slice of autocannon's API this bench uses (the package ships no types). */
interface AutocannonRequest {
  setupRequest(req: Record<string, unknown>): Record<string, unknown>;
  onResponse(status: number, body: string): void;
}
interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  latency: { p50: number; p99: number; max: number };
  requests: { sent: number };
}
type Autocannon = (opts: {
  url: string;
  method: 'POST';
  connections: number;
  pipelining: number;
  duration: number;
  timeout: number;
  headers: Record<string, string>;
  requests: AutocannonRequest[];
}) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface LoadOptions {
  url: string;
  headers: Record<string, string>;
  connections: number;
  durationSec: number;
  /** A fresh request body; called once per request. */
  body(): string;
}

export interface LoadResult {
  durationSec: number;
  requests: number;
  /** Sum of `accepted` over the 2xx responses. */
  accepted: number;
  duplicates: number;
  /** Events the server refused (`rejected` of 2xx responses): should be none. */
  rejected: number;
  /** Non-2xx responses, socket errors and timeouts. */
  failures: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Closed-loop load: `connections` clients, each sending its next request when the previous one
 * has been answered (no pipelining), for `durationSec` seconds.
 * @example await runLoad({ url, headers, connections: 50, durationSec: 20, body: () => gen.body(100) })
 */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  let accepted = 0;
  let duplicates = 0;
  let rejected = 0;
  let requests = 0;
  const result = await autocannon({
    url: opts.url,
    method: 'POST',
    connections: opts.connections,
    pipelining: 1,
    duration: opts.durationSec,
    timeout: 30,
    headers: opts.headers,
    requests: [
      {
        setupRequest(req) {
          req.body = opts.body();
          return req;
        },
        onResponse(status, body) {
          requests++;
          if (status < 200 || status >= 300) return;
          const parsed = JSON.parse(body) as { accepted?: number; duplicates?: number; rejected?: unknown[] };
          accepted += parsed.accepted ?? 0;
          duplicates += parsed.duplicates ?? 0;
          rejected += parsed.rejected?.length ?? 0;
        },
      },
    ],
  });
  return {
    durationSec: result.duration,
    requests,
    accepted,
    duplicates,
    rejected,
    failures: result.non2xx + result.errors + result.timeouts,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
  };
}
