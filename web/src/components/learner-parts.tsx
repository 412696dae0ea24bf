import { fmtPct } from '../lib/format.js';
import type { CourseStatus, ItemStatus } from './learner-types.js';

/**
 * A day `YYYY-MM-DD` as the charts' x value: whole days since the epoch (its midnight UTC / 86 400 s).
 * Not epoch seconds: uPlot's linear scale puts ticks at round numbers of the unit, so with seconds
 * they fall every 50 000 or 200 000 s — between days, repeating or skipping dates; with days they
 * fall on days.
 */
export const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`) / 86_400_000;
/** An x value of `dayStart` as "4 Dec" (read in UTC, so the day never shifts); blank between days. */
export const fmtDayTick = (n: number) =>
  Number.isInteger(n)
    ? new Date(n * 86_400_000).toLocaleDateString('en-GB', {
        day: 'numeric',
        month: 'short',
        timeZone: 'UTC',
      })
    : '';
/** Counts on an axis: whole numbers only (no 0.25 items). */
export const fmtWhole = (v: number) => (Number.isInteger(v) ? String(v) : '');
export const fmtWeekday = (day: string) =>
  new Date(`${day}T00:00:00Z`).toLocaleDateString('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });

const typeIcons: Record<string, string> = { video: '▶', lesson: '¶', page: '¶', quiz: '✎', assignment: '✎' };
/** A small symbol for an item's type, hidden from screen readers (the type is said in words). */
export function ItemType({ type }: { type: string }) {
  return (
    <span className="learner-type" title={type}>
      <span aria-hidden="true">{typeIcons[type] ?? '•'}</span>{' '}
      <span className="learner-type-name">{type}</span>
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

const courseStatusText: Record<CourseStatus, string> = {
  active: 'Active',
  completed: 'Completed',
  inactive: 'Inactive',
};
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
