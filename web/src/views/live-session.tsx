import { useCallback, useEffect, useMemo, useState } from 'react';
import { Chart } from '../components/chart.js';
import { Figure, Figures } from '../components/figures.js';
import { AttendeesTable } from '../components/live-attendees.js';
import { CountBars, fmtRating, fmtScore, LiveBadge } from '../components/live-parts.js';
import type { LiveAnalytics, LiveAttendance } from '../components/live-types.js';
import { Empty, ErrorState, Loading } from '../components/states.js';
import { enc } from '../lib/api.js';
import { type FeedStatus, type LiveFigures, useFeed } from '../lib/feed.js';
import { fmtClock, fmtDateTime, fmtDuration, fmtInt, fmtPct, fmtRatio } from '../lib/format.js';
import { href } from '../lib/router.js';
import type { Course } from '../lib/types.js';
import { type Loadable, useApi } from '../lib/use-api.js';

/** While live, the analytics and attendance are read again this often (the stream moves the figures in between). */
const REFRESH_MS = 15_000;

const timeOfDay = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });
const timeWithSec = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const fmtHm = (sec: number) => timeOfDay.format(new Date(sec * 1000));
const toSec = (iso: string) => Date.parse(iso) / 1000;

/** The figures the page shows, the loaded analytics with the stream's newer running figures over them. */
interface Shown {
  currentViewers: number;
  attended: number;
  peak: number;
  chatMessages: number;
  questions: number;
  reactions: number;
  engagementRate: number;
  at: string;
}

function overlay(a: LiveAnalytics, pushed: LiveFigures | undefined): Shown {
  if (pushed && pushed.at > a.asOf && a.live.isLive) {
    return {
      currentViewers: pushed.currentViewers,
      attended: pushed.attended,
      peak: pushed.peakViewers,
      chatMessages: pushed.chatMessages,
      questions: pushed.questions,
      reactions: pushed.reactions,
      engagementRate: pushed.engagementRate,
      at: pushed.at,
    };
  }
  return {
    currentViewers: a.live.currentViewers,
    attended: a.attendance.attended,
    peak: a.concurrency.peak,
    chatMessages: a.engagement.chatMessages,
    questions: a.engagement.questions,
    reactions: a.engagement.reactionsTotal,
    engagementRate: a.engagement.engagementRate,
    at: a.asOf,
  };
}

const feedText: Record<FeedStatus, string> = {
  connecting: 'Connecting…',
  live: 'Updating live',
  reconnecting: 'Reconnecting…',
};

/** The stream of running figures, open only while the session is live. */
function LiveUpdates({ sessionId, onFigures }: { sessionId: string; onFigures: (f: LiveFigures) => void }) {
  const filter = useMemo(() => ({}), []);
  const receive = useCallback(
    (f: LiveFigures) => {
      if (f.sessionId === sessionId) onFigures(f);
    },
    [sessionId, onFigures],
  );
  const { status } = useFeed(filter, 1, receive);
  return (
    <span className={`pill pill-${status}`} data-testid="feed-status">
      {feedText[status]}
    </span>
  );
}

function ConcurrencyChart({ a, extra }: { a: LiveAnalytics; extra: { at: string; viewers: number }[] }) {
  const props = useMemo(() => {
    const timeline = a.concurrency.timeline;
    const lastAt = timeline[timeline.length - 1]?.at ?? '';
    const points = [...timeline, ...extra.filter((p) => p.at > lastAt)];
    const xs = points.map((p) => toSec(p.at));
    const first = xs[0] ?? 0;
    const last = xs[xs.length - 1] ?? 0;
    const markers = [
      { x: toSec(a.scheduledStart), label: 'scheduled start' },
      { x: toSec(a.scheduledEnd), label: 'scheduled end' },
    ].filter((m) => m.x > first && m.x <= last);
    return {
      title: `Viewers over time in ${a.title}`,
      x: { values: xs, label: 'Time', time: true, format: fmtHm },
      series: [
        {
          label: 'Watching',
          unit: 'learners',
          color: '#0b5cad',
          kind: 'area' as const,
          format: (v: number) => fmtInt(v),
          values: points.map((p) => p.viewers),
        },
      ],
      markers,
      height: 260,
    };
  }, [a, extra]);
  return <Chart {...props} />;
}

function RecordingChart({ rec, title }: { rec: NonNullable<LiveAnalytics['recording']>; title: string }) {
  const props = useMemo(() => {
    const pts = rec.retention.points;
    const last = pts[pts.length - 1];
    const rows = last ? [...pts, { ...last, startSec: last.endSec }] : [];
    return {
      title: `Retention of the recording of ${title}`,
      x: { values: rows.map((p) => p.startSec), label: 'Position in the recording', format: fmtClock },
      series: [
        {
          label: 'Retention',
          unit: '% of viewers',
          color: '#067647',
          kind: 'area' as const,
          format: (v: number) => (Math.round(v * 10) / 10).toLocaleString('en-US'),
          values: rows.map((p) => p.retention * 100),
        },
      ],
      yRange: [0, 100] as [number, number],
      height: 220,
    };
  }, [rec, title]);
  return <Chart {...props} />;
}

const scoreParts: { key: keyof LiveAnalytics['score']['parts']; label: string; max: number; hint: string }[] =
  [
    { key: 'attendance', label: 'Attendance', max: 30, hint: '30 × attendance rate' },
    { key: 'engagement', label: 'Engagement', max: 40, hint: '40 × engagement rate' },
    { key: 'chat', label: 'Chat', max: 15, hint: '15 × chat messages per attendee (at most 1)' },
    { key: 'retention', label: 'Retention', max: 15, hint: '15 × average time attended / scheduled length' },
  ];

function ScoreCard({ score }: { score: LiveAnalytics['score'] }) {
  return (
    <section className="card">
      <header className="card-head">
        <h2>Session score</h2>
        <p>
          <strong className="live-score" data-testid="score-total">
            {fmtScore(score.score)}
          </strong>{' '}
          / 100
        </p>
      </header>
      <ul className="live-bars" data-testid="score-parts">
        {scoreParts.map((p) => (
          <li key={p.key} data-key={p.key} title={p.hint}>
            <span className="live-bars-label">{p.label}</span>
            <div
              className="bar"
              role="img"
              aria-label={`${p.label}: ${score.parts[p.key].toFixed(1)} of ${p.max}`}
            >
              <span style={{ width: `${Math.min(100, (score.parts[p.key] / p.max) * 100)}%` }} />
            </div>
            <span className="live-bars-count">
              {(Math.round(score.parts[p.key] * 10) / 10).toLocaleString('en-US')} / {p.max}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function AttendanceCard({ a }: { a: LiveAnalytics }) {
  const t = a.attendance;
  const rows: [string, string, string][] = [
    ['Registered', fmtInt(t.registered), 'registered'],
    ['Registered who came', fmtInt(t.registeredAttended), 'registered-attended'],
    ['Walk-ins', fmtInt(t.walkIns), 'walk-ins'],
    ['On time', fmtInt(t.onTime), 'on-time'],
    ['Late', fmtInt(t.late), 'late'],
    ['Average time attended', fmtDuration(t.averageAttendedSec), 'avg-attended-time'],
    ['Total time attended', fmtDuration(t.totalAttendedSec), 'total-attended-time'],
  ];
  return (
    <section className="card">
      <header className="card-head">
        <h2>Attendance</h2>
        <p>On time: joined within 5 min of the start</p>
      </header>
      <dl className="live-facts" data-testid="attendance-facts">
        {rows.map(([label, value, id]) => (
          <div key={id}>
            <dt>{label}</dt>
            <dd data-testid={`att-${id}`}>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function EngagementCard({ a, shown }: { a: LiveAnalytics; shown: Shown }) {
  const e = a.engagement;
  return (
    <section className="card">
      <header className="card-head">
        <h2>Engagement</h2>
        <p>
          {fmtInt(Math.round(shown.engagementRate * shown.attended))} of {fmtInt(shown.attended)} attendees
          chatted or reacted
        </p>
      </header>
      <dl className="live-facts">
        <div>
          <dt>Chat messages</dt>
          <dd data-testid="fig-chat">{fmtInt(shown.chatMessages)}</dd>
        </div>
        <div>
          <dt>Learners who wrote</dt>
          <dd data-testid="fig-chatters">{fmtInt(e.uniqueChatters)}</dd>
        </div>
        <div>
          <dt>Questions</dt>
          <dd data-testid="fig-questions">{fmtInt(shown.questions)}</dd>
        </div>
        <div>
          <dt>Reactions</dt>
          <dd data-testid="fig-reactions">{fmtInt(shown.reactions)}</dd>
        </div>
      </dl>
      <h3 className="live-sub">Reactions by kind</h3>
      {e.reactions.length === 0 ? (
        <Empty>No reactions yet.</Empty>
      ) : (
        <CountBars
          rows={e.reactions.map((r) => ({ key: r.kind, label: r.kind, count: r.count }))}
          unit="reactions"
          testId="reactions-by-kind"
        />
      )}
    </section>
  );
}

function FeedbackCard({ f }: { f: LiveAnalytics['feedback'] }) {
  const byRating = [...f.distribution].sort((x, y) => y.rating - x.rating);
  return (
    <section className="card">
      <header className="card-head">
        <h2>Feedback</h2>
        <p>
          {fmtInt(f.responses)} {f.responses === 1 ? 'response' : 'responses'} · average{' '}
          {fmtRating(f.averageRating)}
        </p>
      </header>
      {f.responses === 0 ? (
        <Empty>No feedback yet: learners rate the session when it ends.</Empty>
      ) : (
        <>
          <CountBars
            rows={byRating.map((d) => ({
              key: String(d.rating),
              label: `${'★'.repeat(d.rating)}`,
              count: d.responses,
            }))}
            unit="responses"
            testId="rating-distribution"
          />
          <h3 className="live-sub">What the comments mention</h3>
          {f.themes.length === 0 ? (
            <Empty>No word comes up in two comments or more.</Empty>
          ) : (
            <ul className="live-themes" data-testid="feedback-themes">
              {f.themes.map((t) => (
                <li key={t.term} className="pill" title={`${t.comments} comments mention it`}>
                  {t.term} <span className="live-theme-count">{fmtInt(t.comments)}</span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

function Devices({ label, rows }: { label: string; rows: { value: string; viewers: number }[] }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{rows.length === 0 ? '—' : rows.map((r) => `${r.value} ${fmtInt(r.viewers)}`).join(' · ')}</dd>
    </div>
  );
}

function RecordingCard({ a }: { a: LiveAnalytics }) {
  const r = a.recording!;
  return (
    <section className="card" data-testid="recording">
      <header className="card-head">
        <h2>Recording</h2>
        {a.courseId && <a href={href.videos(a.courseId, r.itemId)}>Open in videos →</a>}
      </header>
      <Figures>
        <Figure label="Views" value={fmtInt(r.views)} testId="fig-recording-views" />
        <Figure label="Viewers" value={fmtInt(r.viewers)} testId="fig-recording-viewers" />
        <Figure
          label="Watch time"
          value={fmtDuration(r.totalWatchTimeSec)}
          testId="fig-recording-watch-time"
        />
        <Figure
          label="Average viewed"
          value={fmtPct(r.averagePercentViewed)}
          testId="fig-recording-avg-viewed"
        />
        <Figure
          label="Completion rate"
          value={fmtRatio(r.completionRate)}
          testId="fig-recording-completion"
        />
        <Figure
          label="Median stop"
          value={r.medianStopSec == null ? '—' : fmtClock(r.medianStopSec)}
          testId="fig-recording-median-stop"
        />
      </Figures>
      {r.viewers === 0 || r.retention.points.length === 0 ? (
        <Empty>Nobody has watched the recording yet.</Empty>
      ) : (
        <div data-testid="recording-chart" className="live-chart-gap">
          <RecordingChart rec={r} title={a.title} />
        </div>
      )}
      <dl className="live-facts live-devices">
        <Devices label="Devices" rows={r.devices.types} />
        <Devices label="Systems" rows={r.devices.os} />
        <Devices label="Browsers" rows={r.devices.browsers} />
      </dl>
    </section>
  );
}

function SessionBody({
  a,
  attendance,
  pushed,
  onFigures,
}: {
  a: LiveAnalytics;
  attendance: Loadable<LiveAttendance>;
  pushed: LiveFigures[];
  onFigures: (f: LiveFigures) => void;
}) {
  const fresh = pushed.filter((p) => p.at > a.asOf);
  const shown = overlay(a, fresh[fresh.length - 1]);
  // The viewer counts pushed since the load, as points after the timeline: one when the count
  // changes or every 10 s, and a new chart only when a point is added.
  const extraKey = JSON.stringify(
    fresh.reduce<{ at: string; viewers: number }[]>((pts, p) => {
      const prev = pts[pts.length - 1];
      if (!prev || prev.viewers !== p.currentViewers || Date.parse(p.at) - Date.parse(prev.at) >= 10_000) {
        pts.push({ at: p.at, viewers: p.currentViewers });
      }
      return pts;
    }, []),
  );
  const extra = useMemo(() => JSON.parse(extraKey) as { at: string; viewers: number }[], [extraKey]);
  const course = useApi<Course>(a.courseId ? `/courses/${enc(a.courseId)}` : null);
  const isLive = a.live.isLive;
  const upcoming = !isLive && Date.parse(a.scheduledStart) > Date.parse(a.asOf);
  return (
    <>
      <div className="page-head">
        <div>
          <p className="crumbs">
            <a href={href.live()}>Live sessions</a> /{' '}
            {a.courseId ? (
              <a href={href.course(a.courseId)}>
                {course.state === 'ready' ? (course.data.code ?? course.data.title) : a.courseId}
              </a>
            ) : (
              'no course'
            )}
          </p>
          <h1 data-testid="session-title">{a.title}</h1>
          <p>
            {fmtDateTime(a.scheduledStart)} – {timeOfDay.format(new Date(a.scheduledEnd))}
          </p>
        </div>
        <div className="toolbar">
          {isLive ? (
            <>
              <LiveBadge />
              <LiveUpdates sessionId={a.sessionId} onFigures={onFigures} />
            </>
          ) : (
            <span className={`pill live-${upcoming ? 'upcoming' : 'ended'}`} data-testid="session-state">
              {upcoming ? 'Upcoming' : 'Ended'}
            </span>
          )}
          <span className="live-asof" data-testid="as-of" title={shown.at}>
            as of {timeWithSec.format(new Date(shown.at))}
          </span>
        </div>
      </div>
      <Figures>
        {isLive && (
          <Figure
            label="Watching now"
            value={fmtInt(shown.currentViewers)}
            hint="Learners connected right now"
            testId="fig-current-viewers"
          />
        )}
        <Figure
          label="Attended"
          value={fmtInt(shown.attended)}
          hint={`${fmtInt(a.attendance.walkIns)} without registering`}
          testId="fig-attended"
        />
        <Figure
          label="Attendance rate"
          value={fmtRatio(a.attendance.attendanceRate)}
          hint={`${fmtInt(a.attendance.registeredAttended)} of ${fmtInt(a.attendance.registered)} registered came`}
          testId="fig-attendance-rate"
        />
        <Figure
          label="Peak viewers"
          value={fmtInt(shown.peak)}
          hint={a.concurrency.peakAt ? `First reached at ${fmtDateTime(a.concurrency.peakAt)}` : undefined}
          testId="fig-peak"
        />
        <Figure
          label="Engagement rate"
          value={fmtRatio(shown.engagementRate)}
          hint="Attendees who chatted or reacted"
          testId="fig-engagement"
        />
        <Figure
          label="Rating"
          value={fmtRating(a.feedback.averageRating)}
          hint={`${fmtInt(a.feedback.responses)} responses`}
          testId="fig-rating"
        />
        <Figure
          label="Score"
          value={fmtScore(a.score.score)}
          hint="Session engagement score, 0–100"
          testId="fig-score"
        />
      </Figures>
      <div className="grid-2">
        <div className="stack">
          <section className="card">
            <header className="card-head">
              <h2>Viewers over time</h2>
              <p>Most learners connected at once in each moment</p>
            </header>
            {a.concurrency.timeline.length === 0 || (!isLive && shown.attended === 0) ? (
              <Empty>{upcoming ? 'The session has not started yet.' : 'No one joined this session.'}</Empty>
            ) : (
              <div data-testid="concurrency-chart">
                <ConcurrencyChart a={a} extra={extra} />
              </div>
            )}
          </section>
          <div className="grid-half">
            <EngagementCard a={a} shown={shown} />
            <FeedbackCard f={a.feedback} />
          </div>
        </div>
        <div className="stack">
          <AttendanceCard a={a} />
          <ScoreCard score={a.score} />
        </div>
      </div>
      {a.recording && <RecordingCard a={a} />}
      <AttendeesTable sessionId={a.sessionId} attendance={attendance} />
    </>
  );
}

function SessionView({ sessionId }: { sessionId: string }) {
  const [refresh, setRefresh] = useState<number | undefined>(undefined);
  const analytics = useApi<LiveAnalytics>(`/live-sessions/${enc(sessionId)}/analytics`, refresh);
  const attendance = useApi<LiveAttendance>(`/live-sessions/${enc(sessionId)}/attendance`, refresh);
  const isLive = analytics.state === 'ready' && analytics.data.live.isLive;
  useEffect(() => setRefresh(isLive ? REFRESH_MS : undefined), [isLive]);

  // The stream's running figures since the last load (older ones are dropped as loads catch up).
  const [pushed, setPushed] = useState<LiveFigures[]>([]);
  const asOf = analytics.state === 'ready' ? analytics.data.asOf : '';
  useEffect(() => {
    setPushed((p) => (p.some((f) => f.at <= asOf) ? p.filter((f) => f.at > asOf) : p));
  }, [asOf]);
  const onFigures = useCallback((f: LiveFigures) => {
    setPushed((p) => {
      const last = p[p.length - 1];
      if (last && f.at <= last.at) return p;
      return [...p, f].slice(-600);
    });
  }, []);

  if (analytics.state === 'loading') return <Loading what="the session" />;
  if (analytics.state === 'error') {
    return (
      <>
        <p className="crumbs">
          <a href={href.live()}>Live sessions</a> / {sessionId}
        </p>
        <ErrorState error={analytics.error} />
      </>
    );
  }
  return <SessionBody a={analytics.data} attendance={attendance} pushed={pushed} onFigures={onFigures} />;
}

/** One live session: running figures while live, viewers over time, engagement, feedback, recording, attendees. */
export function LiveSession({ sessionId }: { sessionId: string }) {
  return <SessionView key={sessionId} sessionId={sessionId} />;
}
