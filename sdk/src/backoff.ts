/** First retry after about a second, doubling up to five minutes. */
export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_MAX_MS = 5 * 60_000;
/** A `Retry-After` longer than this is read as this: a misconfigured proxy must not silence a page for days. */
export const RETRY_AFTER_MAX_MS = 60 * 60_000;

/**
 * The wait before retry number `attempt` (0 for the first): exponential, capped, with "equal
 * jitter" — half the step fixed, half random — so a fleet of pages that lost the server together
 * spreads out instead of coming back in lockstep, and the wait still grows every time.
 * @example backoffDelay(3, Math.random()) // 4000–8000 ms
 */
export function backoffDelay(
  attempt: number,
  random: number,
  baseMs = BACKOFF_BASE_MS,
  maxMs = BACKOFF_MAX_MS,
) {
  const step = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return step / 2 + (random * step) / 2;
}

/**
 * A `Retry-After` header (delay in seconds, or an HTTP date) as milliseconds from `nowMs`;
 * undefined when absent or unreadable.
 * @example retryAfterMs('120', Date.now()) // 120000
 */
export function retryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - nowMs;
  return Number.isNaN(ms) ? undefined : Math.min(RETRY_AFTER_MAX_MS, Math.max(0, ms));
}
