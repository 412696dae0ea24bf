import { fmtInt } from '../lib/format.js';
import type { Trend } from './live-types.js';

/** An average rating out of 5 ("4.3 / 5"). */
export const fmtRating = (n: number | null | undefined) =>
  n == null ? '—' : `${(Math.round(n * 10) / 10).toFixed(1)} / 5`;

/** A 0–100 score, rounded ("72"). */
export const fmtScore = (n: number | null | undefined) => (n == null ? '—' : String(Math.round(n)));

/** Whether a session is live, before, or over, as far as its schedule says (the API's isLive wins when known). */
export function scheduleState(start: string, end: string, now = Date.now()): 'upcoming' | 'live' | 'ended' {
  const s = Date.parse(start);
  const e = Date.parse(end);
  if (now < s - 15 * 60_000) return 'upcoming';
  if (now <= e) return 'live';
  return 'ended';
}

/** The green "Live" pill with its pulsing dot. */
export function LiveBadge({
  testId = 'live-badge',
  label = 'Live now',
}: {
  testId?: string;
  label?: string;
}) {
  return (
    <span className="pill pill-live" data-testid={testId}>
      <span className="dot" aria-hidden="true" />
      {label}
    </span>
  );
}

const trendText: Record<NonNullable<Trend>, string> = {
  improving: '▲ improving',
  declining: '▼ declining',
  stable: '▶ stable',
};

/** A trend of compare: up more than 10 %, down more than 10 %, or stable; "—" with too few values. */
export function TrendPill({ trend, testId }: { trend: Trend; testId?: string }) {
  if (trend === null) {
    return (
      <span
        className="pill"
        data-testid={testId}
        data-trend="none"
        title="Fewer than two sessions have this figure"
      >
        —
      </span>
    );
  }
  return (
    <span
      className={`pill live-trend-${trend}`}
      data-testid={testId}
      data-trend={trend}
      title="The later half of the sessions against the earlier half (more than 10 % up or down)"
    >
      {trendText[trend]}
    </span>
  );
}

/** Labelled horizontal bars (counts of a whole), e.g. ratings 1–5 or reactions by kind. */
export function CountBars({
  rows,
  testId,
  unit,
}: {
  rows: { key: string; label: string; count: number }[];
  testId?: string;
  unit: string;
}) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  return (
    <ul className="live-bars" data-testid={testId}>
      {rows.map((r) => (
        <li key={r.key} data-key={r.key}>
          <span className="live-bars-label">{r.label}</span>
          <div className="bar" role="img" aria-label={`${r.label}: ${fmtInt(r.count)} ${unit}`}>
            <span style={{ width: `${(r.count / max) * 100}%` }} />
          </div>
          <span className="live-bars-count">{fmtInt(r.count)}</span>
        </li>
      ))}
    </ul>
  );
}
