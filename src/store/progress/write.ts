import type { CourseProgress } from '../../domain/progress/course-progress.js';
import { type CompletedHow, type ItemProgress, minOf } from '../../domain/progress/item-progress.js';
import { emptyRecent, type RecentDays } from '../../domain/progress/recent-days.js';
import type { Session } from '../../domain/progress/sessions.js';
import type { Queryable, Row } from '../db.js';

/**
 * The progress projection's rows are read, changed in JavaScript and written back, so each
 * transaction first makes sure its rows exist and then locks them (in key order, so concurrent
 * writers cannot deadlock): another process's changes to the same learner wait for this commit
 * instead of being overwritten.
 */

const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());
const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

interface ItemRow extends Row {
  user_id: string;
  item_id: string;
  course_id: string | null;
  progress_pct: number;
  started_at: Date;
  last_at: Date;
  reached_at: Date | null;
  reported_pct: number;
  reported_reached_at: Date | null;
  video_pct: number | null;
  video_reached_at: Date | null;
  reported_half_at: Date | null;
  video_half_at: Date | null;
  passed_at: Date | null;
  failed_attempts: number;
  manual_at: Date | null;
  completed_at: Date | null;
  completed_how: CompletedHow | null;
  resume_sec: number | null;
  resume_at: Date | null;
  resume_event: string | null;
  time_spent_ms: number;
  max_scroll: number | null;
}

export const toItemProgress = (r: ItemRow): ItemProgress => ({
  userId: r.user_id,
  itemId: r.item_id,
  courseId: r.course_id,
  progressPct: r.progress_pct,
  startedAt: r.started_at.getTime(),
  lastAt: r.last_at.getTime(),
  reachedAt: ms(r.reached_at),
  reportedPct: r.reported_pct,
  reportedReachedAt: ms(r.reported_reached_at),
  videoPct: r.video_pct,
  videoReachedAt: ms(r.video_reached_at),
  // Not stored: the earlier of its two sources, as foldItemProgress makes it.
  halfAt: minOf(ms(r.reported_half_at), ms(r.video_half_at)),
  reportedHalfAt: ms(r.reported_half_at),
  videoHalfAt: ms(r.video_half_at),
  passedAt: ms(r.passed_at),
  failedAttempts: r.failed_attempts,
  manualAt: ms(r.manual_at),
  completedAt: ms(r.completed_at),
  completedHow: r.completed_how,
  resumeSec: r.resume_sec,
  resumeAt: ms(r.resume_at),
  resumeEvent: r.resume_event,
  timeSpentMs: r.time_spent_ms,
  maxScroll: r.max_scroll,
});

/**
 * Locks the (learner, item) rows, creating missing ones, and returns the previous state of those
 * that existed before. Keys must be sorted.
 */
export async function lockItemRows(
  tx: Queryable,
  keys: readonly { userId: string; itemId: string; at: string }[],
): Promise<Map<string, ItemProgress>> {
  const lock = (subset: readonly { userId: string; itemId: string }[]) =>
    tx.query<ItemRow>(
      `SELECT p.* FROM item_progress p
       JOIN jsonb_to_recordset($1::text::jsonb) AS k("userId" text, "itemId" text)
         ON p.user_id = k."userId" AND p.item_id = k."itemId"
       ORDER BY p.user_id, p.item_id FOR UPDATE OF p`,
      [JSON.stringify(subset)],
    );
  // As for course rows: lock the existing ones, then create and lock the rest.
  const out = new Map<string, ItemProgress>();
  for (const r of await lock(keys)) out.set(`${r.user_id}\u0000${r.item_id}`, toItemProgress(r));
  const missing = keys.filter((k) => !out.has(`${k.userId}\u0000${k.itemId}`));
  if (missing.length > 0) {
    const created = await tx.query<{ user_id: string; item_id: string }>(
      `INSERT INTO item_progress (user_id, item_id, started_at, last_at)
       SELECT "userId", "itemId", at, at FROM jsonb_to_recordset($1::text::jsonb) AS k("userId" text, "itemId" text, at timestamptz)
       ON CONFLICT DO NOTHING RETURNING user_id, item_id`,
      [JSON.stringify(missing)],
    );
    const fresh = new Set(created.map((r) => `${r.user_id}\u0000${r.item_id}`));
    // Rows another transaction created meanwhile are previous states; this one's own are not.
    for (const r of await lock(missing)) {
      const key = `${r.user_id}\u0000${r.item_id}`;
      if (!fresh.has(key)) out.set(key, toItemProgress(r));
    }
  }
  return out;
}

export async function writeItemRows(tx: Queryable, rows: readonly ItemProgress[]): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(
    rows.map((p) => ({
      ...p,
      startedAt: iso(p.startedAt),
      lastAt: iso(p.lastAt),
      reachedAt: iso(p.reachedAt),
      reportedReachedAt: iso(p.reportedReachedAt),
      videoReachedAt: iso(p.videoReachedAt),
      reportedHalfAt: iso(p.reportedHalfAt),
      videoHalfAt: iso(p.videoHalfAt),
      passedAt: iso(p.passedAt),
      manualAt: iso(p.manualAt),
      completedAt: iso(p.completedAt),
      resumeAt: iso(p.resumeAt),
    })),
  );
  await tx.query(
    `UPDATE item_progress p SET course_id = x."courseId", progress_pct = x."progressPct",
       started_at = x."startedAt", last_at = x."lastAt", reached_at = x."reachedAt", passed_at = x."passedAt",
       reported_pct = x."reportedPct", reported_reached_at = x."reportedReachedAt", video_pct = x."videoPct",
       video_reached_at = x."videoReachedAt", reported_half_at = x."reportedHalfAt",
       video_half_at = x."videoHalfAt",
       failed_attempts = x."failedAttempts",
       manual_at = x."manualAt", completed_at = x."completedAt", completed_how = x."completedHow",
       resume_sec = x."resumeSec", resume_at = x."resumeAt", resume_event = x."resumeEvent",
       time_spent_ms = x."timeSpentMs", max_scroll = x."maxScroll"
     FROM jsonb_to_recordset($1::text::jsonb) AS x("userId" text, "itemId" text, "courseId" text,
       "progressPct" double precision, "startedAt" timestamptz, "lastAt" timestamptz, "reachedAt" timestamptz,
       "reportedPct" double precision, "reportedReachedAt" timestamptz, "videoPct" double precision,
       "videoReachedAt" timestamptz, "reportedHalfAt" timestamptz, "videoHalfAt" timestamptz,
       "passedAt" timestamptz, "failedAttempts" integer, "manualAt" timestamptz, "completedAt" timestamptz, "completedHow" text,
       "resumeSec" double precision, "resumeAt" timestamptz, "resumeEvent" uuid, "timeSpentMs" bigint,
       "maxScroll" double precision)
     WHERE p.user_id = x."userId" AND p.item_id = x."itemId"`,
    [json],
  );
}

interface CourseRow extends Row {
  user_id: string;
  course_id: string;
  items_completed: number;
  time_spent_ms: number;
  first_at: Date;
  last_at: Date;
  sessions: number;
  latest_session_start: Date | null;
  videos_started: number;
  video_pct_sum: number;
  scroll_items: number;
  scroll_pct_sum: number;
  recent: RecentDays | null;
}

const toCourseProgress = (r: CourseRow): CourseProgress => ({
  userId: r.user_id,
  courseId: r.course_id,
  itemsCompleted: r.items_completed,
  timeSpentMs: r.time_spent_ms,
  firstAt: r.first_at.getTime(),
  lastAt: r.last_at.getTime(),
  sessions: r.sessions,
  latestSessionStart: ms(r.latest_session_start),
  videosStarted: r.videos_started,
  videoPctSum: r.video_pct_sum,
  scrollItems: r.scroll_items,
  scrollPctSum: r.scroll_pct_sum,
  recent: r.recent ?? emptyRecent(),
});

/**
 * Locks the (learner, course) rows, creating missing ones with `at` as first and last activity
 * (a new row's own events then set both exactly). Keys must be sorted. The lock also guards the
 * learner's sessions in that course.
 */
export async function lockCourseRows(
  tx: Queryable,
  keys: readonly { userId: string; courseId: string; at: string }[],
): Promise<Map<string, CourseProgress>> {
  const lock = async (subset: readonly { userId: string; courseId: string }[]) =>
    tx.query<CourseRow>(
      `SELECT p.* FROM course_progress p
       JOIN jsonb_to_recordset($1::text::jsonb) AS k("userId" text, "courseId" text)
         ON p.user_id = k."userId" AND p.course_id = k."courseId"
       ORDER BY p.user_id, p.course_id FOR UPDATE OF p`,
      [JSON.stringify(subset)],
    );
  // Most rows exist already: lock those, then create and lock the rest (creating first would
  // cost an index probe per key on every batch).
  const rows = await lock(keys);
  const found = new Set(rows.map((r) => `${r.user_id}\u0000${r.course_id}`));
  const missing = keys.filter((k) => !found.has(`${k.userId}\u0000${k.courseId}`));
  if (missing.length > 0) {
    await tx.query(
      `INSERT INTO course_progress (user_id, course_id, first_at, last_at)
       SELECT "userId", "courseId", at, at FROM jsonb_to_recordset($1::text::jsonb) AS k("userId" text, "courseId" text, at timestamptz)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(missing)],
    );
    rows.push(...(await lock(missing)));
  }
  return new Map(rows.map((r) => [`${r.user_id}\u0000${r.course_id}`, toCourseProgress(r)]));
}

export async function writeCourseRows(tx: Queryable, rows: readonly CourseProgress[]): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(
    rows.map((p) => ({
      ...p,
      firstAt: iso(p.firstAt),
      lastAt: iso(p.lastAt),
      latestSessionStart: iso(p.latestSessionStart),
    })),
  );
  await tx.query(
    `UPDATE course_progress p SET items_completed = x."itemsCompleted", time_spent_ms = x."timeSpentMs",
       first_at = x."firstAt", last_at = x."lastAt", sessions = x.sessions,
       latest_session_start = x."latestSessionStart", videos_started = x."videosStarted",
       video_pct_sum = x."videoPctSum", scroll_items = x."scrollItems", scroll_pct_sum = x."scrollPctSum",
       recent = x.recent
     FROM jsonb_to_recordset($1::text::jsonb) AS x("userId" text, "courseId" text, "itemsCompleted" integer,
       "timeSpentMs" bigint, "firstAt" timestamptz, "lastAt" timestamptz, sessions integer,
       "latestSessionStart" timestamptz, "videosStarted" integer, "videoPctSum" bigint, "scrollItems" integer, "scrollPctSum" bigint, recent jsonb)
     WHERE p.user_id = x."userId" AND p.course_id = x."courseId"`,
    [json],
  );
}

export interface SessionWindowKey {
  userId: string;
  courseId: string;
  from: string;
  to: string;
}

/** Stored sessions that touch each (learner, course) window. */
export async function readSessions(
  tx: Queryable,
  windows: readonly SessionWindowKey[],
): Promise<Map<string, Session[]>> {
  const rows = await tx.query<{ user_id: string; course_id: string; start_at: Date; end_at: Date }>(
    `SELECT s.user_id, s.course_id, s.start_at, s.end_at FROM learning_sessions s
     JOIN jsonb_to_recordset($1::text::jsonb) AS w("userId" text, "courseId" text, "from" timestamptz, "to" timestamptz)
       ON s.user_id = w."userId" AND s.course_id = w."courseId" AND s.end_at > w."from" AND s.start_at < w."to"`,
    [JSON.stringify(windows)],
  );
  const out = new Map<string, Session[]>();
  for (const r of rows) {
    const key = `${r.user_id}\u0000${r.course_id}`;
    const list = out.get(key) ?? [];
    list.push({ start: r.start_at.getTime(), end: r.end_at.getTime() });
    out.set(key, list);
  }
  return out;
}

export interface SessionChange {
  userId: string;
  courseId: string;
  removed: readonly Session[];
  added: readonly Session[];
}

/**
 * Writes merged sessions: a session only stretched (same start, later end) is updated in place;
 * the others read are deleted and the merged ones inserted.
 */
export async function replaceSessions(tx: Queryable, changes: readonly SessionChange[]): Promise<void> {
  const stretched: { userId: string; courseId: string; start: string | null; end: string | null }[] = [];
  const removed: { userId: string; courseId: string; start: string | null }[] = [];
  const added: { userId: string; courseId: string; start: string | null; end: string | null }[] = [];
  for (const { userId, courseId, removed: r, added: a } of changes) {
    if (r.length === 1 && a.length === 1 && r[0]!.start === a[0]!.start) {
      stretched.push({ userId, courseId, start: iso(a[0]!.start), end: iso(a[0]!.end) });
      continue;
    }
    for (const s of r) removed.push({ userId, courseId, start: iso(s.start) });
    for (const s of a) added.push({ userId, courseId, start: iso(s.start), end: iso(s.end) });
  }
  if (stretched.length > 0) {
    await tx.query(
      `UPDATE learning_sessions s SET end_at = x."end"
       FROM jsonb_to_recordset($1::text::jsonb) AS x("userId" text, "courseId" text, start timestamptz, "end" timestamptz)
       WHERE s.user_id = x."userId" AND s.course_id = x."courseId" AND s.start_at = x.start`,
      [JSON.stringify(stretched)],
    );
  }
  if (removed.length > 0) {
    await tx.query(
      `DELETE FROM learning_sessions s USING jsonb_to_recordset($1::text::jsonb) AS x("userId" text, "courseId" text, start timestamptz)
       WHERE s.user_id = x."userId" AND s.course_id = x."courseId" AND s.start_at = x.start`,
      [JSON.stringify(removed)],
    );
  }
  if (added.length > 0) {
    await tx.query(
      `INSERT INTO learning_sessions (user_id, course_id, start_at, end_at)
       SELECT "userId", "courseId", start, "end" FROM jsonb_to_recordset($1::text::jsonb)
         AS x("userId" text, "courseId" text, start timestamptz, "end" timestamptz)`,
      [JSON.stringify(added)],
    );
  }
}

export interface CompletionDelta {
  userId: string;
  courseId: string;
  day: string;
  items: number;
  videos: number;
}

/**
 * Adds completions per local day (negative when a late event moved a completion earlier), for the
 * learner and for the course. Deltas must be unique by (learner, course, day).
 */
export async function addDailyCompletions(tx: Queryable, deltas: readonly CompletionDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await tx.query(
    `INSERT INTO daily_completions (user_id, course_id, day, items_completed, videos_completed)
     SELECT "userId", "courseId", day, items, videos FROM jsonb_to_recordset($1::text::jsonb)
       AS x("userId" text, "courseId" text, day date, items integer, videos integer)
     ON CONFLICT (user_id, course_id, day) DO UPDATE
     SET items_completed = daily_completions.items_completed + excluded.items_completed,
         videos_completed = daily_completions.videos_completed + excluded.videos_completed`,
    [JSON.stringify(deltas)],
  );
  await tx.query(
    `INSERT INTO course_daily_completions (course_id, day, items_completed)
     SELECT "courseId", day, sum(items) FROM jsonb_to_recordset($1::text::jsonb)
       AS x("courseId" text, day date, items integer)
     GROUP BY "courseId", day ORDER BY "courseId", day
     ON CONFLICT (course_id, day) DO UPDATE
     SET items_completed = course_daily_completions.items_completed + excluded.items_completed`,
    [JSON.stringify(deltas)],
  );
  // A completion moved to an earlier day leaves rows of zeros behind; a rebuild would have none.
  const lowered = deltas.filter((d) => d.items < 0 || d.videos < 0);
  if (lowered.length > 0) {
    await tx.query(
      `DELETE FROM daily_completions c USING jsonb_to_recordset($1::text::jsonb) AS x("userId" text, "courseId" text, day date)
       WHERE c.user_id = x."userId" AND c.course_id = x."courseId" AND c.day = x.day
         AND c.items_completed = 0 AND c.videos_completed = 0`,
      [JSON.stringify(lowered)],
    );
    await tx.query(
      `DELETE FROM course_daily_completions c USING jsonb_to_recordset($1::text::jsonb) AS x("courseId" text, day date)
       WHERE c.course_id = x."courseId" AND c.day = x.day AND c.items_completed = 0`,
      [JSON.stringify(lowered)],
    );
  }
}

/** Adds to the per-item counts of learners who started and completed each item. Sorted by item. */
export async function addItemStats(
  tx: Queryable,
  deltas: readonly { itemId: string; started: number; completed: number }[],
): Promise<void> {
  if (deltas.length === 0) return;
  await tx.query(
    `INSERT INTO item_stats (item_id, started, completed)
     SELECT "itemId", started, completed FROM jsonb_to_recordset($1::text::jsonb)
       AS x("itemId" text, started integer, completed integer)
     ON CONFLICT (item_id) DO UPDATE
     SET started = item_stats.started + excluded.started, completed = item_stats.completed + excluded.completed`,
    [JSON.stringify(deltas)],
  );
}

/**
 * Deletes one learner's progress rows, before their events are applied again, taking their share
 * out of the per-item and per-course totals first.
 */
export async function deleteUserProgress(tx: Queryable, userId: string): Promise<void> {
  await tx.query(
    `UPDATE item_stats s SET started = s.started - x.started, completed = s.completed - x.completed
     FROM (SELECT item_id, count(*)::integer AS started, count(completed_at)::integer AS completed
           FROM item_progress WHERE user_id = $1 GROUP BY item_id) x
     WHERE s.item_id = x.item_id`,
    [userId],
  );
  await tx.query(
    `UPDATE course_daily_completions s SET items_completed = s.items_completed - x.items
     FROM (SELECT course_id, day, sum(items_completed)::integer AS items
           FROM daily_completions WHERE user_id = $1 GROUP BY course_id, day) x
     WHERE s.course_id = x.course_id AND s.day = x.day`,
    [userId],
  );
  // Totals the learner was alone in are now zero: drop them, as a rebuild would not have them.
  await tx.query(
    `DELETE FROM item_stats s USING (SELECT DISTINCT item_id FROM item_progress WHERE user_id = $1) x
     WHERE s.item_id = x.item_id AND s.started = 0 AND s.completed = 0`,
    [userId],
  );
  await tx.query(
    `DELETE FROM course_daily_completions s USING daily_completions x
     WHERE x.user_id = $1 AND s.course_id = x.course_id AND s.day = x.day AND s.items_completed = 0`,
    [userId],
  );
  for (const table of ['item_progress', 'course_progress', 'learning_sessions', 'daily_completions']) {
    await tx.query(`DELETE FROM ${table} WHERE user_id = $1`, [userId]);
  }
}

export const PROGRESS_TABLES = [
  'item_progress',
  'course_progress',
  'learning_sessions',
  'daily_completions',
  'item_stats',
  'course_daily_completions',
];
