import { type LearningEvent, NATIVE_EVENT_TYPES, type StoredEvent } from '../domain/events/types.js';
import {
  type CourseProgress,
  foldCourseProgress,
  type ItemChange,
  isLearnerActivity,
  itemChange,
} from '../domain/progress/course-progress.js';
import {
  DEFAULT_COMPLETION_THRESHOLD,
  foldItemProgress,
  ITEM_PROGRESS_TYPES,
  type AttemptSummary,
  type ItemProgress,
  type VideoProgress,
} from '../domain/progress/item-progress.js';
import {
  candidatesFromLatest,
  latestAfterMerge,
  mergeSessions,
  type Session,
  sessionDiff,
  sessionWindow,
} from '../domain/progress/sessions.js';
import { localDay } from '../domain/time/local-day.js';
import {
  addDailyCompletions,
  addItemStats,
  type CompletionDelta,
  deleteUserProgress,
  lockCourseRows,
  lockItemRows,
  PROGRESS_TABLES,
  readSessions,
  replaceSessions,
  type SessionChange,
  writeCourseRows,
  writeItemRows,
} from '../store/progress/write.js';
import { readAttemptSummaries } from '../store/assessments/read.js';
import { readVideoProgress } from '../store/video/read.js';
import type { Projection } from './projection.js';
import { progressFeed, progressMilestones } from '../domain/feed/items.js';

const key = (a: string, b: string) => `${a}\u0000${b}`;
const byKey = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function groupBy<T>(items: readonly T[], keyOf: (t: T) => string | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    if (k === undefined) continue;
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** Per-item count changes summed by item, in item order (the order rows are locked in). */
function mergeByItem(deltas: readonly { itemId: string; started: number; completed: number }[]) {
  const byItem = new Map<string, { itemId: string; started: number; completed: number }>();
  for (const d of deltas) {
    const m = byItem.get(d.itemId) ?? { itemId: d.itemId, started: 0, completed: 0 };
    m.started += d.started;
    m.completed += d.completed;
    byItem.set(d.itemId, m);
  }
  return byKey(byItem).map(([, m]) => m);
}

/** The earliest occurredAt of a group (ISO strings in UTC compare as times). */
function earliest(events: readonly StoredEvent[]): string {
  let min = events[0]!.occurredAt;
  for (const e of events) if (e.occurredAt < min) min = e.occurredAt;
  return min;
}

/**
 * Item and course progress, learning sessions and completions per local day. Item status is
 * judged against the catalog's thresholds when the events are applied; a threshold change or an
 * item arriving in the catalog rebuilds the learners concerned (catalog/courses.ts), so the
 * rows always answer to the current catalog.
 */
export const progressProjection: Projection = {
  name: 'progress',
  version: 3,
  eventTypes: new Set(NATIVE_EVENT_TYPES.filter((t) => t !== 'certification_issued')),
  tables: PROGRESS_TABLES,
  async apply(tx, events, ctx) {
    const itemEvents = events.filter((e) => e.itemId !== undefined && ITEM_PROGRESS_TYPES.has(e.type));
    const courseOf = (e: StoredEvent) => ctx.courseOf(e);
    const dayOf = (e: LearningEvent) => localDay(e.occurredAt, ctx.timeZoneOf(e.userId));

    const courseGroups = groupBy(
      events.filter((e) => isLearnerActivity(e)),
      (e) => {
        const c = courseOf(e);
        return c === undefined ? undefined : key(e.userId, c);
      },
    );
    const itemGroups = groupBy(itemEvents, (e) => key(e.userId, e.itemId!));
    const courseKeys = byKey(courseGroups);
    const itemKeys = byKey(itemGroups);

    // Lock order: course rows, then item rows, both sorted; every writer follows it.
    const courseRows =
      courseKeys.length > 0
        ? await lockCourseRows(
            tx,
            courseKeys.map(([, evs]) => ({
              userId: evs[0]!.userId,
              courseId: courseOf(evs[0]!)!,
              at: earliest(evs),
            })),
          )
        : new Map<string, CourseProgress>();
    const itemRows =
      itemKeys.length > 0
        ? await lockItemRows(
            tx,
            itemKeys.map(([, evs]) => ({
              userId: evs[0]!.userId,
              itemId: evs[0]!.itemId!,
              at: earliest(evs),
            })),
          )
        : new Map<string, ItemProgress>();

    // Attempts are stored by the assessments projection, applied before this one.
    const submitted = itemKeys.filter(([, evs]) =>
      evs.some((e) => e.type === 'quiz_submit' || e.type === 'assignment_submit'),
    );
    const attempts =
      submitted.length > 0
        ? await readAttemptSummaries(
            tx,
            submitted.map(([, evs]) => ({ userId: evs[0]!.userId, itemId: evs[0]!.itemId! })),
          )
        : new Map<string, AttemptSummary>();
    const submittedKeys = new Set(submitted.map(([k]) => k));
    // Viewings are written by the video projection, applied before this one.
    const watched = itemKeys.filter(([, evs]) => evs.some((e) => e.type === 'video_heartbeat'));
    const videos =
      watched.length > 0
        ? await readVideoProgress(
            tx,
            watched.map(([, evs]) => ({ userId: evs[0]!.userId, itemId: evs[0]!.itemId! })),
          )
        : new Map<string, VideoProgress>();
    const changes = new Map<string, ItemChange[]>();
    const completions = new Map<string, CompletionDelta>();
    const addCompletion = (p: ItemProgress, at: number, sign: number, isVideo: boolean) => {
      const day = localDay(new Date(at), ctx.timeZoneOf(p.userId));
      const k = `${key(p.userId, p.courseId!)}\u0000${day}`;
      const d = completions.get(k) ?? { userId: p.userId, courseId: p.courseId!, day, items: 0, videos: 0 };
      d.items += sign;
      if (isVideo) d.videos += sign;
      completions.set(k, d);
    };
    const newItems: ItemProgress[] = [];
    const itemStats: { itemId: string; started: number; completed: number }[] = [];
    for (const [k, evs] of itemKeys) {
      const itemId = evs[0]!.itemId!;
      const catalog = ctx.item(itemId);
      const courseId = courseOf(evs[0]!) ?? null;
      const threshold =
        catalog?.threshold ??
        (courseId !== null ? ctx.courseThreshold(courseId) : DEFAULT_COMPLETION_THRESHOLD);
      const before = itemRows.get(k);
      const after = foldItemProgress(
        before,
        evs,
        { courseId, type: catalog?.type ?? null, threshold },
        attempts.get(k) ?? (submittedKeys.has(k) ? { passedAt: null, failed: 0 } : undefined),
        videos.get(k),
      );
      newItems.push(after);
      // Feed items change only with the milestones (a heartbeat that moves none adds nothing).
      if (progressMilestones(before) !== progressMilestones(after)) {
        const feed = progressFeed(after, catalog?.type ?? null);
        if (before || feed.items.length > 0) ctx.feed(feed);
      }
      const started = before ? 0 : 1;
      const completed = (after.completedAt !== null ? 1 : 0) - (before?.completedAt != null ? 1 : 0);
      if (started !== 0 || completed !== 0) itemStats.push({ itemId, started, completed });
      // Course totals count catalog items only; an item arriving later rebuilds its learners.
      if (!catalog) continue;
      const isVideo = catalog.type === 'video';
      const ck = key(after.userId, catalog.courseId);
      const list = changes.get(ck) ?? [];
      list.push(itemChange(before, after, isVideo));
      changes.set(ck, list);
      if (before?.completedAt !== after.completedAt) {
        if (before?.completedAt != null) addCompletion(after, before.completedAt, -1, isVideo);
        if (after.completedAt !== null) addCompletion(after, after.completedAt, 1, isVideo);
      }
    }

    // A batch that does not reach back before the learner's latest session merges with it alone.
    const times = new Map(courseKeys.map(([k, evs]) => [k, evs.map((e) => Date.parse(e.occurredAt))]));
    const latestOf = (p: CourseProgress): Session | null =>
      p.latestSessionStart === null ? null : { start: p.latestSessionStart, end: p.lastAt };
    const known = new Map(
      courseKeys.map(([k]) => [k, candidatesFromLatest(latestOf(courseRows.get(k)!), times.get(k)!)]),
    );
    const windows = courseKeys
      .filter(([k]) => known.get(k) === undefined)
      .map(([k, evs]) => {
        const w = sessionWindow(times.get(k)!);
        return {
          userId: evs[0]!.userId,
          courseId: courseOf(evs[0]!)!,
          from: new Date(w.from).toISOString(),
          to: new Date(w.to).toISOString(),
        };
      });
    const stored = windows.length > 0 ? await readSessions(tx, windows) : new Map<string, Session[]>();
    const sessionChanges: SessionChange[] = [];
    const newCourses: CourseProgress[] = [];
    for (const [k, evs] of courseKeys) {
      const row = courseRows.get(k)!;
      const existing = known.get(k) ?? stored.get(k) ?? [];
      const merged = mergeSessions(existing, times.get(k)!);
      const userId = evs[0]!.userId;
      const courseId = courseOf(evs[0]!)!;
      sessionChanges.push({ userId, courseId, ...sessionDiff(existing, merged) });
      newCourses.push(
        foldCourseProgress(
          row,
          evs,
          changes.get(k) ?? [],
          {
            delta: merged.length - existing.length,
            latestStart: latestAfterMerge(latestOf(row), merged)?.start ?? null,
          },
          dayOf,
        ),
      );
    }

    await writeItemRows(tx, newItems);
    await writeCourseRows(tx, newCourses);
    await replaceSessions(tx, sessionChanges);
    await addDailyCompletions(
      tx,
      [...completions.values()].filter((d) => d.items !== 0 || d.videos !== 0),
    );
    await addItemStats(tx, mergeByItem(itemStats));
  },
  resetUser: deleteUserProgress,
};
