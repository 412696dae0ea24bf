import { useCallback, useEffect, useState } from 'react';
import { ApiError, getJson } from '../lib/api.js';
import { fmtPct } from '../lib/format.js';
import { useSession } from '../lib/session-context.js';
import type { Loadable } from '../lib/use-api.js';
import type { CourseStatus, ItemStatus } from './learner-types.js';

/** A day `YYYY-MM-DD` as epoch seconds of its midnight UTC: the charts' x values. */
export const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;
/** An x value of `dayStart` as "4 Dec" (read in UTC, so the day never shifts). */
export const fmtDayTick = (sec: number) =>
  new Date(sec * 1000).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
export const fmtWeekday = (day: string) =>
  new Date(`${day}T00:00:00Z`).toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });

const dayFormats = new Map<string, Intl.DateTimeFormat>();
/** The local day (`YYYY-MM-DD`) of an instant in a time zone (UTC if the zone is unknown). */
export function localDay(iso: string, timeZone: string): string {
  let f = dayFormats.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch {
      f = new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' });
    }
    dayFormats.set(timeZone, f);
  }
  return f.format(new Date(iso));
}

/** The `count` days ending with `lastDay`, oldest first. */
export function daysEnding(lastDay: string, count: number): string[] {
  const end = Date.parse(`${lastDay}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => new Date(end - (count - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}

const typeIcons: Record<string, string> = { video: '▶', lesson: '¶', page: '¶', quiz: '✎', assignment: '✎' };
/** A small symbol for an item's type, hidden from screen readers (the type is said in words). */
export function ItemType({ type }: { type: string }) {
  return (
    <span className="learner-type" title={type}>
      <span aria-hidden="true">{typeIcons[type] ?? '•'}</span> <span className="learner-type-name">{type}</span>
    </span>
  );
}

const itemStatusText: Record<ItemStatus, string> = {
  completed: 'Completed',
  in_progress: 'In progress',
  not_started: 'Not started',
};
export function ItemStatusPill({ status }: { status: ItemStatus }) {
  return <span className={`pill learner-status-${status}`}>{itemStatusText[status]}</span>;
}

const courseStatusText: Record<CourseStatus, string> = { active: 'Active', completed: 'Completed', inactive: 'Inactive' };
export function CourseStatusPill({ status, testId }: { status: CourseStatus; testId?: string }) {
  return (
    <span className={`pill learner-course-${status}`} data-testid={testId}>
      {courseStatusText[status]}
    </span>
  );
}

/** A labelled progress bar (0–100). */
export function ProgressBar({ percent, label, testId }: { percent: number; label: string; testId?: string }) {
  const p = Math.max(0, Math.min(100, percent));
  return (
    <div
      className="bar learner-bar"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(p * 10) / 10}
      aria-valuetext={fmtPct(percent)}
      data-testid={testId}
    >
      <span style={{ width: `${p}%` }} />
    </div>
  );
}

/**
 * Loads several API paths at once (null: nothing to load yet): ready when all are, an error if
 * any fails. Reloads when the list of paths changes or `reload` is called.
 */
export function useApiAll<T>(paths: string[] | null): Loadable<T[]> {
  const { session } = useSession();
  const key = paths ? JSON.stringify(paths) : null;
  const [result, setResult] = useState<Loadable<T[]>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    if (key === null || !session) return;
    const abort = new AbortController();
    const list = JSON.parse(key) as string[];
    Promise.all(list.map((p) => getJson<T>(session.token, p, abort.signal))).then(
      (data) => setResult({ state: 'ready', data, reload }),
      (error: unknown) => {
        if (abort.signal.aborted) return;
        setResult({
          state: 'error',
          error: error instanceof ApiError ? error : new ApiError(0, 'unexpected', String(error)),
        });
      },
    );
    return () => abort.abort();
  }, [key, session, tick, reload]);

  useEffect(() => {
    setResult({ state: 'loading' });
  }, [key]);

  return result;
}
