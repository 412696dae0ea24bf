import { isPlatform, type Principal } from '../auth/principal.js';
import { feedSentence } from '../domain/feed/sentence.js';
import {
  type FeedFilter,
  type FeedRow,
  type FeedScope,
  LEARNER_HIDDEN,
  listFeed,
  teachingScope,
} from '../store/feed/read.js';
import type { Queryable } from '../store/db.js';

/** Item types about progress on an item: they show the learner's progress there now. */
const PROGRESS_TYPES = new Set(['lesson_completed', 'video_completed', 'progress_update']);

/** A feed item as the API and the stream tell it. */
export function feedEntry(r: FeedRow) {
  const learner = r.user_name ?? r.user_id;
  const progressPct = PROGRESS_TYPES.has(r.type) ? r.progress_pct : null;
  return {
    id: r.id,
    seq: Number(r.seq),
    type: r.type,
    occurredAt: r.occurred_at.toISOString(),
    learner: { id: r.user_id, name: r.user_name },
    course: r.course_id === null ? null : { id: r.course_id, title: r.course_title },
    item: r.item_id === null ? null : { id: r.item_id, title: r.item_title, type: r.item_type },
    session: r.session_id === null ? null : { id: r.session_id, title: r.session_title },
    progressPct,
    data: r.data,
    sentence: feedSentence({
      type: r.type,
      learner,
      course: r.course_id === null ? null : (r.course_title ?? r.course_id),
      item: r.item_id === null ? null : (r.item_title ?? r.item_id),
      session: r.session_id === null ? null : (r.session_title ?? r.session_id),
      progressPct,
      data: r.data,
    }),
  };
}
export type FeedEntry = ReturnType<typeof feedEntry>;

/** What a caller may see of the feed (SPEC §4): the platform all, users their own and what they teach or run. */
export async function feedScope(db: Queryable, principal: Principal): Promise<FeedScope> {
  if (isPlatform(principal) || principal.kind !== 'user') return { all: true };
  return { all: false, userId: principal.userId, ...(await teachingScope(db, principal.userId)) };
}

/** Whether a scope and filter admit an item (the stream's in-memory form of the SQL conditions). */
export function admits(scope: FeedScope, filter: FeedFilter, e: FeedEntry): boolean {
  const courseId = e.course?.id ?? null;
  if (!scope.all) {
    const own = e.learner.id === scope.userId && e.type !== LEARNER_HIDDEN;
    const taught = courseId !== null && scope.courses.includes(courseId);
    const run = e.session !== null && scope.sessions.includes(e.session.id);
    if (!own && !taught && !run) return false;
  }
  if (filter.courseId !== undefined && courseId !== filter.courseId) return false;
  if (filter.userId !== undefined && e.learner.id !== filter.userId) return false;
  if (filter.types && filter.types.length > 0 && !filter.types.includes(e.type)) return false;
  if (filter.since !== undefined && e.occurredAt < new Date(filter.since).toISOString()) return false;
  if (filter.until !== undefined && e.occurredAt >= new Date(filter.until).toISOString()) return false;
  return true;
}

export async function readFeed(
  db: Queryable,
  scope: FeedScope,
  filter: FeedFilter,
  limit: number,
  cursor?: string,
) {
  const page = await listFeed(db, scope, filter, limit, cursor);
  return { items: page.rows.map(feedEntry), nextCursor: page.nextCursor };
}
