import type { FeedType } from './items.js';

/** What a feed item's sentence is made of: names where the catalog has them, ids otherwise. */
export interface SentenceFacts {
  type: FeedType;
  learner: string;
  course: string | null;
  item: string | null;
  session: string | null;
  progressPct: number | null;
  data: Record<string, unknown>;
}

const quoted = (s: string | null) => (s === null ? '' : `“${s}”`);
const inCourse = (course: string | null) => (course === null ? '' : ` in ${quoted(course)}`);
const pct = (n: number) => `${Math.round(n)} %`;

/**
 * A short human sentence for a feed item, in English.
 * @example feedSentence({ type: 'video_completed', learner: 'Ana', item: 'Intro', course: 'Go', session: null, progressPct: 96.4, data: {} })
 * // 'Ana completed the video “Intro” in “Go” (96 % watched).'
 */
export function feedSentence(f: SentenceFacts): string {
  const d = f.data;
  switch (f.type) {
    case 'video_completed':
      return `${f.learner} completed the video ${quoted(f.item)}${inCourse(f.course)}${
        f.progressPct !== null ? ` (${pct(f.progressPct)} watched)` : ''
      }.`;
    case 'lesson_completed':
      return `${f.learner} completed ${quoted(f.item)}${inCourse(f.course)}${
        f.progressPct !== null && f.progressPct > 0 ? ` (${pct(f.progressPct)})` : ''
      }.`;
    case 'progress_update':
      return `${f.learner} is halfway through ${quoted(f.item)}${inCourse(f.course)}.`;
    case 'exam_attempt': {
      const score = `${d.score}/${d.maxScore}`;
      const outcome = d.passed === true ? 'passed' : d.passed === false ? 'did not pass' : 'submitted';
      return `${f.learner} ${outcome} ${quoted(f.item)}${inCourse(f.course)} with ${score} (attempt ${d.attemptNumber}).`;
    }
    case 'certification_issued':
      return `${f.learner} earned certificate ${String(d.certificateId)}${inCourse(f.course)}.`;
    case 'live_session_attended':
      return `${f.learner} joined the live session ${quoted(f.session)}.`;
    case 'at_risk_changed': {
      if (d.level === 'none') return `${f.learner} is no longer at risk${inCourse(f.course)}.`;
      const reasons = Array.isArray(d.reasons)
        ? (d.reasons as { message?: unknown }[]).map((r) => String(r.message)).join('; ')
        : '';
      return `${f.learner} is at ${String(d.level)} risk${inCourse(f.course)}${reasons ? `: ${reasons}` : ''}.`;
    }
  }
}
