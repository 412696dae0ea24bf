const dayFormatters = new Map<string, Intl.DateTimeFormat>();
const clockFormatters = new Map<string, Intl.DateTimeFormat>();

function dayFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = dayFormatters.get(timeZone);
  if (!f) {
    // en-CA formats dates as YYYY-MM-DD.
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormatters.set(timeZone, f);
  }
  return f;
}

/** The zone's UTC offset at an instant, in milliseconds. */
export function offsetAt(ms: number, timeZone: string): number {
  let f = clockFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    clockFormatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const local = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return local - (ms - (((ms % 1000) + 1000) % 1000));
}

/** Whether `timeZone` is an IANA zone name this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    dayFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's canonical IANA name ('europe/paris' → 'Europe/Paris'), or undefined if unknown. */
export function canonicalTimeZone(timeZone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/**
 * Days are looked up per zone and quarter hour of UTC: every offset in use today is a multiple of
 * 15 minutes, so a local midnight falls on a quarter-hour boundary. A quarter hour is cached only
 * when the offset is the same at both its ends (no transition inside, so local time runs straight
 * through it) and both ends fall on the same day; anything else is formatted event by event.
 */
const QUARTER_HOUR = 900_000;
const MAX_CACHED = 200_000;
const dayCache = new Map<string, string>();

/**
 * The calendar day (YYYY-MM-DD) of an instant in a time zone; an unknown zone counts as UTC.
 * Called for every event on the ingest path, hence the cache.
 * @example localDay('2026-03-01T10:00:00Z', 'Pacific/Auckland') // '2026-03-01' (23:00 local)
 */
export function localDay(instant: string | Date, timeZone: string): string {
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  const bucket = Math.floor(ms / QUARTER_HOUR);
  // Keyed by the name as given: a hit costs one map lookup, the zone is checked on a miss only.
  const key = `${timeZone}\u0000${bucket}`;
  const cached = dayCache.get(key);
  if (cached !== undefined) return cached;
  const zone = isValidTimeZone(timeZone) ? timeZone : 'UTC';
  const format = dayFormatter(zone);
  const start = bucket * QUARTER_HOUR;
  const end = start + QUARTER_HOUR - 1;
  const first = format.format(start);
  if (first !== format.format(end) || offsetAt(start, zone) !== offsetAt(end, zone)) return format.format(ms);
  if (dayCache.size >= MAX_CACHED) dayCache.clear();
  dayCache.set(key, first);
  return first;
}

/** The same day computed without the cache: the reference the cache is tested against. */
export function localDayUncached(instant: string | Date, timeZone: string): string {
  const zone = isValidTimeZone(timeZone) ? timeZone : 'UTC';
  return dayFormatter(zone).format(typeof instant === 'string' ? new Date(instant) : instant);
}
