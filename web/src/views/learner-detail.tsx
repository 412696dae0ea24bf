import { useMemo } from 'react';
import { Chart } from '../components/chart.js';
import { FeedList } from '../components/feed-list.js';
import { Figure, Figures } from '../components/figures.js';
import {
  daysEnding,
  dayStart,
  fmtDayTick,
  ItemStatusPill,
  ItemType,
  localDay,
  ProgressBar,
  useApiAll,
} from '../components/learner-parts.js';
import type { Attempts, CourseItem, Engagement, EngagementParts, User, Viewer } from '../components/learner-types.js';
import { Empty, ErrorState, Load, Loading } from '../components/states.js';
import { enc } from '../lib/api.js';
import { type FeedItem, useFeed } from '../lib/feed.js';
import { fmtAgo, fmtClock, fmtDate, fmtDateTime, fmtDuration, fmtInt, fmtPct } from '../lib/format.js';
import { href } from '../lib/router.js';
import type { Course, Page } from '../lib/types.js';
import { useApi } from '../lib/use-api.js';

/** The feed's milestones on items: what tells an instructor how far a learner got in a lesson. */
const MILESTONES = 'lesson_completed,video_completed,progress_update,exam_attempt';
const CHART_DAYS = 28;
const ASSESSMENTS = new Set(['quiz', 'assignment']);

type Milestones = Page<FeedItem>;
type Status = 'completed' | 'in_progress' | 'not_started';

interface Row {
  item: CourseItem;
  status: Status | null;
  percent: number | null;
  detail: string;
  completedAt: string | null;
  lastAt: string | null;
}

const partLabels: { key: keyof EngagementParts; label: string }[] = [
  { key: 'visits', label: 'Visits' },
  { key: 'timeOnTask', label: 'Time on task' },
  { key: 'videoWatched', label: 'Video watched' },
  { key: 'scrollDepth', label: 'Scroll depth' },
];

/** What each part of the score measures, for this learner (docs/metrics.md, Engagement). */
function partBasis(key: keyof EngagementParts, e: Engagement): string {
  switch (key) {
    case 'visits':
      return `${fmtInt(e.visits7d)} of 5 visits in the last 7 days`;
    case 'timeOnTask':
      return `average session ${fmtDuration(e.avgSessionSec)} of 30 min`;
    case 'videoWatched':
      return e.videoWatchedPercent == null ? 'no video started' : `${fmtPct(e.videoWatchedPercent)} of the videos started`;
    case 'scrollDepth':
      return e.scrollDepthPercent == null ? 'nothing scrolled' : `${fmtPct(e.scrollDepthPercent)} average scroll depth`;
  }
}

const points = (n: number) => `${Math.round(n * 10) / 10}`;

/** The engagement score's parts as labelled bars: each part's points out of what it can give. */
function EngagementCard({ e }: { e: Engagement }) {
  const totalWeight = partLabels.reduce((s, p) => s + e.weights[p.key], 0) || 1;
  return (
    <section className="card" aria-label="Engagement score">
      <header className="card-head">
        <h2>Engagement</h2>
        <p>
          <strong data-testid="engagement-score">{points(e.engagementScore)}</strong> of 100
        </p>
      </header>
      <ul className="learner-parts" data-testid="engagement-parts">
        {partLabels.map(({ key, label }) => {
          const max = (e.weights[key] * 100) / totalWeight;
          const got = e.scoreComponents[key];
          return (
            <li key={key} data-part={key}>
              <div className="learner-part-head">
                <span>{label}</span>
                <span className="num">
                  <b data-testid={`part-${key}`}>{points(got)}</b> / {points(max)} pts
                </span>
              </div>
              <ProgressBar percent={max > 0 ? (got / max) * 100 : 0} label={`${label}: ${points(got)} of ${points(max)} points`} />
              <p className="learner-note">{partBasis(key, e)}</p>
            </li>
          );
        })}
      </ul>
      <p className="learner-note">Weights are the course’s settings; the parts add up to the score. As of {fmtDateTime(e.asOf)}.</p>
    </section>
  );
}

function RiskCard({ e }: { e: Engagement }) {
  return (
    <section className="card" aria-label="Risk">
      <header className="card-head">
        <h2>Risk</h2>
        <span className={`pill risk-${e.riskLevel}`} data-testid="risk-level">
          {e.riskLevel === 'none' ? 'not at risk' : `${e.riskLevel} risk`}
        </span>
      </header>
      {e.riskReasons.length === 0 ? (
        <Empty>No risk rule applies to this learner.</Empty>
      ) : (
        <ul className="learner-reasons" data-testid="risk-reasons">
          {e.riskReasons.map((r) => (
            <li key={r.code + r.message} data-code={r.code}>
              {r.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * One row per catalog item. There is no instructor endpoint for a learner's item progress, so it
 * is put together from what there is: the video engine's viewing (videos), the attempts
 * (assessments) and the feed's milestones — half-way and completion — for everything else.
 */
function itemRows(items: CourseItem[], viewers: Map<string, Viewer>, attempts: Attempts, milestones: FeedItem[]): Row[] {
  return items.map((item) => {
    const mine = milestones.filter((m) => m.item?.id === item.id && m.type !== 'exam_attempt');
    const done = mine.find((m) => m.type === 'lesson_completed' || m.type === 'video_completed');
    const half = mine.find((m) => m.type === 'progress_update');
    const latest = mine[0] ?? null; // the feed is newest first
    const milestonePct = latest?.progressPct ?? null;
    const v = viewers.get(item.id);
    if (item.type === 'video' && v) {
      const started = v.sessions.length > 0 || v.watchedSec > 0;
      const completed = v.completed || done != null;
      const percent = Math.max(v.watchedPercent, milestonePct ?? 0);
      const parts = started
        ? [
            `${fmtClock(v.watchedSec)} of ${fmtClock(v.durationSec)} watched`,
            `${v.sessions.length} session${v.sessions.length === 1 ? '' : 's'}`,
            v.lastPositionSec != null && !completed ? `stopped at ${fmtClock(v.lastPositionSec)}` : null,
            v.playedSec > v.watchedSec + 1 ? `${fmtDuration(v.playedSec - v.watchedSec)} rewatched` : null,
          ]
        : ['not watched yet'];
      const last = v.sessions.reduce<string | null>((m, s) => (m == null || s.lastHeartbeatAt > m ? s.lastHeartbeatAt : m), null);
      return {
        item,
        status: completed ? 'completed' : started ? 'in_progress' : 'not_started',
        percent,
        detail: parts.filter(Boolean).join(' · '),
        completedAt: v.completedAt ?? done?.occurredAt ?? null,
        lastAt: last ?? latest?.occurredAt ?? null,
      };
    }
    if (ASSESSMENTS.has(item.type)) {
      const tries = attempts.items.filter((a) => a.itemId === item.id);
      const best = tries.reduce<number | null>((m, a) => (m == null || a.scorePercent > m ? a.scorePercent : m), null);
      const firstPass = tries
        .filter((a) => a.passed === true)
        .reduce<string | null>((m, a) => (m == null || a.submittedAt < m ? a.submittedAt : m), null);
      const last = tries.reduce<string | null>((m, a) => (m == null || a.submittedAt > m ? a.submittedAt : m), null);
      return {
        item,
        status: firstPass || done ? 'completed' : tries.length > 0 || latest ? 'in_progress' : 'not_started',
        percent: done || firstPass ? 100 : milestonePct,
        detail:
          tries.length === 0
            ? 'no attempt yet'
            : `${tries.length} attempt${tries.length === 1 ? '' : 's'} · best ${fmtPct(best)}${firstPass ? ' · passed' : ' · not passed'}`,
        completedAt: done?.occurredAt ?? firstPass,
        lastAt: last ?? latest?.occurredAt ?? null,
      };
    }
    return {
      item,
      // Without a milestone the learner is below half-way or has not started: the feed cannot tell.
      status: done ? 'completed' : half ? 'in_progress' : null,
      percent: milestonePct,
      detail: done ? `completed (${String(done.data.how ?? 'threshold')})` : half ? 'past half-way' : 'no milestone yet (under 50 % or not started)',
      completedAt: done?.occurredAt ?? null,
      lastAt: latest?.occurredAt ?? null,
    };
  });
}

function ItemsTable({ rows }: { rows: Row[] }) {
  if (rows.length === 0) return <Empty>The course has no items yet.</Empty>;
  return (
    <div className="table-wrap">
      <table className="learner-items" data-testid="items-table">
        <thead>
          <tr>
            <th>#</th>
            <th>Item</th>
            <th>Status</th>
            <th>Progress</th>
            <th className="learner-opt">Detail</th>
            <th className="learner-opt">Completed</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.item.id} data-item-id={r.item.id} data-status={r.status ?? 'unknown'}>
              <td>{r.item.position}</td>
              <td>
                <div className="learner-item-title">{r.item.title}</div>
                <ItemType type={r.item.type} />
              </td>
              <td>{r.status ? <ItemStatusPill status={r.status} /> : <span className="pill" title={r.detail}>Unknown</span>}</td>
              <td>
                {r.percent == null ? (
                  <span className="learner-note">—</span>
                ) : (
                  <div className="learner-progress-cell">
                    <ProgressBar percent={r.percent} label={`${r.item.title}: ${fmtPct(r.percent)}`} />
                    <span className="num" data-testid="item-progress">
                      {fmtPct(r.percent)}
                    </span>
                  </div>
                )}
              </td>
              <td className="learner-opt learner-wrap">{r.detail}</td>
              <td className="learner-opt" title={r.completedAt ? fmtDateTime(r.completedAt) : undefined}>
                {fmtDate(r.completedAt)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Day by day in the learner's zone: items completed, attempts and video watched. */
function ActivityChart({
  days,
  timeZone,
  viewers,
  attempts,
  milestones,
}: {
  days: string[];
  timeZone: string;
  viewers: Viewer[];
  attempts: Attempts;
  milestones: FeedItem[];
}) {
  const props = useMemo(() => {
    const index = new Map(days.map((d, i) => [d, i]));
    const completed = days.map(() => 0);
    const tries = days.map(() => 0);
    const watched = days.map(() => 0);
    for (const m of milestones) {
      if (m.type !== 'lesson_completed' && m.type !== 'video_completed') continue;
      const i = index.get(localDay(m.occurredAt, timeZone));
      if (i != null) completed[i]! += 1;
    }
    for (const a of attempts.items) {
      const i = index.get(localDay(a.submittedAt, timeZone));
      if (i != null) tries[i]! += 1;
    }
    for (const v of viewers)
      for (const s of v.sessions) {
        const i = index.get(localDay(s.startedAt, timeZone));
        if (i != null) watched[i]! += s.watchedSec / 60;
      }
    return {
      title: `Activity over the last ${days.length} days`,
      x: { values: days.map(dayStart), label: 'Day', format: fmtDayTick },
      series: [
        { label: 'Items completed', unit: 'items', color: '#067647', kind: 'bars' as const, values: completed },
        { label: 'Attempts', unit: 'attempts', color: '#8a4b00', values: tries },
        {
          label: 'Video watched',
          unit: 'min',
          color: '#0b5cad',
          axis: 'right' as const,
          kind: 'area' as const,
          values: watched.map((w) => Math.round(w * 10) / 10),
        },
      ],
      height: 240,
    };
  }, [days, timeZone, viewers, attempts, milestones]);
  const quiet = props.series.every((s) => s.values.every((v) => v === 0));
  return (
    <div data-testid="activity-chart">
      {quiet && <p className="learner-note">No completions, attempts or video watching in these days.</p>}
      <Chart {...props} />
    </div>
  );
}

function AttemptsTable({ attempts }: { attempts: Attempts }) {
  if (attempts.items.length === 0) return <Empty>No quiz or assignment attempts yet.</Empty>;
  return (
    <div className="table-wrap">
      <table data-testid="attempts-table">
        <thead>
          <tr>
            <th>Assessment</th>
            <th className="num">Attempt</th>
            <th>Submitted</th>
            <th className="num">Score</th>
            <th>Result</th>
            <th className="num learner-opt">Time spent</th>
          </tr>
        </thead>
        <tbody>
          {attempts.items.map((a) => (
            <tr key={a.attemptId} data-attempt-id={a.attemptId} data-item-id={a.itemId}>
              <td>
                {a.title} {a.best && <span className="pill learner-best">best</span>}
              </td>
              <td className="num">#{a.attemptNumber}</td>
              <td title={fmtDateTime(a.submittedAt)}>{fmtDate(a.submittedAt)}</td>
              <td className="num">
                {fmtInt(a.score)}/{fmtInt(a.maxScore)} ({fmtPct(a.scorePercent)})
              </td>
              <td>
                {a.passed == null ? (
                  <span className="pill">no verdict</span>
                ) : (
                  <span className={`pill ${a.passed ? 'risk-none' : 'risk-high'}`}>{a.passed ? 'passed' : 'failed'}</span>
                )}
              </td>
              <td className="num learner-opt">{fmtDuration(a.timeSpentSec)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** An instructor's view of one learner in a course: figures, item progress, activity, attempts, risk, feed. */
export function LearnerDetail({ courseId, userId }: { courseId: string; userId: string }) {
  const c = enc(courseId);
  const u = enc(userId);
  const course = useApi<Course>(`/courses/${c}`);
  const user = useApi<User>(`/users/${u}`);
  const engagement = useApi<Engagement>(`/courses/${c}/students/${u}/engagement`, 60_000);
  const attempts = useApi<Attempts>(`/courses/${c}/students/${u}/attempts`);
  const items = useApi<Page<CourseItem>>(`/courses/${c}/items?limit=500`);
  const milestones = useApi<Milestones>(`/feed?${new URLSearchParams({ courseId, userId, types: MILESTONES, limit: '200' })}`);
  const videoPaths = useMemo(
    () =>
      items.state === 'ready'
        ? items.data.items.filter((i) => i.type === 'video').map((i) => `/courses/${c}/videos/${enc(i.id)}/viewers/${u}`)
        : null,
    [items, c, u],
  );
  const viewers = useApiAll<Viewer>(videoPaths);
  const filter = useMemo(() => ({ courseId, userId }), [courseId, userId]);
  const feed = useFeed(filter, 15);

  const e = engagement.state === 'ready' ? engagement.data : null;
  const name = user.state === 'ready' ? user.data.displayName : (e?.displayName ?? userId);
  const timeZone = user.state === 'ready' ? user.data.timezone : 'UTC';
  const totalItems = items.state === 'ready' ? items.data.items.length : null;

  const detail = useMemo(
    () =>
      items.state === 'ready' && viewers.state === 'ready' && attempts.state === 'ready' && milestones.state === 'ready'
        ? {
            viewers: viewers.data,
            attempts: attempts.data,
            milestones: milestones.data.items,
            rows: itemRows(
              items.data.items,
              new Map(viewers.data.map((v) => [v.itemId, v])),
              attempts.data,
              milestones.data.items,
            ),
          }
        : null,
    [items, viewers, attempts, milestones],
  );
  const detailError = [items, viewers, attempts, milestones].find((l) => l.state === 'error');
  const rows = detail?.rows ?? null;
  const days = useMemo(() => daysEnding(localDay(e?.asOf ?? new Date().toISOString(), timeZone), CHART_DAYS), [e?.asOf, timeZone]);
  const loadingDetail = <Loading what="item progress" />;

  return (
    <>
      <div className="page-head">
        <div>
          <p className="crumbs">
            <a href={href.home()}>Courses</a> /{' '}
            <a href={href.course(courseId)}>{course.state === 'ready' ? (course.data.code ?? course.data.title) : courseId}</a> / Learners
          </p>
          <h1 data-testid="learner-name">{name}</h1>
          <p className="learner-sub">
            <span>{userId}</span>
            {user.state === 'ready' && (
              <>
                {user.data.email && <span>{user.data.email}</span>}
                <span data-testid="learner-timezone">Time zone {user.data.timezone}</span>
              </>
            )}
            {e && <span>Started {fmtDate(e.startedAt)}</span>}
          </p>
        </div>
        {e && (
          <span className={`pill risk-${e.riskLevel}`} title={e.riskReasons.map((r) => r.message).join('; ')}>
            {e.riskLevel === 'none' ? 'not at risk' : `${e.riskLevel} risk`}
          </span>
        )}
      </div>

      <Load value={engagement} what="engagement figures">
        {(en) => (
          <Figures>
            <Figure label="Engagement" value={`${fmtInt(en.engagementScore)} / 100`} testId="fig-engagement" hint="0–100, see the parts below" />
            <Figure label="Progress" value={fmtPct(en.progressPercent)} testId="fig-progress" />
            <Figure
              label="Items completed"
              value={totalItems == null ? fmtInt(en.itemsCompleted) : `${fmtInt(en.itemsCompleted)} of ${fmtInt(totalItems)}`}
              testId="fig-items-completed"
            />
            <Figure label="Visits (7 days)" value={fmtInt(en.visits7d)} testId="fig-visits" />
            <Figure label="Time on task" value={fmtDuration(en.timeOnTaskSec)} testId="fig-time-on-task" />
            <Figure
              label="Sessions"
              value={fmtInt(en.sessions)}
              testId="fig-sessions"
              hint={`Average session ${fmtDuration(en.avgSessionSec)}`}
            />
            <Figure label="Average session" value={fmtDuration(en.avgSessionSec)} testId="fig-avg-session" />
            <Figure label="Last active" value={fmtAgo(en.lastActivityAt, Date.parse(en.asOf))} testId="fig-last-active" hint={fmtDateTime(en.lastActivityAt)} />
          </Figures>
        )}
      </Load>

      <div className="grid-2">
        <div className="stack">
          <section className="card" aria-label="Progress per item">
            <header className="card-head">
              <h2>Progress per item</h2>
              {rows && (
                <p>
                  {rows.filter((r) => r.status === 'completed').length} of {rows.length} completed
                </p>
              )}
            </header>
            {detailError?.state === 'error' ? <ErrorState error={detailError.error} /> : rows ? <ItemsTable rows={rows} /> : loadingDetail}
            <p className="learner-note">
              Videos from the video engine, assessments from the attempts, lessons from the activity feed’s milestones (half-way and
              completed): the API has no per-item progress of a learner for instructors.
            </p>
          </section>

          <section className="card" aria-label="Activity over time">
            <header className="card-head">
              <h2>Activity, last {CHART_DAYS} days</h2>
              <p>Days in the learner’s time zone ({timeZone})</p>
            </header>
            {detailError?.state === 'error' ? (
              <ErrorState error={detailError.error} />
            ) : detail ? (
              <ActivityChart
                days={days}
                timeZone={timeZone}
                viewers={detail.viewers}
                attempts={detail.attempts}
                milestones={detail.milestones}
              />
            ) : (
              <Loading what="activity" />
            )}
          </section>

          <section className="card" aria-label="Assessment attempts">
            <header className="card-head">
              <h2>Assessment attempts</h2>
              {attempts.state === 'ready' && <p>{fmtInt(attempts.data.items.length)} in all</p>}
            </header>
            <Load value={attempts} what="attempts">
              {(a) => <AttemptsTable attempts={a} />}
            </Load>
          </section>
        </div>
        <div className="stack">
          {engagement.state === 'ready' ? (
            <>
              <EngagementCard e={engagement.data} />
              <RiskCard e={engagement.data} />
            </>
          ) : engagement.state === 'loading' ? (
            <Loading what="engagement" />
          ) : null}
          <FeedList items={feed.items} status={feed.status} title="Recent activity" />
        </div>
      </div>
    </>
  );
}
