import type { LearningEvent } from '../domain/events/types.js';
import type { Rejection } from '../domain/events/validate.js';
import { EVENT_REJECTION_CODES } from '../errors/codes.js';
import { engagementDisabled, quizGateClosed } from '../store/catalog/policies.js';
import type { Queryable } from '../store/db.js';

/** Engagement events: what a course that turned engagement tracking off does not want stored. */
export const ENGAGEMENT_TYPES = new Set(['heartbeat', 'scroll_depth', 'course_visit']);

/**
 * Course rules that valid events must also pass, checked against the catalog: engagement events
 * for a course that turned engagement tracking off are refused; a learner's own `lesson_complete`
 * on an item that requires a quiz is refused until they have passed it (the platform, sending on a
 * learner's behalf, is trusted to have checked). Returns the refused events by position.
 */
export async function coursePolicyRejections(
  db: Queryable,
  events: readonly LearningEvent[],
  learnerActing: boolean,
): Promise<Map<number, Rejection>> {
  const out = new Map<number, Rejection>();
  const engagement = events.flatMap((e, i) => (ENGAGEMENT_TYPES.has(e.type) ? [{ e, i }] : []));
  if (engagement.length > 0) {
    const courseIds = [...new Set(engagement.flatMap(({ e }) => (e.courseId ? [e.courseId] : [])))];
    const itemIds = [...new Set(engagement.flatMap(({ e }) => (e.itemId ? [e.itemId] : [])))];
    const off = await engagementDisabled(db, courseIds, itemIds);
    for (const { e, i } of engagement) {
      const course = e.courseId ?? '';
      if (off.courses.has(course) || (e.itemId !== undefined && off.items.has(e.itemId))) {
        out.set(i, {
          code: 'engagement_disabled',
          message: `${EVENT_REJECTION_CODES.engagement_disabled}: ${e.courseId ?? e.itemId}`,
        });
      }
    }
  }
  if (learnerActing) {
    const completions = events.flatMap((e, i) =>
      e.type === 'lesson_complete' && e.itemId ? [{ e, i }] : [],
    );
    if (completions.length > 0) {
      const closed = await quizGateClosed(
        db,
        completions.map(({ e }) => ({ userId: e.userId, itemId: e.itemId! })),
      );
      const quizOf = new Map(closed.map((r) => [`${r.user_id}\u0000${r.item_id}`, r.quiz_id]));
      for (const { e, i } of completions) {
        const quiz = quizOf.get(`${e.userId}\u0000${e.itemId}`);
        if (quiz !== undefined) {
          out.set(i, { code: 'quiz_required', message: `${EVENT_REJECTION_CODES.quiz_required}: ${quiz}` });
        }
      }
    }
  }
  return out;
}
