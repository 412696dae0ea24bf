import type { LearningEvent } from '../events/types.js';

export const ASSESSMENT_TYPES = ['quiz_submit', 'assignment_submit'] as const;

export interface Attempt {
  userId: string;
  itemId: string;
  attemptId: string;
  courseId: string | null;
  kind: 'quiz' | 'assignment';
  eventId: string;
  submittedAt: string;
  score: number;
  maxScore: number;
  /** As the platform reported it; `null` when it did not say (neither a pass nor a failure). */
  passed: boolean | null;
  timeSpentSec: number | null;
}

const earlier = (a: Attempt, b: Attempt) =>
  a.submittedAt < b.submittedAt || (a.submittedAt === b.submittedAt && a.eventId < b.eventId);

/**
 * One attempt per (learner, assessment, attemptId) from submission events: a resubmission of the
 * same attempt keeps the earliest (then the smallest event id), as the store does across batches.
 * Sorted by key.
 */
export function attemptsOf(
  events: readonly LearningEvent[],
  courseOf: (e: LearningEvent) => string | undefined,
): Attempt[] {
  const byKey = new Map<string, Attempt>();
  for (const e of events) {
    if (e.type !== 'quiz_submit' && e.type !== 'assignment_submit') continue;
    const d = e.data as {
      attemptId: string;
      score: number;
      maxScore: number;
      passed?: boolean;
      timeSpentSec?: number;
    };
    const a: Attempt = {
      userId: e.userId,
      itemId: e.itemId!,
      attemptId: d.attemptId,
      courseId: courseOf(e) ?? null,
      kind: e.type === 'quiz_submit' ? 'quiz' : 'assignment',
      eventId: e.id,
      submittedAt: e.occurredAt,
      score: d.score,
      maxScore: d.maxScore,
      passed: d.passed ?? null,
      timeSpentSec: d.timeSpentSec ?? null,
    };
    const key = `${a.userId}\u0000${a.itemId}\u0000${a.attemptId}`;
    const prev = byKey.get(key);
    if (!prev || earlier(a, prev)) byKey.set(key, a);
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, a]) => a);
}

/** Score as a percent of the maximum. */
export const scorePercent = (a: { score: number; maxScore: number }): number => (a.score / a.maxScore) * 100;
