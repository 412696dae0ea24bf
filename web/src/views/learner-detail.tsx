import { useMemo } from 'react';
import { FeedList } from '../components/feed-list.js';
import { Figure, Figures } from '../components/figures.js';
import { DailyActivity } from '../components/learner-activity.js';
import { ItemsProgressTable } from '../components/learner-items.js';
import { ProgressBar } from '../components/learner-parts.js';
import type {
  Attempts,
  Engagement,
  EngagementParts,
  LearnerActivity,
  MyCourseProgress,
  User,
} from '../components/learner-types.js';
import { Empty, ErrorState, Load, Loading } from '../components/states.js';
import { enc } from '../lib/api.js';
import { useFeed } from '../lib/feed.js';
import { fmtAgo, fmtDate, fmtDateTime, fmtDuration, fmtInt, fmtPct } from '../lib/format.js';
import { href } from '../lib/router.js';
import type { Course } from '../lib/types.js';
import { useApi } from '../lib/use-api.js';

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
      return e.videoWatchedPercent == null
        ? 'no video started'
        : `${fmtPct(e.videoWatchedPercent)} of the videos started`;
    case 'scrollDepth':
      return e.scrollDepthPercent == null
        ? 'nothing scrolled'
        : `${fmtPct(e.scrollDepthPercent)} average scroll depth`;
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
              <ProgressBar
                percent={max > 0 ? (got / max) * 100 : 0}
                label={`${label}: ${points(got)} of ${points(max)} points`}
              />
              <p className="learner-note">{partBasis(key, e)}</p>
            </li>
          );
        })}
      </ul>
      <p className="learner-note">
        Weights are the course’s settings; the parts add up to the score. As of {fmtDateTime(e.asOf)}.
      </p>
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

/** The learner's days in this course (their time zone): time on task as bars, visits and completions as lines. */
function ActivityCard({ activity }: { activity: LearnerActivity }) {
  return (
    <DailyActivity
      days={activity.last28Days}
      title={`Activity in the course over the last ${activity.last28Days.length} days`}
      empty={`No activity in this course in the last ${activity.last28Days.length} days.`}
    />
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
                  <span className={`pill ${a.passed ? 'risk-none' : 'risk-high'}`}>
                    {a.passed ? 'passed' : 'failed'}
                  </span>
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

/** The learner's recent items in the feed, kept live (mounted only for a learner of the course). */
function LearnerFeed({ courseId, userId }: { courseId: string; userId: string }) {
  const filter = useMemo(() => ({ courseId, userId }), [courseId, userId]);
  const feed = useFeed(filter, 15);
  return <FeedList items={feed.items} status={feed.status} title="Recent activity" />;
}

/** An instructor's view of one learner in a course: figures, item progress, activity, attempts, risk, feed. */
export function LearnerDetail({ courseId, userId }: { courseId: string; userId: string }) {
  const c = enc(courseId);
  const u = enc(userId);
  const course = useApi<Course>(`/courses/${c}`);
  const user = useApi<User>(`/users/${u}`);
  const engagement = useApi<Engagement>(`/courses/${c}/students/${u}/engagement`, 60_000);
  const progress = useApi<MyCourseProgress>(`/courses/${c}/students/${u}/progress`, 60_000);
  const activity = useApi<LearnerActivity>(`/courses/${c}/students/${u}/activity`, 60_000);
  const attempts = useApi<Attempts>(`/courses/${c}/students/${u}/attempts`);

  const e = engagement.state === 'ready' ? engagement.data : null;
  const p = progress.state === 'ready' ? progress.data : null;
  const name = user.state === 'ready' ? user.data.displayName : (e?.displayName ?? userId);
  // Not a learner of this course (or not one this token may see): one message, not one per card.
  // (A course without engagement tracking answers 404 engagement_disabled: the rest still shows.)
  const gate = [progress, attempts, engagement].find(
    (l) =>
      l.state === 'error' &&
      (l.error.status === 404 || l.error.status === 403) &&
      l.error.code !== 'engagement_disabled',
  );

  const head = (
    <div className="page-head">
      <div>
        <p className="crumbs">
          <a href={href.home()}>Courses</a> /{' '}
          <a href={href.course(courseId)}>
            {course.state === 'ready' ? (course.data.code ?? course.data.title) : courseId}
          </a>{' '}
          / Learners
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
          {(p ?? e) && <span>Started {fmtDate(p?.startedAt ?? e?.startedAt)}</span>}
        </p>
      </div>
      {e && (
        <span className={`pill risk-${e.riskLevel}`} title={e.riskReasons.map((r) => r.message).join('; ')}>
          {e.riskLevel === 'none' ? 'not at risk' : `${e.riskLevel} risk`}
        </span>
      )}
    </div>
  );
  if (gate?.state === 'error') {
    return (
      <>
        {head}
        <ErrorState error={gate.error} />
        <p>
          <a href={href.course(courseId)}>← Back to the course’s learners</a>
        </p>
      </>
    );
  }

  return (
    <>
      {head}
      <Load value={engagement} what="engagement figures">
        {(en) => (
          <Figures>
            <Figure
              label="Engagement"
              value={`${fmtInt(en.engagementScore)} / 100`}
              testId="fig-engagement"
              hint="0–100, see the parts below"
            />
            <Figure label="Progress" value={fmtPct(en.progressPercent)} testId="fig-progress" />
            <Figure
              label="Items completed"
              value={
                p ? `${fmtInt(en.itemsCompleted)} of ${fmtInt(p.totalItems)}` : fmtInt(en.itemsCompleted)
              }
              testId="fig-items-completed"
            />
            <Figure label="Visits (7 days)" value={fmtInt(en.visits7d)} testId="fig-visits" />
            <Figure label="Time on task" value={fmtDuration(en.timeOnTaskSec)} testId="fig-time-on-task" />
            <Figure
              label="Learning sessions"
              value={fmtInt(en.sessions)}
              testId="fig-sessions"
              hint={`Average session ${fmtDuration(en.avgSessionSec)}`}
            />
            <Figure
              label="Last active"
              value={fmtAgo(en.lastActivityAt, Date.parse(en.asOf))}
              testId="fig-last-active"
              hint={fmtDateTime(en.lastActivityAt)}
            />
          </Figures>
        )}
      </Load>

      <div className="grid-2">
        <div className="stack">
          <section className="card" aria-label="Progress per item">
            <header className="card-head">
              <h2>Progress per item</h2>
              {p && (
                <p>
                  {fmtInt(p.itemsCompleted)} of {fmtInt(p.totalItems)} completed
                  {p.completedAt ? ` · finished ${fmtDate(p.completedAt)}` : ''}
                </p>
              )}
            </header>
            <Load value={progress} what="item progress">
              {(pr) => (
                <>
                  <div className="learner-overall">
                    <ProgressBar
                      percent={pr.completionPercent}
                      label={`Course progress: ${fmtPct(pr.completionPercent)}`}
                    />
                  </div>
                  <ItemsProgressTable items={pr.items} audience="instructor" />
                </>
              )}
            </Load>
          </section>

          <section className="card" aria-label="Activity over time">
            <header className="card-head">
              <h2>Activity, last 28 days</h2>
              <p>
                Days in the learner’s time zone
                {activity.state === 'ready' ? ` (${activity.data.timezone})` : ''}
              </p>
            </header>
            <Load value={activity} what="activity">
              {(a) => <ActivityCard activity={a} />}
            </Load>
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
          <LearnerFeed courseId={courseId} userId={userId} />
        </div>
      </div>
    </>
  );
}
