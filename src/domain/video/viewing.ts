import type { Device, LearningEvent } from '../events/types.js';
import {
  addPlays,
  coveredSeconds,
  type PlayCounts,
  playTotal,
  type SecondSet,
  setSize,
  unionSeconds,
  videoSeconds,
} from './seconds.js';

/** A new watch session starts after this long without a heartbeat (SPEC §3). */
export const WATCH_SESSION_GAP_MS = 30 * 60 * 1000;
/** Playing time a session's first heartbeat may claim, × its rate (there is no earlier heartbeat to measure from). */
export const FIRST_HEARTBEAT_ALLOWANCE_SEC = 60;
/** Slack on the played-time allowance for clock and timer jitter. */
export const ALLOWANCE_TOLERANCE_SEC = 2;
/** Consecutive positions of a position-only player count as played when this close in time. */
export const POSITION_GAP_MS = 60 * 1000;
/** A gap shorter than this between consecutive played segments is played too. */
export const JOIN_GAP_SEC = 1;

/** A `video_heartbeat` as the engine reads it. */
export interface Heartbeat {
  id: string;
  at: number;
  positionSec: number;
  durationSec: number;
  /** Absent: a position-only player. */
  segments?: readonly (readonly [number, number])[] | undefined;
  rate: number;
  ended: boolean;
  device?: Device | undefined;
}

/** One watch session of a learner on a video. */
export interface WatchSession {
  number: number;
  /** The id of its first heartbeat: the session's id. */
  id: string;
  startAt: number;
  lastAt: number;
  lastEventId: string;
  lastPositionSec: number;
  /** The end of the last played segment, where a following segment may join. */
  lastEndSec: number | null;
  seconds: SecondSet;
  plays: PlayCounts;
  maxPositionSec: number;
  ended: boolean;
  /** Played time claimed beyond what the wall clock allowed, dropped. */
  clippedSec: number;
}

/** A learner's viewing of one video: their watch sessions in time order. */
export interface Viewing {
  durationSec: number;
  /** The completion threshold it was judged by. */
  threshold: number;
  sessions: WatchSession[];
  /** Every second watched in any session. */
  seconds: SecondSet;
  /** The heartbeat at which the seconds watched first reached the completion threshold. */
  completedAt: number | null;
  /** The heartbeat at which the seconds watched first reached half the video (the feed's milestone). */
  halfAt: number | null;
  /** The device of the latest heartbeat that named one. */
  device: Device | null;
}

/** What the catalog says of the video. */
export interface VideoFacts {
  /** The catalog's duration; without one, the longest duration the learner's player reported. */
  durationSec: number | null;
  threshold: number;
}

/** The progress milestone between starting and completing (SPEC §3 `progress_update`). */
export const HALF_PCT = 50;

/** Watched percent of a set of seconds. */
export const watchedPercent = (seconds: SecondSet, durationSec: number): number =>
  Math.min(100, (setSize(seconds) / videoSeconds(durationSec)) * 100);

/** Seconds watched reach the threshold (compared without division, so 90 % of 600 s is exactly 540 s). */
export const reachesThreshold = (seconds: SecondSet, durationSec: number, threshold: number): boolean =>
  setSize(seconds) * 100 >= threshold * videoSeconds(durationSec);

export function heartbeatOf(e: LearningEvent): Heartbeat {
  const d = e.data as {
    positionSec: number;
    durationSec: number;
    segments?: [number, number][];
    playbackRate?: number;
    ended?: boolean;
  };
  return {
    id: e.id,
    at: Date.parse(e.occurredAt),
    positionSec: d.positionSec,
    durationSec: d.durationSec,
    segments: d.segments,
    rate: d.playbackRate ?? 1,
    ended: d.ended === true,
    device: e.device,
  };
}

/** Heartbeats in time order (ties by id), the order every rule reads them in. */
export const byTime = (a: Heartbeat, b: Heartbeat): number =>
  a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** True when `h` comes after everything a viewing has seen, so it can be folded on. */
export const isAfter = (h: Heartbeat, v: Viewing): boolean => {
  const last = v.sessions[v.sessions.length - 1];
  return !last || h.at > last.lastAt || (h.at === last.lastAt && h.id > last.lastEventId);
};

/**
 * The segments a heartbeat played, by the engine's rules: clipped to the video, a position-only
 * heartbeat playing from the previous position when it moved forward no faster than the rate
 * allows, at most rate × elapsed + tolerance seconds in all (the rest is clipped and reported),
 * and a gap under a second after the previous segment joined.
 */
export function playedSegments(
  h: Heartbeat,
  prev: WatchSession | undefined,
  durationSec: number,
): { segments: [number, number][]; clippedSec: number } {
  const elapsedSec = prev ? (h.at - prev.lastAt) / 1000 : FIRST_HEARTBEAT_ALLOWANCE_SEC;
  let allowance = h.rate * elapsedSec + ALLOWANCE_TOLERANCE_SEC;
  const position = Math.min(h.positionSec, durationSec);
  let claimed: [number, number][] = [];
  if (h.segments !== undefined) {
    for (const [s, e] of h.segments) claimed.push([Math.min(s, durationSec), Math.min(e, durationSec)]);
  } else if (prev && h.at - prev.lastAt <= POSITION_GAP_MS && position > prev.lastPositionSec) {
    // Moving further than the player could have played is a seek: it plays nothing.
    if (position - prev.lastPositionSec <= allowance) claimed = [[prev.lastPositionSec, position]];
  }
  const segments: [number, number][] = [];
  let clippedSec = 0;
  let lastEnd = prev?.lastEndSec ?? null;
  for (const [s0, e] of claimed) {
    const length = e - s0;
    const taken = Math.min(length, Math.max(0, allowance));
    allowance -= taken;
    clippedSec += length - taken;
    if (taken <= 0) continue;
    const end = s0 + taken;
    const start = lastEnd !== null && s0 >= lastEnd && s0 - lastEnd < JOIN_GAP_SEC ? lastEnd : s0;
    segments.push([start, end]);
    lastEnd = end;
  }
  return { segments, clippedSec };
}

function newSession(h: Heartbeat, number: number): WatchSession {
  return {
    number,
    id: h.id,
    startAt: h.at,
    lastAt: h.at,
    lastEventId: h.id,
    lastPositionSec: 0,
    lastEndSec: null,
    seconds: [],
    plays: [],
    maxPositionSec: 0,
    ended: false,
    clippedSec: 0,
  };
}

/** The duration a viewing is measured against. */
export const durationFor = (facts: VideoFacts, heartbeats: readonly Heartbeat[], prev?: Viewing): number => {
  if (facts.durationSec !== null) return facts.durationSec;
  let d = prev?.durationSec ?? 0;
  for (const h of heartbeats) d = Math.max(d, h.durationSec);
  return d;
};

/**
 * Folds heartbeats, in time order and all after `prev`'s (see `isAfter`), onto a viewing. The
 * rules read each heartbeat against the one before it, so a heartbeat arriving late is handled
 * by folding the learner's whole history again (`foldViewing(undefined, all)`), which gives what
 * in-order arrival would have.
 * @example foldViewing(undefined, heartbeats.sort(byTime), { durationSec: 600, threshold: 90 })
 */
export function foldViewing(
  prev: Viewing | undefined,
  heartbeats: readonly Heartbeat[],
  facts: VideoFacts,
): Viewing {
  const durationSec = durationFor(facts, heartbeats, prev);
  const sessions = prev ? prev.sessions.map((s) => ({ ...s })) : [];
  let seconds = prev?.seconds ?? [];
  let completedAt = prev?.completedAt ?? null;
  let halfAt = prev?.halfAt ?? null;
  let device = prev?.device ?? null;
  for (const h of heartbeats) {
    let current = sessions[sessions.length - 1];
    const fresh = !current || h.at - current.lastAt >= WATCH_SESSION_GAP_MS;
    const previous = fresh ? undefined : current;
    const { segments, clippedSec } = playedSegments(h, previous, durationSec);
    if (fresh) {
      current = newSession(h, sessions.length + 1);
      sessions.push(current);
    }
    const s = current!;
    const ranges = segments.map(([a, b]) => coveredSeconds(a, b));
    s.seconds = unionSeconds(s.seconds, ranges);
    s.plays = addPlays(s.plays, ranges);
    s.clippedSec += clippedSec;
    const position = Math.min(h.positionSec, durationSec);
    s.maxPositionSec = Math.max(s.maxPositionSec, position, ...segments.map(([, b]) => b));
    s.lastPositionSec = position;
    if (segments.length > 0) s.lastEndSec = segments[segments.length - 1]![1];
    s.ended ||= h.ended;
    s.lastAt = h.at;
    s.lastEventId = h.id;
    if (h.device) device = h.device;
    seconds = unionSeconds(seconds, ranges);
    if (completedAt === null && reachesThreshold(seconds, durationSec, facts.threshold)) completedAt = h.at;
    if (halfAt === null && reachesThreshold(seconds, durationSec, HALF_PCT)) halfAt = h.at;
  }
  return { durationSec, threshold: facts.threshold, sessions, seconds, completedAt, halfAt, device };
}

/** Summary figures of a viewing. */
export function viewingSummary(v: Viewing) {
  let playedSec = 0;
  let maxPositionSec = 0;
  let clippedSec = 0;
  for (const s of v.sessions) {
    playedSec += playTotal(s.plays);
    maxPositionSec = Math.max(maxPositionSec, s.maxPositionSec);
    clippedSec += s.clippedSec;
  }
  const last = v.sessions[v.sessions.length - 1];
  return {
    uniqueSec: setSize(v.seconds),
    playedSec,
    maxPositionSec,
    lastPositionSec: last?.lastPositionSec ?? 0,
    watchedPct: watchedPercent(v.seconds, v.durationSec),
    clippedSec,
  };
}
