/**
 * A calendar date (YYYY-MM-DD) as a day number since 1970-01-01: dates are counted and stepped in
 * plain arithmetic, without time zones, and without parsing (the views do this for every learner).
 */
export const dayNumber = (day: string): number =>
  Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / 86_400_000;

/** Days as YYYY-MM-DD strings, stepped in calendar arithmetic. */
export function addDays(day: string, n: number): string {
  return new Date((dayNumber(day) + n) * 86_400_000).toISOString().slice(0, 10);
}

/** Whole days from `a` to `b` (b − a). */
export const daysBetween = (a: string, b: string): number => dayNumber(b) - dayNumber(a);

export interface Streaks {
  /** Consecutive active days ending today, or yesterday if today has no activity yet. */
  current: number;
  longest: number;
}

/**
 * Streaks over a learner's active local days (SPEC §5). A streak still counts on a day without
 * activity so far: it ends only once a whole day passes without any.
 * @example streaks(['2026-05-01', '2026-05-02'], '2026-05-03') // { current: 2, longest: 2 }
 */
export function streaks(activeDays: Iterable<string>, today: string): Streaks {
  const days = [...new Set(activeDays)].filter((d) => d <= today).sort();
  let longest = 0;
  let run = 0;
  let prev: string | undefined;
  for (const d of days) {
    run = prev !== undefined && daysBetween(prev, d) === 1 ? run + 1 : 1;
    if (run > longest) longest = run;
    prev = d;
  }
  const last = days[days.length - 1];
  const current = last !== undefined && daysBetween(last, today) <= 1 ? run : 0;
  return { current, longest };
}
