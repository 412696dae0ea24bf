import { useState } from 'react';
import { DailyActivity } from '../components/learner-activity.js';
import { FeedList } from '../components/feed-list.js';
import { Figure, Figures } from '../components/figures.js';
import { CourseStatusPill, fmtWeekday, ProgressBar } from '../components/learner-parts.js';
import type { CourseSummary, MyCourses, MyStats, StatsDay, User } from '../components/learner-types.js';
import { Empty, Load } from '../components/states.js';
import { enc } from '../lib/api.js';
import { useFeed } from '../lib/feed.js';
import { fmtAgo, fmtCount, fmtDate, fmtDuration, fmtInt, fmtPct } from '../lib/format.js';
import { href } from '../lib/router.js';
import { useSession } from '../lib/session-context.js';
import { useApi } from '../lib/use-api.js';

const NO_FILTER = {};

/** The days as a strip of squares, filled on days with learning activity. */
function DayStrip({ days, today }: { days: StatsDay[]; today: string }) {
  return (
    <ol
      className="learner-strip"
      data-testid="streak-days"
      aria-label="Days with learning activity, oldest first"
    >
      {days.map((d) => (
        <li
          key={d.day}
          className={`${d.active ? 'is-active' : ''} ${d.day === today ? 'is-today' : ''}`.trim()}
          data-day={d.day}
          data-active={d.active}
          title={`${fmtWeekday(d.day)}: ${d.active ? `active, ${fmtDuration(d.timeOnTaskSec)}` : 'no activity'}`}
        >
          <span className="sr-only">
            {fmtWeekday(d.day)}: {d.active ? 'active' : 'no activity'}
          </span>
        </li>
      ))}
    </ol>
  );
}

function ActivityCard({ stats }: { stats: MyStats }) {
  const [range, setRange] = useState<7 | 28>(7);
  const days = range === 7 ? stats.last7Days : stats.last28Days;
  return (
    <section className="card" aria-label="My activity">
      <header className="card-head">
        <h2>My activity</h2>
        <fieldset className="toolbar learner-range">
          <legend className="sr-only">Period</legend>
          {([7, 28] as const).map((r) => (
            <button
              key={r}
              type="button"
              className={r === range ? undefined : 'secondary'}
              aria-pressed={r === range}
              onClick={() => setRange(r)}
              data-testid={`range-${r}`}
            >
              {r} days
            </button>
          ))}
        </fieldset>
      </header>
      <DailyActivity
        days={days}
        range={range}
        title={`My activity over the last ${days.length} days`}
        note={`Days in ${stats.timezone}.`}
        empty="No learning activity in these days. Open a course below to pick up where you left off."
      />
    </section>
  );
}

function Comparison({ c }: { c: MyStats['comparison'][number] }) {
  if (!c.courseAverage) {
    return (
      <p className="learner-note">The course average is shown once the course has 5 learners or more.</p>
    );
  }
  return (
    <div className="learner-compare" data-testid="course-comparison">
      <div>
        <span>You</span>
        <ProgressBar
          percent={c.you.progressPercent}
          label={`Your progress: ${fmtPct(c.you.progressPercent)}`}
        />
        <span className="num">{fmtPct(c.you.progressPercent)}</span>
      </div>
      <div>
        <span>Course average</span>
        <ProgressBar
          percent={c.courseAverage.progressPercent}
          label={`Course average progress: ${fmtPct(c.courseAverage.progressPercent)}`}
        />
        <span className="num">{fmtPct(c.courseAverage.progressPercent)}</span>
      </div>
      <p className="learner-note">
        Time on task: you {fmtDuration(c.you.timeOnTaskSec)}, average{' '}
        {fmtDuration(c.courseAverage.timeOnTaskSec)} ({fmtCount(c.courseAverage.learners, 'learner')}).
      </p>
    </div>
  );
}

function CourseCard({
  course,
  comparison,
}: {
  course: CourseSummary;
  comparison: MyStats['comparison'][number] | undefined;
}) {
  const done = course.status === 'completed';
  return (
    <li className="learner-course" data-course-id={course.courseId}>
      <div className="learner-course-head">
        <div>
          <h3>
            <a href={href.myCourse(course.courseId)}>{course.title}</a>
          </h3>
          <p className="crumbs">
            {course.code ?? course.courseId} · last active {fmtAgo(course.lastActivityAt)}
          </p>
        </div>
        <CourseStatusPill status={course.status} />
      </div>
      <div className="learner-progress-cell">
        <ProgressBar
          percent={course.completionPercent}
          label={`${course.title}: ${fmtPct(course.completionPercent)} complete`}
        />
        <span className="num" data-testid="course-progress">
          {fmtPct(course.completionPercent)}
        </span>
      </div>
      <p className="learner-note">
        {fmtInt(course.itemsCompleted)} of {fmtCount(course.totalItems, 'item')} completed ·{' '}
        {fmtDuration(course.timeOnTaskSec)} spent
        {course.certificate && (
          <>
            {' '}
            · <span className="pill learner-best">★ Certificate {fmtDate(course.certificate.issuedAt)}</span>
          </>
        )}
      </p>
      {comparison && <Comparison c={comparison} />}
      <a className="learner-cta" href={href.myCourse(course.courseId)} data-testid="resume-link">
        {done ? 'Review the course →' : !course.startedAt ? 'Start →' : 'Resume →'}
      </a>
    </li>
  );
}

/** A learner's own page: streaks, activity, their courses with progress, their recent feed. */
export function LearnerHome() {
  const { session } = useSession();
  const stats = useApi<MyStats>('/me/stats', 60_000);
  const courses = useApi<MyCourses>('/me/courses', 60_000);
  const feed = useFeed(NO_FILTER, 10);
  // The token may not carry a name: the catalog has it (a learner may read their own user).
  const me = useApi<User>(session?.userId && !session.name ? `/users/${enc(session.userId)}` : null);
  const name = session?.name ?? (me.state === 'ready' ? me.data.displayName : null);
  const comparisons =
    stats.state === 'ready' ? new Map(stats.data.comparison.map((c) => [c.courseId, c])) : null;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>My learning</h1>
          <p>{name ? `Welcome back, ${name}.` : 'Welcome back.'} Your courses, streak and recent activity.</p>
        </div>
      </div>
      <Load value={stats} what="your figures">
        {(s) => (
          <Figures>
            <Figure
              label="Current streak"
              value={fmtCount(s.currentStreakDays, 'day')}
              testId="fig-streak"
              hint="Consecutive days with learning activity, ending today (or yesterday)"
            />
            <Figure
              label="Longest streak"
              value={fmtCount(s.longestStreakDays, 'day')}
              testId="fig-longest-streak"
            />
            <Figure
              label="Courses"
              value={`${fmtInt(s.coursesCompleted)} of ${fmtInt(s.courses)} done`}
              testId="fig-courses"
            />
            <Figure label="Items completed" value={fmtInt(s.itemsCompleted)} testId="fig-items-completed" />
            <Figure label="Time on task" value={fmtDuration(s.timeOnTaskSec)} testId="fig-time-on-task" />
          </Figures>
        )}
      </Load>
      <div className="grid-2">
        <div className="stack">
          <section className="card" aria-label="My courses">
            <header className="card-head">
              <h2>My courses</h2>
              {courses.state === 'ready' && <p>{fmtCount(courses.data.courses.length, 'course')}</p>}
            </header>
            <Load value={courses} what="your courses">
              {(c) =>
                c.courses.length === 0 ? (
                  <Empty>
                    You are not enrolled in any course yet. Courses appear here once you are enrolled.
                  </Empty>
                ) : (
                  <ul className="learner-courses" data-testid="my-courses">
                    {c.courses.map((course) => (
                      <CourseCard
                        key={course.courseId}
                        course={course}
                        comparison={comparisons?.get(course.courseId)}
                      />
                    ))}
                  </ul>
                )
              }
            </Load>
          </section>
          {stats.state === 'ready' && <ActivityCard stats={stats.data} />}
        </div>
        <div className="stack">
          {stats.state === 'ready' && (
            <section className="card" aria-label="Streak">
              <header className="card-head">
                <h2>Streak</h2>
                <p>Last 28 days</p>
              </header>
              <p className="learner-streak">
                <strong>{fmtCount(stats.data.currentStreakDays, 'day')}</strong> in a row
                {stats.data.currentStreakDays > 0 &&
                stats.data.currentStreakDays >= stats.data.longestStreakDays
                  ? ' — your longest yet!'
                  : ` · longest ${fmtCount(stats.data.longestStreakDays, 'day')}`}
              </p>
              <DayStrip days={stats.data.last28Days} today={stats.data.today} />
            </section>
          )}
          <FeedList items={feed.items} status={feed.status} title="My recent activity" />
        </div>
      </div>
    </>
  );
}
