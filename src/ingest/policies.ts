import type { LearningEvent } from '../domain/events/types.js';
import type { Rejection } from '../domain/events/validate.js';
import { EVENT_REJECTION_CODES } from '../errors/codes.js';
import { engagementDisabled, quizGateClosed } from '../store/catalog/policies.js';
import type { Queryable } from '../store/db.js';

/** Engagement events: what a course that turned engagement tracking off does not want stored. */
export const ENGAGEMENT_TYPES = new Set(['heartbeat', 'scroll_depth', 'course_visit']);

/**
 * Engagement events of courses that turned engagement tracking off (by the course they name or
 * their item's course), refused by event id. Runs inside the commit transaction, once per batch,
 * so a setting changed by any process applies to every batch committed after it.
 */
export async function engagementRejections(
  tx: Queryable,
  events: readonly LearningEvent[],
): Promise<Map<string, Rejection>> {
  const out = new Map<string, Rejection>();
  const engagement = events.filter((e) => ENGAGEMENT_TYPES.has(e.type));
  if (engagement.length === 0) return out;
  const courseIds = [...new Set(engagement.flatMap((e) => (e.courseId ? [e.courseId] : [])))];
  const itemIds = [...new Set(engagement.flatMap((e) => (e.itemId ? [e.itemId] : [])))];
  const off = await engagementDisabled(tx, courseIds, itemIds);
  if (off.courses.size === 0 && off.items.size === 0) return out;
  for (const e of engagement) {
    if (off.courses.has(e.courseId ?? '') || (e.itemId !== undefined && off.items.has(e.itemId))) {
      out.set(e.id, {
        code: 'engagement_disabled',
        message: `${EVENT_REJECTION_CODES.engagement_disabled}: ${e.courseId ?? e.itemId}`,
      });
    }
  }
  return out;
}

/**
 * A learner's own `lesson_complete` on an item that requires a quiz is refused until they have
 * passed it (the platform, sending on a learner's behalf, is trusted to have checked). Returns the
 * refused events by position.
 */
export async function quizGateRejections(
  db: Queryable,
  events: readonly LearningEvent[],
): Promise<Map<number, Rejection>> {
  const out = new Map<number, Rejection>();
  const completions = events.flatMap((e, i) => (e.type === 'lesson_complete' && e.itemId ? [{ e, i }] : []));
  if (completions.length === 0) return out;
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
  return out;
}
