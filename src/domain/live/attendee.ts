import type { LearningEvent } from '../events/types.js';
import { isQuestion } from './feedback.js';
import { type Mark, sortMarks } from './attendance.js';

/** One learner in one live session: their joins and leaves, chat, reactions and feedback. */
export interface Attendee {
  sessionId: string;
  userId: string;
  marks: Mark[];
  firstJoinAt: number | null;
  /** Their latest join, leave, chat message or reaction (feedback often comes after leaving). */
  lastActivityAt: number | null;
  chatMessages: number;
  questions: number;
  /** Reactions by kind (a Map: kinds are user text, "__proto__" included). */
  reactions: Map<string, number>;
  /** The latest feedback (by time, then event id). */
  rating: number | null;
  comment: string | null;
  feedbackAt: number | null;
  feedbackEvent: string | null;
}

export const LIVE_EVENT_TYPES = new Set([
  'live_join',
  'live_leave',
  'live_chat',
  'live_reaction',
  'live_feedback',
]);

const later = (t: number, id: string, thanT: number | null, thanId: string | null) =>
  thanT === null || t > thanT || (t === thanT && id > (thanId ?? ''));

/**
 * Folds a learner's live events of one session into their state. Marks are a set kept sorted,
 * counts are sums, times minima and maxima, feedback the latest: any order and any batching of
 * the same events give the same state.
 * @example foldAttendee(undefined, [join, chat, leave])
 */
export function foldAttendee(prev: Attendee | undefined, events: readonly LearningEvent[]): Attendee {
  const first = events[0];
  if (!prev && !first) throw new Error('foldAttendee needs a previous state or an event');
  const a: Attendee = prev
    ? { ...prev, marks: [...prev.marks], reactions: new Map(prev.reactions) }
    : {
        sessionId: first!.liveSessionId!,
        userId: first!.userId,
        marks: [],
        firstJoinAt: null,
        lastActivityAt: null,
        chatMessages: 0,
        questions: 0,
        reactions: new Map(),
        rating: null,
        comment: null,
        feedbackAt: null,
        feedbackEvent: null,
      };
  for (const e of events) {
    const at = Date.parse(e.occurredAt);
    if (e.type !== 'live_feedback') a.lastActivityAt = Math.max(a.lastActivityAt ?? at, at);
    const data = (e.data ?? {}) as Record<string, unknown>;
    switch (e.type) {
      case 'live_join':
      case 'live_leave':
        a.marks.push({
          at,
          kind: e.type === 'live_join' ? 'join' : 'leave',
          connection: (data.connectionId as string | undefined) ?? '',
        });
        if (e.type === 'live_join') a.firstJoinAt = a.firstJoinAt === null ? at : Math.min(a.firstJoinAt, at);
        break;
      case 'live_chat':
        a.chatMessages++;
        if (isQuestion(data as { text?: string; isQuestion?: boolean })) a.questions++;
        break;
      case 'live_reaction': {
        const kind = data.kind as string;
        a.reactions.set(kind, (a.reactions.get(kind) ?? 0) + 1);
        break;
      }
      case 'live_feedback':
        if (later(at, e.id, a.feedbackAt, a.feedbackEvent)) {
          a.rating = data.rating as number;
          a.comment = (data.comment as string | undefined) ?? null;
          a.feedbackAt = at;
          a.feedbackEvent = e.id;
        }
        break;
    }
  }
  a.marks = sortMarks(a.marks);
  return a;
}
