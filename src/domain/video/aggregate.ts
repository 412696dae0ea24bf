import { type PlayCounts, playTotal, rangesOf, type SecondSet, setSize, unionSeconds } from './seconds.js';
import { reachesThreshold, type WatchSession, watchedPercent } from './viewing.js';

/**
 * What a set of viewings adds up to, per video (and per video and day): counts, sums and per-second
 * arrays. Every field is a sum over viewers, so aggregates of disjoint sets of viewers add, and a
 * viewer's change is applied as their old contribution taken out and the new one put in.
 */
export interface VideoAggregate {
  /** Learners with at least one heartbeat. */
  viewers: number;
  /** Viewers who played at least one second. */
  playedViewers: number;
  /** Watch sessions. */
  views: number;
  /** Seconds played, replays included. */
  playedSec: number;
  /** Seconds watched, each viewer's counted once. */
  uniqueSec: number;
  /** Sum of the viewers' watched percents, in hundredths of a point. */
  pctSum: number;
  completions: number;
  /** Viewers with two or more watch sessions. */
  replays: number;
  /** Per second: viewers who watched it. */
  unique: number[];
  /** Per second: plays of it, replays included. */
  plays: number[];
  /** Per second: viewers whose furthest position falls in it (index = whole seconds). */
  exits: number[];
  /** The same, for viewers who completed the video. */
  completerExits: number[];
  /** Per second: viewers whose stop point falls in it and who watched that second. */
  stopWatched: number[];
}

/** One viewer's part in an aggregate. */
export interface Contribution {
  views: number;
  playedSec: number;
  uniqueSec: number;
  pctHundredths: number;
  completed: boolean;
  stopSec: number;
  /** Whether they watched the second their stop point falls in. */
  stopWatched: boolean;
  seconds: SecondSet;
  plays: PlayCounts;
}

export const emptyAggregate = (): VideoAggregate => ({
  viewers: 0,
  playedViewers: 0,
  views: 0,
  playedSec: 0,
  uniqueSec: 0,
  pctSum: 0,
  completions: 0,
  replays: 0,
  unique: [],
  plays: [],
  exits: [],
  completerExits: [],
  stopWatched: [],
});

/**
 * A viewer's contribution from some of their watch sessions (all of them, or those of a day or a
 * date range), judged as if those were all they watched; undefined for no sessions.
 */
export function contributionOf(
  sessions: readonly WatchSession[],
  durationSec: number,
  threshold: number,
): Contribution | undefined {
  if (sessions.length === 0) return undefined;
  let seconds: number[] = [];
  let plays: number[] = [];
  let maxPosition = 0;
  for (const s of sessions) {
    seconds = unionSeconds(seconds, rangesOf(s.seconds));
    plays = plays.concat(s.plays as number[]);
    maxPosition = Math.max(maxPosition, s.maxPositionSec);
  }
  const uniqueSec = setSize(seconds);
  return {
    views: sessions.length,
    playedSec: sessions.reduce((n, s) => n + playTotal(s.plays), 0),
    uniqueSec,
    pctHundredths: Math.round(watchedPercent(seconds, durationSec) * 100),
    completed: reachesThreshold(seconds, durationSec, threshold),
    stopSec: Math.floor(maxPosition),
    stopWatched: hasSecond(seconds, Math.floor(maxPosition)),
    seconds,
    // Runs of different sessions may overlap: they are summed when the delta is applied.
    plays,
  };
}

function hasSecond(set: SecondSet, t: number): boolean {
  for (let i = 0; i < set.length; i += 2) if (set[i]! <= t && t < set[i + 1]!) return true;
  return false;
}

/** Changes to an aggregate: sums, and per-second changes kept sparse until applied. */
export interface AggregateDelta {
  viewers: number;
  playedViewers: number;
  views: number;
  playedSec: number;
  uniqueSec: number;
  pctSum: number;
  completions: number;
  replays: number;
  /** Differences: +n at a range's start, -n at its end. */
  unique: Map<number, number>;
  plays: Map<number, number>;
  /** Point changes. */
  exits: Map<number, number>;
  completerExits: Map<number, number>;
  stopWatched: Map<number, number>;
}

export const emptyDelta = (): AggregateDelta => ({
  viewers: 0,
  playedViewers: 0,
  views: 0,
  playedSec: 0,
  uniqueSec: 0,
  pctSum: 0,
  completions: 0,
  replays: 0,
  unique: new Map(),
  plays: new Map(),
  exits: new Map(),
  completerExits: new Map(),
  stopWatched: new Map(),
});

const bump = (m: Map<number, number>, k: number, n: number) => {
  const v = (m.get(k) ?? 0) + n;
  if (v === 0) m.delete(k);
  else m.set(k, v);
};

/** Adds (sign 1) or takes out (sign -1) a contribution. */
export function addContribution(d: AggregateDelta, c: Contribution | undefined, sign: 1 | -1): void {
  if (!c) return;
  d.viewers += sign;
  d.playedViewers += c.uniqueSec > 0 ? sign : 0;
  d.views += sign * c.views;
  d.playedSec += sign * c.playedSec;
  d.uniqueSec += sign * c.uniqueSec;
  d.pctSum += sign * c.pctHundredths;
  d.completions += c.completed ? sign : 0;
  d.replays += c.views >= 2 ? sign : 0;
  for (let i = 0; i < c.seconds.length; i += 2) {
    bump(d.unique, c.seconds[i]!, sign);
    bump(d.unique, c.seconds[i + 1]!, -sign);
  }
  for (let i = 0; i < c.plays.length; i += 3) {
    bump(d.plays, c.plays[i]!, sign * c.plays[i + 2]!);
    bump(d.plays, c.plays[i + 1]!, -sign * c.plays[i + 2]!);
  }
  bump(d.exits, c.stopSec, sign);
  if (c.completed) bump(d.completerExits, c.stopSec, sign);
  if (c.stopWatched) bump(d.stopWatched, c.stopSec, sign);
}

export const isEmptyDelta = (d: AggregateDelta): boolean =>
  d.viewers === 0 &&
  d.views === 0 &&
  d.playedSec === 0 &&
  d.uniqueSec === 0 &&
  d.pctSum === 0 &&
  d.completions === 0 &&
  d.replays === 0 &&
  d.playedViewers === 0 &&
  d.unique.size === 0 &&
  d.plays.size === 0 &&
  d.exits.size === 0 &&
  d.completerExits.size === 0 &&
  d.stopWatched.size === 0;

/** Adds `b`'s changes into `a`. */
export function mergeDelta(a: AggregateDelta, b: AggregateDelta): void {
  a.viewers += b.viewers;
  a.playedViewers += b.playedViewers;
  a.views += b.views;
  a.playedSec += b.playedSec;
  a.uniqueSec += b.uniqueSec;
  a.pctSum += b.pctSum;
  a.completions += b.completions;
  a.replays += b.replays;
  for (const k of ['unique', 'plays', 'exits', 'completerExits', 'stopWatched'] as const) {
    for (const [t, n] of b[k]) bump(a[k], t, n);
  }
}

function applyDifferences(array: readonly number[], diffs: Map<number, number>): number[] {
  const keys = [...diffs.keys()].sort((x, y) => x - y);
  const length = Math.max(array.length, keys.length > 0 ? keys[keys.length - 1]! : 0);
  const out = Array.from({ length }, (_, i) => array[i] ?? 0);
  let level = 0;
  let k = 0;
  for (let t = 0; t < length; t++) {
    while (k < keys.length && keys[k]! <= t) level += diffs.get(keys[k++]!)!;
    out[t]! += level;
  }
  return trimZeros(out);
}

function applyPoints(array: readonly number[], points: Map<number, number>): number[] {
  const length = Math.max(array.length, ...[...points.keys()].map((t) => t + 1));
  const out = Array.from({ length }, (_, i) => array[i] ?? 0);
  for (const [t, n] of points) out[t]! += n;
  return trimZeros(out);
}

/** Trailing zeros carry nothing: dropping them keeps equal aggregates equal whatever their history. */
function trimZeros(a: number[]): number[] {
  let n = a.length;
  while (n > 0 && a[n - 1] === 0) n--;
  a.length = n;
  return a;
}

/** An aggregate with a delta applied. */
export function applyDelta(a: VideoAggregate, d: AggregateDelta): VideoAggregate {
  return {
    viewers: a.viewers + d.viewers,
    playedViewers: a.playedViewers + d.playedViewers,
    views: a.views + d.views,
    playedSec: a.playedSec + d.playedSec,
    uniqueSec: a.uniqueSec + d.uniqueSec,
    pctSum: a.pctSum + d.pctSum,
    completions: a.completions + d.completions,
    replays: a.replays + d.replays,
    unique: applyDifferences(a.unique, d.unique),
    plays: applyDifferences(a.plays, d.plays),
    exits: applyPoints(a.exits, d.exits),
    completerExits: applyPoints(a.completerExits, d.completerExits),
    stopWatched: applyPoints(a.stopWatched, d.stopWatched),
  };
}

/** The sum of aggregates (of disjoint viewers, or of days to be corrected for viewers seen on several). */
export function sumAggregates(list: readonly VideoAggregate[]): VideoAggregate {
  const out = emptyAggregate();
  const add = (into: number[], from: readonly number[]) => {
    for (let i = 0; i < from.length; i++) into[i] = (into[i] ?? 0) + from[i]!;
  };
  for (const a of list) {
    out.viewers += a.viewers;
    out.playedViewers += a.playedViewers;
    out.views += a.views;
    out.playedSec += a.playedSec;
    out.uniqueSec += a.uniqueSec;
    out.pctSum += a.pctSum;
    out.completions += a.completions;
    out.replays += a.replays;
    add(out.unique, a.unique);
    add(out.plays, a.plays);
    add(out.exits, a.exits);
    add(out.completerExits, a.completerExits);
    add(out.stopWatched, a.stopWatched);
  }
  return out;
}
