import { daysBetween } from '../engagement/streak.js';

/** How many local days a course row keeps: enough for "the last 7 days and the 7 before". */
export const RECENT_DAYS = 14;

/**
 * A learner's visits and time on task in a course on their latest local days: slot i is the day
 * `anchor − i`, where `anchor` is the latest local day with activity. Kept on the course row so
 * that the engagement views need no scan of daily activity.
 */
export interface RecentDays {
  anchor: string | null;
  visits: number[];
  activeMs: number[];
}

export const emptyRecent = (): RecentDays => ({
  anchor: null,
  visits: new Array(RECENT_DAYS).fill(0),
  activeMs: new Array(RECENT_DAYS).fill(0),
});

/**
 * Adds one day's activity. The result holds, for each of the 14 days ending at the latest day
 * ever seen, the sum of that day's activity, whatever the order the days arrive in: a day older
 * than the window is dropped, a newer one moves the window.
 */
export function addRecent(r: RecentDays, day: string, visits: number, activeMs: number): RecentDays {
  let out = r;
  if (out.anchor === null || day > out.anchor) {
    const shift = out.anchor === null ? RECENT_DAYS : daysBetween(out.anchor, day);
    const moved = emptyRecent();
    moved.anchor = day;
    for (let i = 0; i + shift < RECENT_DAYS; i++) {
      moved.visits[i + shift] = out.visits[i]!;
      moved.activeMs[i + shift] = out.activeMs[i]!;
    }
    out = moved;
  } else {
    out = { anchor: out.anchor, visits: [...out.visits], activeMs: [...out.activeMs] };
  }
  const slot = daysBetween(day, out.anchor!);
  if (slot < RECENT_DAYS) {
    out.visits[slot]! += visits;
    out.activeMs[slot]! += activeMs;
  }
  return out;
}

export interface Windows {
  /** `course_visit`s on the last 7 local days (today and the 6 before). */
  visits7d: number;
  activeMsLast7: number;
  activeMsPrevious7: number;
}

/**
 * The 7-day windows ending `today`, or undefined when the row cannot tell: its latest day is after
 * today (events dated in the future), so days the window needs may have been dropped.
 */
export function recentWindows(r: RecentDays, today: string): Windows | undefined {
  const w: Windows = { visits7d: 0, activeMsLast7: 0, activeMsPrevious7: 0 };
  if (r.anchor === null) return w;
  if (r.anchor > today) return undefined;
  // Slot i is `i` days before the anchor, so its age today is the anchor's age plus i.
  const anchorAge = daysBetween(r.anchor, today);
  for (let i = 0; i < RECENT_DAYS; i++) {
    const age = anchorAge + i;
    if (age < 7) {
      w.visits7d += r.visits[i]!;
      w.activeMsLast7 += r.activeMs[i]!;
    } else if (age < 14) {
      w.activeMsPrevious7 += r.activeMs[i]!;
    }
  }
  return w;
}
