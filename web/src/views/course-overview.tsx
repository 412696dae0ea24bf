import { useMemo } from 'react';
import { Chart } from '../components/chart.js';
import { FeedList } from '../components/feed-list.js';
import { Figure, Figures } from '../components/figures.js';
import { StudentsTable } from '../components/students-table.js';
import { Empty, Load } from '../components/states.js';
import { useFeed } from '../lib/feed.js';
import { fmtDuration, fmtInt, fmtPct } from '../lib/format.js';
import { href } from '../lib/router.js';
import type { AtRisk, Course, CourseAnalytics } from '../lib/types.js';
import { useApi } from '../lib/use-api.js';
import { enc } from '../lib/api.js';

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
// Days as whole numbers since the epoch: the linear scale then puts its ticks on whole days.
const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / 86_400_000;
const fmtDay = (n: number) =>
  new Date(n * 86_400_000).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

function ActivityChart({ trend }: { trend: CourseAnalytics['trend'] }) {
  const props = useMemo(
    () => ({
      title: 'Activity over the last 14 days',
      x: { values: trend.map((t) => dayNumber(t.day)), label: 'Day', format: fmtDay },
      series: [
        {
          label: 'Active learners',
          unit: 'learners',
          color: '#0b5cad',
          kind: 'bars' as const,
          values: trend.map((t) => t.activeLearners),
        },
        {
          label: 'Time on task',
          unit: 'min',
          color: '#067647',
          axis: 'right' as const,
          values: trend.map((t) => Math.round(t.timeOnTaskSec / 60)),
        },
      ],
    }),
    [trend],
  );
  return <Chart {...props} />;
}

function Funnel({ items }: { items: CourseAnalytics['itemFunnel'] }) {
  if (items.length === 0) return <Empty>The course has no items yet.</Empty>;
  return (
    <div className="table-wrap">
      <table className="funnel" data-testid="funnel">
        <thead>
          <tr>
            <th>#</th>
            <th>Item</th>
            <th>Completed</th>
            <th className="num">Started</th>
            <th className="num">Completed</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr key={i.itemId}>
              <td>{i.position}</td>
              <td>
                {i.type === 'video' ? '▶ ' : ''}
                {i.title}
              </td>
              <td>
                <div className="bar" role="img" aria-label={`${fmtPct(i.completedPercent)} completed`}>
                  <span style={{ width: `${Math.min(100, i.completedPercent)}%` }} />
                </div>
              </td>
              <td className="num">{fmtPct(i.startedPercent)}</td>
              <td className="num">{fmtPct(i.completedPercent)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RiskList({ risk, courseId }: { risk: AtRisk; courseId: string }) {
  if (risk.items.length === 0) return <Empty>Nobody is at risk right now.</Empty>;
  return (
    <ul className="risk-list" data-testid="at-risk">
      {risk.items.map((r) => (
        <li key={r.userId}>
          <span className={`pill risk-${r.riskLevel}`}>{r.riskLevel}</span>{' '}
          <a href={href.learner(courseId, r.userId)}>{r.displayName}</a>
          <ul>
            {r.reasons.map((reason) => (
              <li key={reason.code + reason.message}>{reason.message}</li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}

/** An instructor's view of one course: figures, activity, funnel, who is at risk, the table, the feed. */
export function CourseOverview({ courseId }: { courseId: string }) {
  const course = useApi<Course>(`/courses/${enc(courseId)}`);
  const analytics = useApi<CourseAnalytics>(
    `/courses/${enc(courseId)}/analytics?timezone=${enc(zone)}`,
    30_000,
  );
  const risk = useApi<AtRisk>(`/courses/${enc(courseId)}/at-risk`, 60_000);
  const filter = useMemo(() => ({ courseId }), [courseId]);
  const feed = useFeed(filter, 30);
  const title = course.state === 'ready' ? course.data.title : courseId;
  return (
    <>
      <div className="page-head">
        <div>
          <p className="crumbs">
            <a href={href.home()}>Courses</a> /{' '}
            {course.state === 'ready' ? (course.data.code ?? courseId) : courseId}
          </p>
          <h1 data-testid="course-title">{title}</h1>
        </div>
        <a href={href.videos(courseId)}>Videos →</a>
      </div>
      <Load value={analytics} what="course figures">
        {(a) => (
          <>
            <Figures>
              <Figure label="Learners" value={fmtInt(a.enrolledLearners)} testId="fig-enrolled" />
              <Figure label="Active (7 days)" value={fmtInt(a.activeLearners7d)} testId="fig-active" />
              <Figure
                label="Average progress"
                value={fmtPct(a.averageProgressPercent)}
                testId="fig-progress"
              />
              <Figure label="Completed" value={fmtInt(a.completedLearners)} testId="fig-completed" />
              <Figure label="Completion rate" value={fmtPct(a.completionRate)} testId="fig-completion-rate" />
              <Figure label="Time per learner" value={fmtDuration(a.averageTimePerLearnerSec)} />
              <Figure label="At risk" value={fmtInt(a.atRiskCount)} testId="fig-at-risk" />
              <Figure label="Certificates" value={fmtInt(a.certificatesIssued)} testId="fig-certificates" />
            </Figures>
            <div className="grid-2">
              <div className="stack">
                <section className="card">
                  <header className="card-head">
                    <h2>Activity, last 14 days</h2>
                    <p>Days in {a.timezone}</p>
                  </header>
                  <ActivityChart trend={a.trend} />
                </section>
                <section className="card">
                  <header className="card-head">
                    <h2>Item funnel</h2>
                    <p>Share of learners who started and completed each item</p>
                  </header>
                  <Funnel items={a.itemFunnel} />
                </section>
              </div>
              <div className="stack">
                <section className="card">
                  <header className="card-head">
                    <h2>At risk</h2>
                  </header>
                  <Load value={risk} what="learners at risk">
                    {(r) => <RiskList risk={r} courseId={courseId} />}
                  </Load>
                </section>
                <FeedList items={feed.items} status={feed.status} />
              </div>
            </div>
          </>
        )}
      </Load>
      <StudentsTable courseId={courseId} />
    </>
  );
}
