import { Figure, Figures } from '../components/figures.js';
import { CourseStatusPill, ItemStatusPill, ItemType, ProgressBar } from '../components/learner-parts.js';
import type { ItemProgress, MyCourseProgress } from '../components/learner-types.js';
import { Empty, Load } from '../components/states.js';
import { enc } from '../lib/api.js';
import { fmtAgo, fmtClock, fmtDate, fmtDateTime, fmtDuration, fmtInt, fmtPct } from '../lib/format.js';
import { href } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';

const ASSESSMENTS = new Set(['quiz', 'assignment']);

/** Where the learner stands on an item, in words: resume point, attempts, completion. */
function whereYouAre(i: ItemProgress): string {
  const parts: string[] = [];
  if (i.status === 'completed') parts.push(`Completed ${fmtDate(i.completedAt)}`);
  else if (i.type === 'video' && i.resumePositionSec != null) parts.push(`Resume at ${fmtClock(i.resumePositionSec)}`);
  if (i.attempts > 0) {
    parts.push(
      `${fmtInt(i.attempts)} attempt${i.attempts === 1 ? '' : 's'} · best ${fmtPct(i.bestScorePercent)}${i.passed ? ' · passed' : ''}`,
    );
  } else if (ASSESSMENTS.has(i.type) && i.status !== 'completed') parts.push('No attempt yet');
  if (i.status === 'in_progress' && i.type !== 'video' && !ASSESSMENTS.has(i.type)) {
    parts.push(`${fmtPct(i.progressPercent)} of ${fmtPct(i.completionThreshold)} needed`);
  }
  if (i.status === 'not_started' && !ASSESSMENTS.has(i.type)) parts.push('Not started');
  return parts.join(' · ');
}

/** The call to action: the first item, in course order, that is not completed. */
function ResumeCard({ course }: { course: MyCourseProgress }) {
  const next = course.items.find((i) => i.status !== 'completed');
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
  const position = next.type === 'video' && next.resumePositionSec != null && next.resumePositionSec > 0 ? next.resumePositionSec : null;
  return (
    <section className="card learner-resume" aria-label="Continue" data-testid="resume" data-item-id={next.itemId}>
      <p className="learner-kicker">{next.status === 'in_progress' ? 'Pick up where you left off' : 'Up next'}</p>
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
        {ASSESSMENTS.has(next.type) && next.attempts > 0 && (
          <span>
            {fmtInt(next.attempts)} attempt{next.attempts === 1 ? '' : 's'}, best {fmtPct(next.bestScorePercent)}
          </span>
        )}
      </p>
      <p className="learner-note">Open it in your course platform to continue.</p>
    </section>
  );
}

function ItemsTable({ items, nextId }: { items: ItemProgress[]; nextId: string | undefined }) {
  if (items.length === 0) return <Empty>This course has no items yet.</Empty>;
  return (
    <div className="table-wrap">
      <table className="learner-items" data-testid="items-table">
        <thead>
          <tr>
            <th>#</th>
            <th>Item</th>
            <th>Status</th>
            <th>Progress</th>
            <th className="learner-opt">Where you are</th>
            <th className="num learner-opt">Time</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr
              key={i.itemId}
              data-item-id={i.itemId}
              data-status={i.status}
              className={i.itemId === nextId ? 'learner-next' : undefined}
            >
              <td>{i.position}</td>
              <td>
                <div className="learner-item-title">
                  {i.title}
                  {i.itemId === nextId && <span className="pill learner-best">next</span>}
                </div>
                <ItemType type={i.type} />
              </td>
              <td>
                <ItemStatusPill status={i.status} />
              </td>
              <td>
                <div className="learner-progress-cell">
                  <ProgressBar percent={i.progressPercent} label={`${i.title}: ${fmtPct(i.progressPercent)}`} />
                  <span className="num" data-testid="item-progress">
                    {fmtPct(i.progressPercent)}
                  </span>
                </div>
              </td>
              <td className="learner-opt learner-wrap" title={i.lastActivityAt ? `Last activity ${fmtDateTime(i.lastActivityAt)}` : undefined}>
                {whereYouAre(i)}
              </td>
              <td className="num learner-opt">{i.timeOnTaskSec > 0 ? fmtDuration(i.timeOnTaskSec) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
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
            <a href={href.home()}>My learning</a> / {progress.state === 'ready' ? (progress.data.code ?? courseId) : courseId}
          </p>
          <h1 data-testid="course-title">{title}</h1>
        </div>
        {progress.state === 'ready' && <CourseStatusPill status={progress.data.status} testId="course-status" />}
      </div>
      <Load value={progress} what="your progress">
        {(p) => {
          const next = p.items.find((i) => i.status !== 'completed');
          return (
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
                <Figure label="Last active" value={fmtAgo(p.lastActivityAt)} testId="fig-last-active" hint={fmtDateTime(p.lastActivityAt)} />
                <Figure
                  label="Certificate"
                  value={p.certificate ? `★ ${fmtDate(p.certificate.issuedAt)}` : 'Not yet'}
                  testId="fig-certificate"
                  hint={p.certificate ? `Certificate ${p.certificate.certificateId}` : 'Issued by your platform when you finish'}
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
                  <ProgressBar percent={p.completionPercent} label={`Course progress: ${fmtPct(p.completionPercent)}`} />
                </div>
                <ItemsTable items={p.items} nextId={next?.itemId} />
              </section>
            </>
          );
        }}
      </Load>
    </>
  );
}
