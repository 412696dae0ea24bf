import type { StoredEvent } from '../../domain/events/types.js';
import { type AggregateDelta, applyDelta } from '../../domain/video/aggregate.js';
import {
  type Heartbeat,
  heartbeatOf,
  type Viewing,
  viewingSummary,
  type WatchSession,
} from '../../domain/video/viewing.js';
import type { Queryable } from '../db.js';
import { readHeartbeatEvents } from '../events/read.js';
import {
  aggregateColumns,
  type AggregateRow,
  type SessionRow,
  sessionDay,
  toAggregate,
  toSession,
  toViewing,
  type ViewerRow,
  viewerKey,
} from './rows.js';

export const VIDEO_TABLES = ['video_viewers', 'video_sessions', 'video_aggregates'] as const;

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/**
 * Locks the (video, learner) rows, creating missing ones (sessions = 0), and returns the viewings
 * stored so far. Keys must be sorted; every writer locks in that order.
 */
export async function lockViewings(
  tx: Queryable,
  keys: readonly { itemId: string; userId: string }[],
): Promise<Map<string, Viewing>> {
  const json = JSON.stringify(keys);
  await tx.query(
    `INSERT INTO video_viewers (item_id, user_id)
     SELECT "itemId", "userId" FROM jsonb_to_recordset($1::text::jsonb) AS k("itemId" text, "userId" text)
     ORDER BY 1, 2 ON CONFLICT DO NOTHING`,
    [json],
  );
  const viewers = await tx.query<ViewerRow>(
    `SELECT v.item_id, v.user_id, v.course_id, v.duration_sec, v.threshold, v.seconds, v.sessions, v.completed_at, v.half_at, v.device
     FROM video_viewers v JOIN jsonb_to_recordset($1::text::jsonb) AS k("itemId" text, "userId" text)
       ON v.item_id = k."itemId" AND v.user_id = k."userId"
     ORDER BY v.item_id, v.user_id FOR UPDATE OF v`,
    [json],
  );
  const stored = viewers.filter((v) => v.sessions > 0);
  const sessions = await readSessionsOf(
    tx,
    stored.map((v) => ({ itemId: v.item_id, userId: v.user_id })),
  );
  return new Map(
    stored.map((v) => {
      const k = viewerKey(v.item_id, v.user_id);
      return [k, toViewing(v, sessions.get(k) ?? [])];
    }),
  );
}

async function readSessionsOf(
  tx: Queryable,
  keys: readonly { itemId: string; userId: string }[],
): Promise<Map<string, WatchSession[]>> {
  const out = new Map<string, WatchSession[]>();
  if (keys.length === 0) return out;
  const rows = await tx.query<SessionRow>(
    `SELECT s.* FROM video_sessions s
     JOIN jsonb_to_recordset($1::text::jsonb) AS k("itemId" text, "userId" text)
       ON s.item_id = k."itemId" AND s.user_id = k."userId"`,
    [JSON.stringify(keys)],
  );
  for (const r of rows) {
    const k = viewerKey(r.item_id, r.user_id);
    const list = out.get(k) ?? [];
    list.push(toSession(r));
    out.set(k, list);
  }
  return out;
}

/** Every heartbeat of some (video, learner) pairs in the log, for folding a history again. */
export async function readHeartbeats(
  tx: Queryable,
  keys: readonly { itemId: string; userId: string }[],
): Promise<Map<string, Heartbeat[]>> {
  const events: StoredEvent[] = await readHeartbeatEvents(tx, keys);
  const out = new Map<string, Heartbeat[]>();
  for (const e of events) {
    const k = viewerKey(e.itemId!, e.userId);
    const list = out.get(k) ?? [];
    list.push(heartbeatOf(e));
    out.set(k, list);
  }
  return out;
}

export interface ViewingWrite {
  itemId: string;
  userId: string;
  courseId: string | null;
  viewing: Viewing;
  /** Sessions to write (new or changed); those past the viewing's last are deleted. */
  changed: readonly WatchSession[];
  /** How many sessions were stored before. */
  stored: number;
}

/** Writes viewings: the viewer rows, their changed sessions, and drops sessions that no longer exist. */
export async function writeViewings(tx: Queryable, writes: readonly ViewingWrite[]): Promise<void> {
  if (writes.length === 0) return;
  const viewers = writes.map((w) => {
    const s = viewingSummary(w.viewing);
    return {
      itemId: w.itemId,
      userId: w.userId,
      courseId: w.courseId,
      durationSec: w.viewing.durationSec,
      threshold: w.viewing.threshold,
      seconds: w.viewing.seconds,
      uniqueSec: s.uniqueSec,
      playedSec: s.playedSec,
      watchedPct: s.watchedPct,
      maxPositionSec: s.maxPositionSec,
      lastPositionSec: s.lastPositionSec,
      sessions: w.viewing.sessions.length,
      firstAt: iso(w.viewing.sessions[0]!.startAt),
      lastAt: iso(w.viewing.sessions[w.viewing.sessions.length - 1]!.lastAt),
      completedAt: iso(w.viewing.completedAt),
      halfAt: iso(w.viewing.halfAt),
      clippedSec: s.clippedSec,
      device: w.viewing.device,
    };
  });
  await tx.query(
    `UPDATE video_viewers v SET course_id = k."courseId", duration_sec = k."durationSec", threshold = k.threshold, seconds = k.seconds,
       unique_sec = k."uniqueSec", played_sec = k."playedSec", watched_pct = k."watchedPct",
       max_position_sec = k."maxPositionSec", last_position_sec = k."lastPositionSec", sessions = k.sessions,
       first_at = k."firstAt", last_at = k."lastAt", completed_at = k."completedAt", half_at = k."halfAt", clipped_sec = k."clippedSec", device = k.device
     FROM jsonb_to_recordset($1::text::jsonb) AS k("itemId" text, "userId" text, "courseId" text,
       "durationSec" double precision, threshold double precision, seconds integer[], "uniqueSec" integer, "playedSec" bigint,
       "watchedPct" double precision, "maxPositionSec" double precision, "lastPositionSec" double precision,
       sessions integer, "firstAt" timestamptz, "lastAt" timestamptz, "completedAt" timestamptz, "halfAt" timestamptz,
       "clippedSec" double precision, device jsonb)
     WHERE v.item_id = k."itemId" AND v.user_id = k."userId"`,
    [JSON.stringify(viewers)],
  );
  const sessions = writes.flatMap((w) =>
    w.changed.map((s) => ({
      itemId: w.itemId,
      userId: w.userId,
      number: s.number,
      id: s.id,
      day: sessionDay(s),
      startedAt: iso(s.startAt),
      lastAt: iso(s.lastAt),
      lastEvent: s.lastEventId,
      lastPositionSec: s.lastPositionSec,
      lastEndSec: s.lastEndSec,
      seconds: s.seconds,
      plays: s.plays,
      maxPositionSec: s.maxPositionSec,
      ended: s.ended,
      clippedSec: s.clippedSec,
    })),
  );
  if (sessions.length > 0) {
    await tx.query(
      `INSERT INTO video_sessions (item_id, user_id, number, id, day, started_at, last_at, last_event,
         last_position_sec, last_end_sec, seconds, plays, max_position_sec, ended, clipped_sec)
       SELECT "itemId", "userId", number, id, day, "startedAt", "lastAt", "lastEvent", "lastPositionSec",
         "lastEndSec", seconds, plays, "maxPositionSec", ended, "clippedSec"
       FROM jsonb_to_recordset($1::text::jsonb) AS k("itemId" text, "userId" text, number integer, id uuid,
         day date, "startedAt" timestamptz, "lastAt" timestamptz, "lastEvent" uuid,
         "lastPositionSec" double precision, "lastEndSec" double precision, seconds integer[],
         plays integer[], "maxPositionSec" double precision, ended boolean, "clippedSec" double precision)
       ON CONFLICT (item_id, user_id, number) DO UPDATE SET id = excluded.id, day = excluded.day,
         started_at = excluded.started_at, last_at = excluded.last_at, last_event = excluded.last_event,
         last_position_sec = excluded.last_position_sec, last_end_sec = excluded.last_end_sec,
         seconds = excluded.seconds, plays = excluded.plays, max_position_sec = excluded.max_position_sec,
         ended = excluded.ended, clipped_sec = excluded.clipped_sec`,
      [JSON.stringify(sessions)],
    );
  }
  // Only a history read again can end up with fewer sessions (a late heartbeat joined two).
  const shrunk = writes.filter((w) => w.stored > w.viewing.sessions.length);
  if (shrunk.length > 0) {
    await tx.query(
      `DELETE FROM video_sessions s
       USING jsonb_to_recordset($1::text::jsonb) AS k("itemId" text, "userId" text, count integer)
       WHERE s.item_id = k."itemId" AND s.user_id = k."userId" AND s.number > k.count`,
      [
        JSON.stringify(
          shrunk.map((w) => ({ itemId: w.itemId, userId: w.userId, count: w.viewing.sessions.length })),
        ),
      ],
    );
  }
}

/**
 * Adds deltas to video aggregates (all-time and per day). Rows are locked in (item, day) order;
 * the projection applies these last, as they are shared by every viewer of a video.
 */
export async function addVideoAggregates(
  tx: Queryable,
  deltas: readonly { itemId: string; day: string; delta: AggregateDelta }[],
): Promise<void> {
  if (deltas.length === 0) return;
  const sorted = [...deltas].sort((a, b) =>
    a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : a.day < b.day ? -1 : a.day > b.day ? 1 : 0,
  );
  const keys = JSON.stringify(sorted.map((d) => ({ itemId: d.itemId, day: d.day })));
  await tx.query(
    `INSERT INTO video_aggregates (item_id, day)
     SELECT "itemId", day FROM jsonb_to_recordset($1::text::jsonb) AS k("itemId" text, day date)
     ORDER BY 1, 2 ON CONFLICT DO NOTHING`,
    [keys],
  );
  const rows = await tx.query<AggregateRow>(
    `SELECT ${aggregateColumns('a')}
     FROM video_aggregates a JOIN jsonb_to_recordset($1::text::jsonb) AS k("itemId" text, day date)
       ON a.item_id = k."itemId" AND a.day = k.day
     ORDER BY a.item_id, a.day FOR UPDATE OF a`,
    [keys],
  );
  const current = new Map(rows.map((r) => [`${r.item_id}\u0000${r.day}`, toAggregate(r)]));
  const updated = sorted.map(({ itemId, day, delta }) => {
    const a = applyDelta(current.get(`${itemId}\u0000${day}`)!, delta);
    return {
      itemId,
      day,
      viewers: a.viewers,
      playedViewers: a.playedViewers,
      views: a.views,
      playedSec: a.playedSec,
      uniqueSec: a.uniqueSec,
      pctSum: a.pctSum,
      completions: a.completions,
      replays: a.replays,
      unique: a.unique,
      plays: a.plays,
      exits: a.exits,
      completerExits: a.completerExits,
      stopWatched: a.stopWatched,
    };
  });
  await tx.query(
    `UPDATE video_aggregates a SET viewers = k.viewers, played_viewers = k."playedViewers", views = k.views,
       played_sec = k."playedSec", unique_sec = k."uniqueSec", pct_sum = k."pctSum",
       completions = k.completions, replays = k.replays, unique_counts = k."unique",
       play_counts = k.plays, exits = k.exits, completer_exits = k."completerExits", stop_watched = k."stopWatched"
     FROM jsonb_to_recordset($1::text::jsonb) AS k("itemId" text, day date, viewers integer,
       "playedViewers" integer, views integer, "playedSec" bigint, "uniqueSec" bigint, "pctSum" bigint,
       completions integer, replays integer, "unique" integer[], plays integer[], exits integer[],
       "completerExits" integer[], "stopWatched" integer[])
     WHERE a.item_id = k."itemId" AND a.day = k.day`,
    [JSON.stringify(updated)],
  );
  // Days whose last viewer went (a late heartbeat merged two sessions) leave no empty rows behind.
  if (!sorted.some((d) => d.delta.viewers < 0)) return;
  await tx.query(
    `DELETE FROM video_aggregates a USING jsonb_to_recordset($1::text::jsonb) AS k("itemId" text, day date)
     WHERE a.item_id = k."itemId" AND a.day = k.day AND a.viewers = 0`,
    [keys],
  );
}

/** A learner's viewings, for taking their contributions out before their events are applied again. */
export async function readUserViewings(
  tx: Queryable,
  userId: string,
): Promise<{ itemId: string; viewing: Viewing }[]> {
  const viewers = await tx.query<ViewerRow>(
    `SELECT item_id, user_id, course_id, duration_sec, threshold, seconds, sessions, completed_at, half_at, device
     FROM video_viewers WHERE user_id = $1 AND sessions > 0 ORDER BY item_id FOR UPDATE`,
    [userId],
  );
  const sessions = await readSessionsOf(
    tx,
    viewers.map((v) => ({ itemId: v.item_id, userId })),
  );
  return viewers.map((v) => ({
    itemId: v.item_id,
    viewing: toViewing(v, sessions.get(viewerKey(v.item_id, userId)) ?? []),
  }));
}

export async function deleteUserViewings(tx: Queryable, userId: string): Promise<void> {
  await tx.query('DELETE FROM video_sessions WHERE user_id = $1', [userId]);
  await tx.query('DELETE FROM video_viewers WHERE user_id = $1', [userId]);
}
