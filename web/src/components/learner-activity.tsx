import { type ReactNode, useMemo } from 'react';
import { fmtCount, fmtDuration, fmtInt } from '../lib/format.js';
import { Chart } from './chart.js';
import { dayStart, fmtDayTick, fmtWeekday, fmtWhole } from './learner-parts.js';
import type { StatsDay } from './learner-types.js';
import { Empty } from './states.js';

function ActivityChart({ days, title }: { days: StatsDay[]; title: string }) {
  const props = useMemo(
    () => ({
      title,
      x: { values: days.map((d) => dayStart(d.day)), label: 'Day', format: fmtDayTick },
      series: [
        {
          label: 'Time on task',
          unit: 'min',
          color: '#0b5cad',
          kind: 'bars' as const,
          values: days.map((d) => Math.round(d.timeOnTaskSec / 6) / 10),
        },
        {
          label: 'Visits',
          unit: '',
          color: '#8a4b00',
          axis: 'right' as const,
          format: fmtWhole,
          values: days.map((d) => d.visits),
        },
        {
          label: 'Items completed',
          unit: '',
          color: '#067647',
          axis: 'right' as const,
          format: fmtWhole,
          values: days.map((d) => d.itemsCompleted),
        },
      ],
      height: 240,
    }),
    [days, title],
  );
  return <Chart {...props} />;
}

/**
 * A learner's recent local days: a one-line summary, the chart (time on task as bars, visits and
 * completions as lines), and the same figures as a table for those who would rather read them.
 */
export function DailyActivity({
  days,
  title,
  empty,
  note,
  range,
}: {
  days: StatsDay[];
  title: string;
  empty: ReactNode;
  note?: ReactNode;
  range?: number;
}) {
  const active = days.filter((d) => d.active).length;
  const sum = (k: 'timeOnTaskSec' | 'visits' | 'itemsCompleted') => days.reduce((s, d) => s + d[k], 0);
  return (
    <>
      <p className="learner-note" data-testid="activity-summary">
        {fmtCount(active, 'active day')} of {days.length} · {fmtDuration(sum('timeOnTaskSec'))} ·{' '}
        {fmtCount(sum('visits'), 'visit')} · {fmtCount(sum('itemsCompleted'), 'item')} completed.
        {note ? <> {note}</> : null}
      </p>
      {active === 0 ? (
        <Empty>{empty}</Empty>
      ) : (
        <div data-testid="activity-chart" data-range={range}>
          <ActivityChart days={days} title={title} />
        </div>
      )}
      <details className="learner-details">
        <summary>Show as a table</summary>
        <div className="table-wrap">
          <table data-testid="activity-table">
            <thead>
              <tr>
                <th>Day</th>
                <th className="num">Time on task</th>
                <th className="num">Visits</th>
                <th className="num">Items completed</th>
              </tr>
            </thead>
            <tbody>
              {days.map((d) => (
                <tr key={d.day} data-day={d.day}>
                  <td>{fmtWeekday(d.day)}</td>
                  <td className="num">{fmtDuration(d.timeOnTaskSec)}</td>
                  <td className="num">{fmtInt(d.visits)}</td>
                  <td className="num">{fmtInt(d.itemsCompleted)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}
