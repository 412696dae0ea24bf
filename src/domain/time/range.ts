export const MIN_TIME = Date.UTC(1900, 0, 1);
export const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Whether an instant (ms since the epoch) is in the range we store: 1900 to 9999. PostgreSQL has
 * no year 0, which ISO 8601 and ajv's date-time format allow.
 */
export function isSupportedInstant(ms: number): boolean {
  return Number.isFinite(ms) && ms >= MIN_TIME && ms <= MAX_TIME;
}

/** Clamps an instant into the stored range (for window bounds computed from stored instants). */
export const clampInstant = (ms: number): number => Math.min(MAX_TIME, Math.max(MIN_TIME, ms));
