import type { VideoProgress } from '../../domain/progress/item-progress.js';
import type { VideoAggregate } from '../../domain/video/aggregate.js';
import type { Viewing } from '../../domain/video/viewing.js';
import type { Queryable } from '../db.js';
import {
  ALL_TIME,
  aggregateColumns,
  type AggregateRow,
  type SessionRow,
  toAggregate,
  toSession,
  toViewing,
  type ViewerRow,
} from './rows.js';

/** What the video engine measured for some (learner, item) pairs, keyed `userId\0itemId`. */
export async function readVideoProgress(
  tx: Queryable,
  keys: readonly { userId: string; itemId: string }[],
): Promise<Map<string, VideoProgress>> {
  if (keys.length === 0) return new Map();
  const rows = await tx.query<{
    user_id: string;
    item_id: string;
    watched_pct: number;
    completed_at: Date | null;
    half_at: Date | null;
  }>(
    `SELECT v.user_id, v.item_id, v.watched_pct, v.completed_at, v.half_at FROM video_viewers v
     JOIN jsonb_to_recordset($1::text::jsonb) AS k("userId" text, "itemId" text)
       ON v.item_id = k."itemId" AND v.user_id = k."userId"
     WHERE v.sessions > 0`,
    [JSON.stringify(keys)],
  );
  return new Map(
    rows.map((r) => [
      `${r.user_id}\u0000${r.item_id}`,
      {
        watchedPct: r.watched_pct,
        completedAt: r.completed_at?.getTime() ?? null,
        halfAt: r.half_at?.getTime() ?? null,
      },
    ]),
  );
}

/** A video's all-time aggregate. */
export async function readTotals(
  db: Queryable,
  itemIds: readonly string[],
): Promise<Map<string, VideoAggregate>> {
  if (itemIds.length === 0) return new Map();
  const rows = await db.query<AggregateRow>(
    `SELECT ${aggregateColumns('a')} FROM video_aggregates a WHERE a.item_id = ANY($1::text[]) AND a.day = $2::text::date`,
    [itemIds, ALL_TIME],
  );
  return new Map(rows.map((r) => [r.item_id, toAggregate(r)]));
}

/** The per-day aggregates of a video in a date range (inclusive, UTC days). */
export async function readDays(
  db: Queryable,
  itemId: string,
  from: string,
  to: string,
): Promise<VideoAggregate[]> {
  const rows = await db.query<AggregateRow>(
    `SELECT ${aggregateColumns('a')} FROM video_aggregates a
     WHERE a.item_id = $1 AND a.day BETWEEN $2::text::date AND $3::text::date AND a.day <> $4::text::date`,
    [itemId, from, to, ALL_TIME],
  );
  return rows.map(toAggregate);
}

/**
 * The viewings of viewers who watched a video on more than one day of a range, with only their
 * sessions of that range: the range's figures count each of them once, not once per day.
 */
export async function readMultiDayViewings(
  db: Queryable,
  itemId: string,
  from: string,
  to: string,
): Promise<Viewing[]> {
  const sessions = await db.query<SessionRow>(
    `SELECT s.* FROM video_sessions s
     WHERE s.item_id = $1 AND s.day BETWEEN $2::text::date AND $3::text::date AND s.user_id IN (
       SELECT user_id FROM video_sessions WHERE item_id = $1 AND day BETWEEN $2::text::date AND $3::text::date
       GROUP BY user_id HAVING min(day) <> max(day))`,
    [itemId, from, to],
  );
  if (sessions.length === 0) return [];
  const users = [...new Set(sessions.map((s) => s.user_id))];
  const viewers = await db.query<ViewerRow>(
    `SELECT item_id, user_id, course_id, duration_sec, threshold, seconds, sessions, completed_at, half_at, device
     FROM video_viewers WHERE item_id = $1 AND user_id = ANY($2::text[])`,
    [itemId, users],
  );
  return viewers.map((v) => toViewing(v, sessions.filter((s) => s.user_id === v.user_id).map(toSession)));
}

/** One learner's viewing of a video, if they have watched it. */
export async function readViewing(
  db: Queryable,
  itemId: string,
  userId: string,
): Promise<Viewing | undefined> {
  const [viewer] = await db.query<ViewerRow>(
    `SELECT item_id, user_id, course_id, duration_sec, threshold, seconds, sessions, completed_at, half_at, device
     FROM video_viewers WHERE item_id = $1 AND user_id = $2 AND sessions > 0`,
    [itemId, userId],
  );
  if (!viewer) return undefined;
  const sessions = await db.query<SessionRow>(
    'SELECT * FROM video_sessions WHERE item_id = $1 AND user_id = $2 ORDER BY number',
    [itemId, userId],
  );
  return toViewing(viewer, sessions.map(toSession));
}

/** The longest duration viewers' players reported, for a video the catalog gives none. */
export async function readReportedDuration(db: Queryable, itemId: string): Promise<number | null> {
  const [row] = await db.query<{ d: number | null }>(
    'SELECT max(duration_sec) AS d FROM video_viewers WHERE item_id = $1 AND sessions > 0',
    [itemId],
  );
  return row?.d ?? null;
}

/** Viewers of a video by the device of their latest heartbeat naming one. */
export async function readDeviceCounts(
  db: Queryable,
  itemId: string,
): Promise<{ type: string | null; os: string | null; browser: string | null; viewers: number }[]> {
  return db.query(
    `SELECT device->>'type' AS type, device->>'os' AS os, device->>'browser' AS browser, count(*)::integer AS viewers
     FROM video_viewers WHERE item_id = $1 AND sessions > 0 GROUP BY 1, 2, 3`,
    [itemId],
  );
}

/** Some learners' viewings of a video, keyed by learner (for per-attendee recording figures). */
export async function readViewerSummaries(
  db: Queryable,
  itemId: string,
  userIds: readonly string[],
): Promise<Map<string, { watchedPct: number; uniqueSec: number; playedSec: number }>> {
  if (userIds.length === 0) return new Map();
  const rows = await db.query<{
    user_id: string;
    watched_pct: number;
    unique_sec: number;
    played_sec: number;
  }>(
    `SELECT user_id, watched_pct, unique_sec, played_sec FROM video_viewers
     WHERE item_id = $1 AND user_id = ANY($2::text[]) AND sessions > 0`,
    [itemId, userIds],
  );
  return new Map(
    rows.map((r) => [
      r.user_id,
      { watchedPct: r.watched_pct, uniqueSec: r.unique_sec, playedSec: Number(r.played_sec) },
    ]),
  );
}
