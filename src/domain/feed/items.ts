import { createHash } from 'node:crypto';
import type { Attendee } from '../live/attendee.js';
import type { ItemProgress } from '../progress/item-progress.js';
import type { RiskLevel, RiskReason } from '../engagement/at-risk.js';

/** The feed's item types (SPEC §3). */
export const FEED_TYPES = [
  'lesson_completed',
  'video_completed',
  'exam_attempt',
  'certification_issued',
  'progress_update',
  'live_session_attended',
  'at_risk_changed',
] as const;
export type FeedType = (typeof FEED_TYPES)[number];

/** A milestone, as the projections' states say it happened. Times are epoch milliseconds. */
export interface FeedItem {
  /** A hash of the milestone's identity: the same milestone always has the same id. */
  id: string;
  type: FeedType;
  occurredAt: number;
  userId: string;
  courseId: string | null;
  itemId: string | null;
  sessionId: string | null;
  /** Type-specific facts (attempt number, score, certificate id…); names are added when read. */
  data: Record<string, unknown>;
}

/**
 * Every item one piece of state now implies: the feed rows of `source` are replaced by these
 * (unchanged ones kept as they are). `producer` is the projection that owns the state.
 */
export interface FeedSource {
  source: string;
  producer: string;
  items: FeedItem[];
}

/** A short, fixed-length id for a tuple of host ids (which may hold any characters). */
const hashId = (parts: readonly (string | number)[]): string =>
  createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 24);

/** Item types whose completion is told by their attempts (`exam_attempt`), not a completion item. */
const ASSESSMENT_ITEM_TYPES = new Set(['quiz', 'assignment']);

/**
 * A learner's item milestones: reaching half of it (`progress_update`, only when that came
 * before completing it) and completing it (`video_completed` for videos, `lesson_completed` for
 * other items). Assessments have their attempts instead. Whatever number of events led there,
 * there are at most these two.
 */
export function progressFeed(p: ItemProgress, itemType: string | null): FeedSource {
  const base = { userId: p.userId, courseId: p.courseId, itemId: p.itemId, sessionId: null };
  const items: FeedItem[] = [];
  if (!ASSESSMENT_ITEM_TYPES.has(itemType ?? '')) {
    if (p.halfAt !== null && (p.completedAt === null || p.halfAt < p.completedAt)) {
      items.push({
        ...base,
        id: hashId(['progress_update', p.userId, p.itemId, 50]),
        type: 'progress_update',
        occurredAt: p.halfAt,
        data: { milestonePct: 50 },
      });
    }
    if (p.completedAt !== null) {
      const type = itemType === 'video' ? 'video_completed' : 'lesson_completed';
      items.push({
        ...base,
        id: hashId([type, p.userId, p.itemId]),
        type,
        occurredAt: p.completedAt,
        data: { how: p.completedHow },
      });
    }
  }
  return { source: hashId(['progress', p.userId, p.itemId]), producer: 'progress', items };
}

/** The facts of a learner's item that its feed items depend on: unchanged facts, unchanged items. */
export const progressMilestones = (p: ItemProgress | undefined) =>
  p === undefined ? '' : `${p.halfAt}|${p.completedAt}|${p.completedHow}|${p.courseId}`;

export interface StoredAttempt {
  attemptId: string;
  submittedAt: number;
  courseId: string | null;
  kind: string;
  score: number;
  maxScore: number;
  passed: boolean | null;
}

/** A learner's attempts on an assessment, numbered in submission order (then attempt id), as everywhere. */
export function attemptFeed(userId: string, itemId: string, attempts: readonly StoredAttempt[]): FeedSource {
  const ordered = [...attempts].sort(
    (a, b) =>
      a.submittedAt - b.submittedAt || (a.attemptId < b.attemptId ? -1 : a.attemptId > b.attemptId ? 1 : 0),
  );
  return {
    source: hashId(['attempts', userId, itemId]),
    producer: 'assessments',
    items: ordered.map((a, i) => ({
      id: hashId(['exam_attempt', userId, itemId, a.attemptId]),
      type: 'exam_attempt',
      occurredAt: a.submittedAt,
      userId,
      courseId: a.courseId,
      itemId,
      sessionId: null,
      data: {
        attemptId: a.attemptId,
        attemptNumber: i + 1,
        kind: a.kind,
        score: a.score,
        maxScore: a.maxScore,
        passed: a.passed,
      },
    })),
  };
}

export function certificateFeed(c: {
  userId: string;
  certificateId: string;
  courseId: string | null;
  issuedAt: number;
}): FeedSource {
  return {
    source: hashId(['certificate', c.userId, c.certificateId]),
    producer: 'assessments',
    items: [
      {
        id: hashId(['certification_issued', c.userId, c.certificateId]),
        type: 'certification_issued',
        occurredAt: c.issuedAt,
        userId: c.userId,
        courseId: c.courseId,
        itemId: null,
        sessionId: null,
        data: { certificateId: c.certificateId },
      },
    ],
  };
}

/** A learner's attendance of a live session: one item, at their first join. */
export function attendanceFeed(a: Attendee, courseId: string | null): FeedSource {
  return {
    source: hashId(['live', a.sessionId, a.userId]),
    producer: 'live',
    items:
      a.firstJoinAt === null
        ? []
        : [
            {
              id: hashId(['live_session_attended', a.sessionId, a.userId]),
              type: 'live_session_attended',
              occurredAt: a.firstJoinAt,
              userId: a.userId,
              courseId,
              itemId: null,
              sessionId: a.sessionId,
              data: {},
            },
          ],
  };
}

/** Items that may go to the notification webhook: completions, certificates, passed exams, risk changes. */
export const isMilestone = (type: string, data: Record<string, unknown>): boolean =>
  type === 'at_risk_changed' ||
  type === 'lesson_completed' ||
  type === 'video_completed' ||
  type === 'certification_issued' ||
  (type === 'exam_attempt' && data.passed === true);

/** A learner's at-risk level in a course as last announced, and as a check finds it now. */
export interface RiskState {
  userId: string;
  level: RiskLevel;
  /** The rules that hold, sorted: a change of reasons at the same level is a change too. */
  codes: string[];
}

/**
 * The learners whose at-risk level or reasons differ from what was last announced (no stored
 * state means not at risk). Learners no longer in the course are not announced: their stored
 * state is simply dropped by the caller.
 */
export function riskChanges(
  announced: ReadonlyMap<string, RiskState>,
  now: readonly (RiskState & { reasons: RiskReason[] })[],
): { before: RiskState; after: RiskState & { reasons: RiskReason[] } }[] {
  const out: { before: RiskState; after: RiskState & { reasons: RiskReason[] } }[] = [];
  for (const after of now) {
    const before = announced.get(after.userId) ?? { userId: after.userId, level: 'none', codes: [] };
    if (before.level !== after.level || before.codes.join() !== after.codes.join())
      out.push({ before, after });
  }
  return out;
}

/** One at-risk change: an item of its own (changes are history, not a state to reconcile). */
export function riskChangeFeed(
  courseId: string,
  at: number,
  change: ReturnType<typeof riskChanges>[number],
): FeedSource {
  const { before, after } = change;
  return {
    source: hashId(['at_risk', courseId, after.userId, at]),
    producer: 'at_risk',
    items: [
      {
        id: hashId(['at_risk_changed', courseId, after.userId, at]),
        type: 'at_risk_changed',
        occurredAt: at,
        userId: after.userId,
        courseId,
        itemId: null,
        sessionId: null,
        data: { level: after.level, previousLevel: before.level, reasons: after.reasons },
      },
    ],
  };
}
