const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // en-CA formats dates as YYYY-MM-DD.
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is an IANA zone name this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The calendar day (YYYY-MM-DD) of an instant in a time zone; an unknown zone counts as UTC.
 * @example localDay('2026-03-01T10:00:00Z', 'Pacific/Auckland') // '2026-03-01' (23:00 local)
 */
export function localDay(instant: string | Date, timeZone: string): string {
  const date = typeof instant === 'string' ? new Date(instant) : instant;
  const zone = isValidTimeZone(timeZone) ? timeZone : 'UTC';
  return formatter(zone).format(date);
}

/** The zone's canonical IANA name ('europe/paris' → 'Europe/Paris'), or undefined if unknown. */
export function canonicalTimeZone(timeZone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}
