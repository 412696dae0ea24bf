import { DEFAULT_COURSE_SETTINGS } from '../catalog/schemas.js';
import { DEFAULT_HEARTBEAT_SEC } from './heartbeat.js';
import { ALLOWANCE_TOLERANCE_SEC, FIRST_HEARTBEAT_ALLOWANCE_SEC, HALF_PCT } from '../video/viewing.js';
import type { LearningEvent } from '../events/types.js';

export type CompletedHow = 'threshold' | 'passed' | 'manual';

/** A learner's progress on one item. Times are epoch milliseconds. */
export interface ItemProgress {
  userId: string;
  itemId: string;
  courseId: string | null;
  /** The progress percent: the higher of the reported and the video engine's. */
  progressPct: number;
  startedAt: number;
  lastAt: number;
  /** When progress first reached the completion threshold in force: the earlier of the two sources. */
  reachedAt: number | null;
  /** The highest percent the platform or player reported (`lesson_progress`). */
  reportedPct: number;
  reportedReachedAt: number | null;
  /** Unique seconds watched / duration, from the video engine (null: no heartbeats). */
  videoPct: number | null;
  videoReachedAt: number | null;
  /** When progress first reached half the item (the feed's milestone): the earlier of the two sources. */
  halfAt: number | null;
  reportedHalfAt: number | null;
  videoHalfAt: number | null;
  /** The first passing assessment attempt (of the attempts as stored: a resent one counts once). */
  passedAt: number | null;
  /** Failed attempts on the item (distinct attempt ids). */
  failedAttempts: number;
  /** The first manual completion (`lesson_complete`). */
  manualAt: number | null;
  completedAt: number | null;
  completedHow: CompletedHow | null;
  /** Where to resume: the position of the latest event that carries one. */
  resumeSec: number | null;
  resumeAt: number | null;
  resumeEvent: string | null;
  timeSpentMs: number;
  maxScroll: number | null;
}

/**
 * A learner's attempts on an assessment item as stored (one per attempt id, the earliest copy):
 * a resent attempt must not pass an item its first copy failed, so passes come from the stored
 * attempts, not from the events of a batch.
 */
export interface AttemptSummary {
  passedAt: number | null;
  failed: number;
}

/** What the catalog says about an item when the events are applied. */
export interface ItemFacts {
  courseId: string | null;
  type: string | null;
  /** The effective completion threshold: the item's, else its course's, else 90. */
  threshold: number;
}

/** The course default's (SPEC §1): an item without a threshold of its own, in a course without one. */
export const DEFAULT_COMPLETION_THRESHOLD = DEFAULT_COURSE_SETTINGS.completionThreshold;

/** Event types that update item progress (each must carry an `itemId`). */
export const ITEM_PROGRESS_TYPES = new Set([
  'lesson_start',
  'lesson_progress',
  'lesson_complete',
  'video_heartbeat',
  'quiz_submit',
  'assignment_submit',
  'heartbeat',
  'scroll_depth',
]);

/** The earlier of two optional instants (epoch ms). */
export const minOf = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.min(a, b);

/** What the video engine measured of a learner's viewing of the item. */
export interface VideoProgress {
  watchedPct: number;
  completedAt: number | null;
  halfAt: number | null;
}

/**
 * Seconds of video a heartbeat played, for time on task: its segments within the video, rewatches
 * included, at most what a session's first heartbeat may claim (the video engine's rule, judged
 * on the heartbeat alone so that time on task stays a per-event sum). Position-only heartbeats
 * add nothing here; the video engine still counts what they played.
 */
export function playedMs(e: LearningEvent): number {
  if (e.type !== 'video_heartbeat') return 0;
  const d = e.data as { durationSec: number; segments?: [number, number][]; playbackRate?: number };
  let sec = 0;
  for (const [start, end] of d.segments ?? []) sec += Math.max(0, Math.min(end, d.durationSec) - start);
  const cap = (d.playbackRate ?? 1) * FIRST_HEARTBEAT_ALLOWANCE_SEC + ALLOWANCE_TOLERANCE_SEC;
  return Math.round(Math.min(sec, cap) * 1000);
}

/** Active time a `heartbeat` reports, in whole milliseconds. */
export function heartbeatMs(e: LearningEvent): number {
  if (e.type !== 'heartbeat') return 0;
  const sec = typeof e.data?.activeSec === 'number' ? e.data.activeSec : DEFAULT_HEARTBEAT_SEC;
  return Math.round(sec * 1000);
}

/** The percent a `lesson_progress` reports. Video heartbeats count through the video engine only. */
const reportedPercentOf = (e: LearningEvent): number | undefined =>
  e.type === 'lesson_progress' ? e.value : undefined;

function resumePositionOf(e: LearningEvent): number | undefined {
  if (e.type !== 'lesson_progress' && e.type !== 'video_heartbeat') return undefined;
  const pos = e.data?.positionSec;
  return typeof pos === 'number' ? pos : undefined;
}

/** Later (time, then event id) wins, so the resume position is the same in any arrival order. */
const isLater = (t: number, id: string, thanT: number | null, thanId: string | null): boolean =>
  thanT === null || t > thanT || (t === thanT && id > (thanId ?? ''));

/**
 * Folds one learner's events on one item into their progress. Every field is a minimum, a
 * maximum, a sum of integers or a latest-by-(time, id), so any order and any batching of the
 * same events give the same result; `attempts`, when the batch has submissions, replaces what is
 * known of passes and failures, and `video`, when the item has heartbeats, replaces what the
 * video engine measured (it re-reads a learner's history when heartbeats arrive late, so its
 * figures are exact, not maxima). Reported progress never goes down: a late `lesson_progress`
 * with a lower value cannot un-complete an item.
 * @example foldItemProgress(undefined, events, { courseId: 'c1', type: 'lesson', threshold: 90 })
 */
export function foldItemProgress(
  prev: ItemProgress | undefined,
  events: readonly LearningEvent[],
  facts: ItemFacts,
  attempts?: AttemptSummary,
  video?: VideoProgress,
): ItemProgress {
  const first = events[0];
  if (!prev && !first) throw new Error('foldItemProgress needs a previous state or an event');
  const p: ItemProgress = prev
    ? { ...prev, courseId: facts.courseId ?? prev.courseId }
    : {
        userId: first!.userId,
        itemId: first!.itemId!,
        courseId: facts.courseId,
        progressPct: 0,
        startedAt: Date.parse(first!.occurredAt),
        lastAt: Date.parse(first!.occurredAt),
        reachedAt: null,
        reportedPct: 0,
        reportedReachedAt: null,
        videoPct: null,
        videoReachedAt: null,
        halfAt: null,
        reportedHalfAt: null,
        videoHalfAt: null,
        passedAt: null,
        failedAttempts: 0,
        manualAt: null,
        completedAt: null,
        completedHow: null,
        resumeSec: null,
        resumeAt: null,
        resumeEvent: null,
        timeSpentMs: 0,
        maxScroll: null,
      };
  for (const e of events) {
    const t = Date.parse(e.occurredAt);
    p.startedAt = Math.min(p.startedAt, t);
    p.lastAt = Math.max(p.lastAt, t);
    const pct = reportedPercentOf(e);
    if (pct !== undefined) {
      p.reportedPct = Math.max(p.reportedPct, pct);
      if (pct >= facts.threshold) p.reportedReachedAt = minOf(p.reportedReachedAt, t);
      if (pct >= HALF_PCT) p.reportedHalfAt = minOf(p.reportedHalfAt, t);
    }
    if (e.type === 'lesson_complete') p.manualAt = minOf(p.manualAt, t);
    if (e.type === 'scroll_depth' && e.value !== undefined) p.maxScroll = Math.max(p.maxScroll ?? 0, e.value);
    p.timeSpentMs += heartbeatMs(e) + playedMs(e);
    const pos = resumePositionOf(e);
    if (pos !== undefined && isLater(t, e.id, p.resumeAt, p.resumeEvent)) {
      p.resumeSec = pos;
      p.resumeAt = t;
      p.resumeEvent = e.id;
    }
  }
  if (attempts) {
    p.passedAt = attempts.passedAt;
    p.failedAttempts = attempts.failed;
  }
  if (video) {
    p.videoPct = video.watchedPct;
    p.videoReachedAt = video.completedAt;
    p.videoHalfAt = video.halfAt;
  }
  p.halfAt = minOf(p.reportedHalfAt, p.videoHalfAt);
  p.progressPct = Math.max(p.reportedPct, p.videoPct ?? 0);
  p.reachedAt = minOf(p.reportedReachedAt, p.videoReachedAt);
  // Ties go to the automatic ways first: a threshold reached at the instant of a click is "threshold".
  const ways: [CompletedHow, number | null][] = [
    ['threshold', p.reachedAt],
    ['passed', p.passedAt],
    ['manual', p.manualAt],
  ];
  p.completedAt = null;
  p.completedHow = null;
  for (const [how, at] of ways) {
    if (at !== null && (p.completedAt === null || at < p.completedAt)) {
      p.completedAt = at;
      p.completedHow = how;
    }
  }
  return p;
}
