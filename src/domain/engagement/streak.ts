/** Days as YYYY-MM-DD strings, compared and stepped in UTC arithmetic (calendar dates, no zone). */
export function addDays(day: string, n: number): string {
  const t = Date.parse(`${day}T00:00:00Z`) + n * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** Whole days from `a` to `b` (b − a). */
export const daysBetween = (a: string, b: string): number =>
  Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

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
