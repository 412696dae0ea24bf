import { fmtClock, fmtCount, fmtDate, fmtDateTime, fmtDuration, fmtPct } from '../lib/format.js';
import { ItemStatusPill, ItemType, ProgressBar } from './learner-parts.js';
import type { ItemProgress } from './learner-types.js';
import { Empty } from './states.js';

/** Item types whose progress is their attempts (the API reports no percent for them). */
export const ASSESSMENTS = new Set(['quiz', 'assignment']);
export const isAssessment = (i: ItemProgress) => ASSESSMENTS.has(i.type);

/** A video's resume position, when there is one to resume from. */
export const resumeAt = (i: ItemProgress) =>
  i.type === 'video' && i.resumePositionSec != null && i.resumePositionSec > 0 ? i.resumePositionSec : null;

/** The first item, in course order, that is not completed (undefined: all are). */
export const nextItem = (items: ItemProgress[]) => items.find((i) => i.status !== 'completed');

/**
 * Where a learner stands on an item, in words, beside its status: when it was finished, a video's
 * resume point and viewing, an assessment's attempts and best score, a lesson's progress against
 * its threshold. Empty for an item not started (the status says it all).
 */
export function itemDetail(i: ItemProgress): string {
  const parts: string[] = [];
  if (i.status === 'completed') {
    parts.push(`Finished ${fmtDate(i.completedAt)}${i.completedHow === 'manual' ? ' (marked done)' : ''}`);
  } else if (resumeAt(i) != null) {
    parts.push(`Resume at ${fmtClock(resumeAt(i)!)}`);
  }
  if (i.video && i.video.watchSessions > 0) {
    const v = i.video;
    parts.push(`${fmtClock(v.watchedSec)} watched in ${fmtCount(v.watchSessions, 'session')}`);
    if (v.playedSec > v.watchedSec + 1) parts.push(`${fmtDuration(v.playedSec - v.watchedSec)} rewatched`);
  }
  if (i.attempts > 0) {
    parts.push(
      `${fmtCount(i.attempts, 'attempt')} · best ${fmtPct(i.bestScorePercent)} · ${i.passed ? 'passed' : 'not passed'}`,
    );
  } else if (isAssessment(i) && i.status !== 'completed') parts.push('No attempt yet');
  if (i.status === 'in_progress' && i.type !== 'video' && !isAssessment(i)) {
    parts.push(`${fmtPct(i.progressPercent)} of ${fmtPct(i.completionThreshold)} needed`);
    if (i.scrollDepthPercent != null) parts.push(`scrolled ${fmtPct(i.scrollDepthPercent)}`);
  }
  return parts.join(' · ');
}

/**
 * The progress cell: the item's percent, except for an assessment the API gives no percent for,
 * where the best score stands in (its attempts are what progress means there).
 */
function ProgressCell({ i }: { i: ItemProgress }) {
  if (isAssessment(i) && i.progressPercent === 0) {
    return (
      <span className="learner-note" title="Assessments progress by attempts: the best score">
        {i.bestScorePercent == null ? '—' : `best ${fmtPct(i.bestScorePercent)}`}
      </span>
    );
  }
  return (
    <div className="learner-progress-cell">
      <ProgressBar percent={i.progressPercent} label={`${i.title}: ${fmtPct(i.progressPercent)}`} />
      <span className="num" data-testid="item-progress">
        {fmtPct(i.progressPercent)}
      </span>
    </div>
  );
}

/**
 * A learner's progress item by item, as GET /me/courses/{id}/progress and its instructor
 * counterpart give it: the learner's own page highlights the next item, an instructor's does not.
 */
export function ItemsProgressTable({
  items,
  audience,
}: {
  items: ItemProgress[];
  audience: 'learner' | 'instructor';
}) {
  if (items.length === 0) return <Empty>The course has no items yet.</Empty>;
  const nextId = audience === 'learner' ? nextItem(items)?.itemId : undefined;
  return (
    <div className="table-wrap">
      <table className="learner-items" data-testid="items-table">
        <thead>
          <tr>
            <th>#</th>
            <th>Item</th>
            <th className="learner-opt">Status</th>
            <th>Progress</th>
            <th className="learner-opt">{audience === 'learner' ? 'Where you are' : 'Details'}</th>
            <th className="num learner-opt">Time</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => {
            const detail = itemDetail(i);
            return (
              <tr
                key={i.itemId}
                data-item-id={i.itemId}
                data-status={i.status}
                className={i.itemId === nextId ? 'learner-next' : undefined}
              >
                <td>{i.position}</td>
                <td className="learner-item-cell">
                  <div className="learner-item-title">
                    {i.title}
                    {i.itemId === nextId && <span className="pill learner-best learner-next-tag">next</span>}
                  </div>
                  <ItemType type={i.type} />
                  <div className="learner-mobile-detail">
                    <ItemStatusPill status={i.status} /> {detail}
                  </div>
                </td>
                <td className="learner-opt">
                  <ItemStatusPill status={i.status} />
                </td>
                <td>
                  <ProgressCell i={i} />
                </td>
                <td
                  className="learner-opt learner-wrap"
                  data-testid="item-detail"
                  title={i.lastActivityAt ? `Last activity ${fmtDateTime(i.lastActivityAt)}` : undefined}
                >
                  {detail || '—'}
                </td>
                <td className="num learner-opt">
                  {i.timeOnTaskSec > 0 ? fmtDuration(i.timeOnTaskSec) : '—'}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
