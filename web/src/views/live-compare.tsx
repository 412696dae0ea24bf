import { useApi } from '../lib/use-api.js';
import { useMemo } from 'react';
import { Chart } from '../components/chart.js';
import { fmtRating, fmtScore, LiveBadge, TrendPill } from '../components/live-parts.js';
import {
  type LiveCompareResult,
  MAX_COMPARED,
  type Metric,
  type SessionLine,
} from '../components/live-types.js';
import { Empty, Load } from '../components/states.js';
import { fmtDate, fmtDateTime, fmtDuration, fmtInt, fmtRatio } from '../lib/format.js';
import { href } from '../lib/router.js';

const fmtCount = (n: number | null | undefined) =>
  n == null ? '—' : (Math.round(n * 10) / 10).toLocaleString('en-US');

const metrics: {
  key: Metric;
  label: string;
  format: (n: number | null) => string;
  average?: (n: number | null) => string;
}[] = [
  { key: 'attended', label: 'Attended', format: fmtInt, average: fmtCount },
  { key: 'attendanceRate', label: 'Attendance rate', format: fmtRatio },
  { key: 'averageAttendedSec', label: 'Average time attended', format: fmtDuration },
  { key: 'peakViewers', label: 'Peak viewers', format: fmtInt, average: fmtCount },
  { key: 'chatMessages', label: 'Chat messages', format: fmtInt, average: fmtCount },
  { key: 'questions', label: 'Questions', format: fmtInt, average: fmtCount },
  { key: 'engagementRate', label: 'Engagement rate', format: fmtRatio },
  { key: 'averageRating', label: 'Average rating', format: fmtRating },
  { key: 'recordingViews', label: 'Recording views', format: fmtInt, average: fmtCount },
  { key: 'score', label: 'Score', format: fmtScore },
];

const shortDate = (iso: string) =>
  new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short' });

interface TrendSpec {
  key: Metric;
  title: string;
  unit: string;
  color: string;
  scale: (v: number) => number;
  format: (v: number) => string;
  yRange: [number, number];
}

const one = (v: number) => (Math.round(v * 10) / 10).toLocaleString('en-US');
const trendCharts: TrendSpec[] = [
  {
    key: 'attendanceRate',
    title: 'Attendance rate',
    unit: '%',
    color: '#0b5cad',
    scale: (v) => v * 100,
    format: one,
    yRange: [0, 100],
  },
  {
    key: 'engagementRate',
    title: 'Engagement rate',
    unit: '%',
    color: '#067647',
    scale: (v) => v * 100,
    format: one,
    yRange: [0, 100],
  },
  {
    key: 'averageRating',
    title: 'Average rating',
    unit: '/ 5',
    color: '#8a4b00',
    scale: (v) => v,
    format: one,
    yRange: [0, 5],
  },
  {
    key: 'score',
    title: 'Score',
    unit: '/ 100',
    color: '#6941c6',
    scale: (v) => v,
    format: (v) => String(Math.round(v)),
    yRange: [0, 100],
  },
];

/** One figure over the sessions in time order, with its average and trend. */
function TrendChart({ spec, data }: { spec: TrendSpec; data: LiveCompareResult }) {
  const props = useMemo(() => {
    const s = data.sessions;
    // Sessions on a time axis: their dates on the ticks, "#n date time" in the tooltip at a session.
    const xs = s.map((l) => Date.parse(l.scheduledStart) / 1000);
    const withinTwoDays = (xs[xs.length - 1] ?? 0) - (xs[0] ?? 0) < 2 * 86_400;
    const label = (v: number) => {
      const i = xs.indexOf(v);
      if (i >= 0) return `#${i + 1} · ${fmtDateTime(s[i]!.scheduledStart)}`;
      const iso = new Date(v * 1000).toISOString();
      return withinTwoDays ? fmtDateTime(iso) : shortDate(iso);
    };
    return {
      title: `${spec.title} over the compared sessions`,
      x: { values: xs, label: 'Session start', time: true, format: label },
      series: [
        {
          label: spec.title,
          unit: spec.unit,
          color: spec.color,
          format: spec.format,
          values: s.map((l) => (l[spec.key] == null ? null : spec.scale(l[spec.key]!))),
        },
      ],
      yRange: spec.yRange,
      height: 200,
    };
  }, [spec, data]);
  const metric = metrics.find((m) => m.key === spec.key)!;
  const avg = data.averages[spec.key];
  return (
    <section className="card" data-testid={`trend-${spec.key}`}>
      <header className="card-head">
        <div>
          <h2>{spec.title}</h2>
          <p>
            Average{' '}
            <span data-testid={`trend-average-${spec.key}`}>{(metric.average ?? metric.format)(avg)}</span>
          </p>
        </div>
        <TrendPill trend={data.trends[spec.key]} testId={`trend-pill-${spec.key}`} />
      </header>
      {data.sessions.every((l) => l[spec.key] == null) ? (
        <Empty>None of these sessions has this figure yet.</Empty>
      ) : (
        <Chart {...props} />
      )}
    </section>
  );
}

function SessionHead({ line, index }: { line: SessionLine; index: number }) {
  return (
    <th className="num live-compare-session" scope="col" data-session-id={line.sessionId}>
      <a href={href.live(line.sessionId)}>
        #{index + 1} {line.title}
      </a>
      <span className="live-compare-date">
        {fmtDate(line.scheduledStart)} {line.isLive && <LiveBadge testId="compare-live" label="Live" />}
      </span>
    </th>
  );
}

function CompareTable({ data }: { data: LiveCompareResult }) {
  return (
    <section className="card" aria-label="Sessions side by side">
      <header className="card-head">
        <h2>Side by side</h2>
        <p>In time order; trend: the later half of the sessions against the earlier half</p>
      </header>
      <div className="table-wrap">
        <table data-testid="compare-table" className="live-compare">
          <thead>
            <tr>
              <th scope="col">Figure</th>
              {data.sessions.map((l, i) => (
                <SessionHead key={l.sessionId} line={l} index={i} />
              ))}
              <th className="num" scope="col">
                Average
              </th>
              <th scope="col">Trend</th>
            </tr>
          </thead>
          <tbody>
            {metrics.map((m) => (
              <tr key={m.key} data-metric={m.key}>
                <th scope="row">{m.label}</th>
                {data.sessions.map((l) => (
                  <td key={l.sessionId} className="num" data-session-id={l.sessionId}>
                    {m.format(l[m.key])}
                  </td>
                ))}
                <td className="num live-compare-avg" data-testid={`avg-${m.key}`}>
                  {(m.average ?? m.format)(data.averages[m.key])}
                </td>
                <td>
                  <TrendPill trend={data.trends[m.key]} testId={`trend-${m.key}-pill`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Compared({ ids }: { ids: string[] }) {
  const body = useMemo(() => ({ sessionIds: ids }), [ids]);
  const result = useApi<LiveCompareResult>('/live-sessions/compare', undefined, body);
  return (
    <Load value={result} what="the comparison">
      {(data) => (
        <>
          <CompareTable data={data} />
          <div className="grid-half">
            {trendCharts.map((spec) => (
              <TrendChart key={spec.key} spec={spec} data={data} />
            ))}
          </div>
        </>
      )}
    </Load>
  );
}

/** 2–10 live sessions side by side, with the trend of each figure over them. */
export function LiveCompare({ ids }: { ids: string[] }) {
  const unique = useMemo(() => [...new Set(ids.map((i) => i.trim()).filter(Boolean))], [ids]);
  const picked = useMemo(() => unique.slice(0, MAX_COMPARED), [unique]);
  return (
    <>
      <div className="page-head">
        <div>
          <p className="crumbs">
            <a href={href.live()}>Live sessions</a> / Compare
          </p>
          <h1 data-testid="page-title">Compare live sessions</h1>
          {picked.length >= 2 && <p>{picked.length} sessions, in the order they took place</p>}
        </div>
        <a href={href.live()}>← Pick other sessions</a>
      </div>
      {picked.length < 2 ? (
        <Empty>
          <span data-testid="compare-help">
            {picked.length === 0 ? 'No session is picked yet.' : 'Only one session is picked.'} To compare
            sessions, go to the <a href={href.live()}>list of live sessions</a>, tick two to {MAX_COMPARED} of
            them, then choose “Compare”.
          </span>
        </Empty>
      ) : (
        <>
          {unique.length > MAX_COMPARED && (
            <p className="live-note" role="status">
              At most {MAX_COMPARED} sessions can be compared: showing the first {MAX_COMPARED} of the{' '}
              {unique.length} picked.
            </p>
          )}
          <Compared ids={picked} />
        </>
      )}
    </>
  );
}
