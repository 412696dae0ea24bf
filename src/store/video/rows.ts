import type { Device } from '../../domain/events/types.js';
import type { Viewing, WatchSession } from '../../domain/video/viewing.js';
import type { VideoAggregate } from '../../domain/video/aggregate.js';
import type { Row } from '../db.js';

/** The all-time aggregate's row: its `day` sorts after every real day. */
export const ALL_TIME = 'infinity';

export const viewerKey = (itemId: string, userId: string) => `${itemId}\u0000${userId}`;

/** The UTC day a watch session belongs to (date ranges select sessions by it). */
export const sessionDay = (s: WatchSession): string => new Date(s.startAt).toISOString().slice(0, 10);

export interface ViewerRow extends Row {
  item_id: string;
  user_id: string;
  course_id: string | null;
  duration_sec: number;
  threshold: number;
  seconds: number[];
  sessions: number;
  completed_at: Date | null;
  half_at: Date | null;
  device: Device | null;
}

export interface SessionRow extends Row {
  item_id: string;
  user_id: string;
  number: number;
  id: string;
  started_at: Date;
  last_at: Date;
  last_event: string;
  last_position_sec: number;
  last_end_sec: number | null;
  seconds: number[];
  plays: number[];
  max_position_sec: number;
  ended: boolean;
  clipped_sec: number;
}

export const toSession = (r: SessionRow): WatchSession => ({
  number: r.number,
  id: r.id,
  startAt: r.started_at.getTime(),
  lastAt: r.last_at.getTime(),
  lastEventId: r.last_event,
  lastPositionSec: r.last_position_sec,
  lastEndSec: r.last_end_sec,
  seconds: r.seconds,
  plays: r.plays,
  maxPositionSec: r.max_position_sec,
  ended: r.ended,
  clippedSec: r.clipped_sec,
});

export const toViewing = (v: ViewerRow, sessions: WatchSession[]): Viewing => ({
  durationSec: v.duration_sec,
  threshold: v.threshold,
  sessions: [...sessions].sort((a, b) => a.number - b.number),
  seconds: v.seconds,
  completedAt: v.completed_at?.getTime() ?? null,
  halfAt: v.half_at?.getTime() ?? null,
  device: v.device,
});

export interface AggregateRow extends Row {
  item_id: string;
  day: string;
  viewers: number;
  played_viewers: number;
  views: number;
  played_sec: string | number;
  unique_sec: string | number;
  pct_sum: string | number;
  completions: number;
  replays: number;
  unique_counts: number[];
  play_counts: number[];
  exits: number[];
  completer_exits: number[];
  stop_watched: number[];
}

/** The columns of `video_aggregates` under an alias, `day` as text ('infinity' does not fit a Date). */
export const aggregateColumns = (a: string) =>
  ['item_id', 'day::text AS day', 'viewers', 'played_viewers', 'views', 'played_sec', 'unique_sec', 'pct_sum']
    .concat([
      'completions',
      'replays',
      'unique_counts',
      'play_counts',
      'exits',
      'completer_exits',
      'stop_watched',
    ])
    .map((c) => `${a}.${c}`)
    .join(', ');

export const toAggregate = (r: AggregateRow): VideoAggregate => ({
  viewers: r.viewers,
  playedViewers: r.played_viewers,
  views: r.views,
  playedSec: Number(r.played_sec),
  uniqueSec: Number(r.unique_sec),
  pctSum: Number(r.pct_sum),
  completions: r.completions,
  replays: r.replays,
  unique: r.unique_counts,
  plays: r.play_counts,
  exits: r.exits,
  completerExits: r.completer_exits,
  stopWatched: r.stop_watched,
});
