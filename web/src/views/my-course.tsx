import { Figure, Figures } from '../components/figures.js';
import { isAssessment, ItemsProgressTable, nextItem, resumeAt } from '../components/learner-items.js';
import { CourseStatusPill, ItemStatusPill, ItemType, ProgressBar } from '../components/learner-parts.js';
import type { MyCourseProgress } from '../components/learner-types.js';
import { Load } from '../components/states.js';
import { enc } from '../lib/api.js';
import { fmtAgo, fmtClock, fmtDate, fmtDateTime, fmtDuration, fmtInt, fmtPct } from '../lib/format.js';
import { href } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';

/** The call to action: the first item, in course order, that is not completed. */
function ResumeCard({ course }: { course: MyCourseProgress }) {
  const next = nextItem(course.items);
  if (!next) {
    return (
      <section className="card learner-resume is-done" aria-label="Course completed" data-testid="resume">
        <h2>You have completed every item 🎉</h2>
        <p>
          {course.completedAt ? `Finished ${fmtDate(course.completedAt)}.` : 'Well done.'}{' '}
          {course.certificate
            ? `Your certificate was issued ${fmtDate(course.certificate.issuedAt)}.`
            : 'Your certificate, if the course gives one, appears here once it is issued.'}
        </p>
      </section>
    );
  }
  const position = resumeAt(next);
  const alsoStarted = course.items.filter((i) => i !== next && i.status === 'in_progress');
  return (
    <section
      className="card learner-resume"
      aria-label="Continue"
      data-testid="resume"
      data-item-id={next.itemId}
    >
      <p className="learner-kicker">
        {next.status === 'in_progress' ? 'Pick up where you left off' : 'Up next'}
      </p>
      <h2>
        {next.position}. {next.title}
      </h2>
      <p className="toolbar">
        <ItemType type={next.type} />
        <ItemStatusPill status={next.status} />
        {position != null && (
          <strong className="learner-resume-at" data-testid="resume-position">
            Resume at {fmtClock(position)}
          </strong>
        )}
        {next.type !== 'video' && next.status === 'in_progress' && next.progressPercent > 0 && (
          <span>{fmtPct(next.progressPercent)} done</span>
        )}
        {isAssessment(next) && next.attempts > 0 && (
          <span>
            {fmtInt(next.attempts)} attempt{next.attempts === 1 ? '' : 's'}, best{' '}
            {fmtPct(next.bestScorePercent)}
          </span>
        )}
      </p>
      {alsoStarted.length > 0 && (
        <div className="learner-also" data-testid="also-in-progress">
          <span>Also in progress:</span>
          <ul>
            {alsoStarted.map((i) => {
              const at = resumeAt(i);
              return (
                <li key={i.itemId} data-item-id={i.itemId}>
                  {i.position}. {i.title}{' '}
                  <span className="learner-note">
                    {at != null ? `resume at ${fmtClock(at)}` : `${fmtPct(i.progressPercent)} done`}
                  </span>
                </li>
              );
            })}
          </ul>
        </div>
      )}
      <p className="learner-note">Open it in your course platform to continue.</p>
    </section>
  );
}

/** A learner's own course: progress item by item, where to resume, attempts, the certificate. */
export function MyCourse({ courseId }: { courseId: string }) {
  const progress = useApi<MyCourseProgress>(`/me/courses/${enc(courseId)}/progress`, 60_000);
  const title = progress.state === 'ready' ? progress.data.title : courseId;
  return (
    <>
      <div className="page-head">
        <div>
          <p className="crumbs">
            <a href={href.home()}>My learning</a> /{' '}
            {progress.state === 'ready' ? (progress.data.code ?? courseId) : courseId}
          </p>
          <h1 data-testid="course-title">{title}</h1>
        </div>
        {progress.state === 'ready' && (
          <CourseStatusPill status={progress.data.status} testId="course-status" />
        )}
      </div>
      <Load value={progress} what="your progress">
        {(p) => (
          <>
            <ResumeCard course={p} />
            <Figures>
              <Figure label="Progress" value={fmtPct(p.completionPercent)} testId="fig-progress" />
              <Figure
                label="Items completed"
                value={`${fmtInt(p.itemsCompleted)} of ${fmtInt(p.totalItems)}`}
                testId="fig-items-completed"
              />
              <Figure label="Time on task" value={fmtDuration(p.timeOnTaskSec)} testId="fig-time-on-task" />
              <Figure
                label="Last active"
                value={fmtAgo(p.lastActivityAt)}
                testId="fig-last-active"
                hint={fmtDateTime(p.lastActivityAt)}
              />
              <Figure
                label="Certificate"
                value={p.certificate ? `★ ${fmtDate(p.certificate.issuedAt)}` : 'Not yet'}
                testId="fig-certificate"
                hint={
                  p.certificate
                    ? `Certificate ${p.certificate.certificateId}`
                    : 'Issued by your platform when you finish'
                }
              />
            </Figures>
            <section className="card" aria-label="Items">
              <header className="card-head">
                <h2>Items</h2>
                <p>
                  Started {fmtDate(p.startedAt)}
                  {p.completedAt ? ` · finished ${fmtDate(p.completedAt)}` : ''}
                </p>
              </header>
              <div className="learner-overall">
                <ProgressBar
                  percent={p.completionPercent}
                  label={`Course progress: ${fmtPct(p.completionPercent)}`}
                />
              </div>
              <ItemsProgressTable items={p.items} audience="learner" />
            </section>
          </>
        )}
      </Load>
    </>
  );
}
