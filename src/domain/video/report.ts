import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import type { VideoAggregate } from './aggregate.js';
import { videoSeconds } from './seconds.js';

/** The retention curve has at most this many points unless full resolution is asked for. */
export const MAX_CURVE_POINTS = 500;
/** Drop-off points are tested over windows of this many seconds… */
export const DROP_WINDOW_SEC = 5;
/** …against the median hazard of this many windows on each side… */
export const DROP_BASELINE_WINDOWS = 6;
/** …and reported when this unlikely under that baseline, with at least this many exits. */
export const DROP_P_VALUE = 0.01;
export const DROP_MIN_EXITS = 3;
/** A second counts as skipped when at least this share of the viewers who got that far skipped it. */
export const SKIP_SHARE = 0.2;
const TOP = 10;

export interface CurvePoint {
  startSec: number;
  endSec: number;
  /** Mean share of viewers who watched each second of the span. */
  retention: number;
  /** Mean plays per viewer of each second of the span (replays included). */
  rewatch: number;
  /** Viewers whose furthest position falls in the span. */
  exits: number;
  /** exits ÷ viewers who reached the span's start. */
  hazard: number;
}

export interface DropOff {
  startSec: number;
  endSec: number;
  exits: number;
  viewersAtStart: number;
  hazard: number;
  baselineHazard: number;
  excessExits: number;
  pValue: number;
  /** Retention lost across the span, in points. */
  retentionDropPoints: number;
}

export interface VideoReport {
  viewers: number;
  uniqueViewers: number;
  views: number;
  totalWatchTimeSec: number;
  uniqueWatchTimeSec: number;
  averagePercentViewed: number;
  completions: number;
  completionRate: number;
  replays: number;
  replayRate: number;
  medianStopSec: number | null;
  curve: { resolutionSec: number; points: CurvePoint[] };
  rewatchHotSpots: {
    startSec: number;
    endSec: number;
    plays: number;
    viewers: number;
    excessPlays: number;
  }[];
  skippedRanges: {
    startSec: number;
    endSec: number;
    viewers: number;
    share: number;
    viewerSeconds: number;
  }[];
  dropOffs: DropOff[];
}

const at = (a: readonly number[], t: number) => a[t] ?? 0;
const ratio = (n: number, d: number) => (d > 0 ? n / d : 0);

/** Viewers whose furthest position is at or past each second: `reached[t]`. */
export function reachedCounts(exits: readonly number[], length: number): number[] {
  const out = new Array<number>(length + 1).fill(0);
  let n = 0;
  for (let t = Math.max(length, exits.length - 1); t >= 0; t--) {
    n += at(exits, t);
    if (t <= length) out[t] = n;
  }
  return out;
}

/** The median of the viewers' stop seconds (mean of the two middle ones for an even count). */
export function medianStop(exits: readonly number[]): number | null {
  const n = exits.reduce((a, b) => a + b, 0);
  if (n === 0) return null;
  const kth = (k: number) => {
    let seen = 0;
    for (let t = 0; t < exits.length; t++) {
      seen += exits[t]!;
      if (seen > k) return t;
    }
    return exits.length - 1;
  };
  return n % 2 === 1 ? kth((n - 1) / 2) : (kth(n / 2 - 1) + kth(n / 2)) / 2;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Drop-off points: windows before the credits (the part after the completion threshold) where
 * viewers who did not complete left significantly more often than the video's baseline there (the
 * median hazard of the neighbouring windows; the whole video's hazard where that median is 0),
 * by a one-sided binomial test; ranked by exits above the baseline.
 */
export function dropOffs(a: VideoAggregate, length: number, creditsStartSec: number): DropOff[] {
  const reached = reachedCounts(a.exits, length);
  const windows: { start: number; end: number; exits: number; atRisk: number }[] = [];
  for (let start = 0; start < Math.min(length, creditsStartSec); start += DROP_WINDOW_SEC) {
    const end = Math.min(start + DROP_WINDOW_SEC, length, creditsStartSec);
    let exits = 0;
    for (let t = start; t < end; t++) exits += at(a.exits, t) - at(a.completerExits, t);
    windows.push({ start, end, exits, atRisk: reached[start]! });
  }
  const hazards = windows.map((w) => ratio(w.exits, w.atRisk));
  const overall = ratio(
    windows.reduce((n, w) => n + w.exits, 0),
    windows.reduce((n, w) => n + w.atRisk, 0),
  );
  const out: DropOff[] = [];
  windows.forEach((w, k) => {
    if (w.exits < DROP_MIN_EXITS) return;
    const around = [
      ...hazards.slice(Math.max(0, k - DROP_BASELINE_WINDOWS), k),
      ...hazards.slice(k + 1, k + 1 + DROP_BASELINE_WINDOWS),
    ];
    const local = around.length > 0 ? median(around) : 0;
    const baseline = local > 0 ? local : overall;
    if (baseline <= 0 || baseline >= 1) return;
    const pValue = 1 - binomialCdf(w.exits - 1, w.atRisk, baseline);
    if (pValue >= DROP_P_VALUE) return;
    const before = ratio(at(a.unique, w.start), a.viewers);
    const after = ratio(at(a.unique, Math.min(w.end, length - 1)), a.viewers);
    out.push({
      startSec: w.start,
      endSec: w.end,
      exits: w.exits,
      viewersAtStart: w.atRisk,
      hazard: hazards[k]!,
      baselineHazard: baseline,
      excessExits: w.exits - w.atRisk * baseline,
      pValue: Math.max(0, pValue),
      retentionDropPoints: (before - after) * 100,
    });
  });
  return out.sort((x, y) => y.excessExits - x.excessExits || x.startSec - y.startSec).slice(0, TOP);
}

/**
 * Maximal runs of seconds that at least SKIP_SHARE of the viewers who went past them (stop point
 * in a later second) did not watch. A viewer's own stop second is never a skip: of the viewers
 * who watched t, those whose stop second is t (`stopWatched`) did not go past it.
 */
function skippedRanges(a: VideoAggregate, length: number) {
  const reached = reachedCounts(a.exits, length);
  const out: VideoReport['skippedRanges'] = [];
  let run: VideoReport['skippedRanges'][number] | undefined;
  for (let t = 0; t <= length; t++) {
    const past = t < length ? reached[t]! - at(a.exits, t) : 0;
    const skipped = t < length ? past - (at(a.unique, t) - at(a.stopWatched, t)) : 0;
    const share = ratio(skipped, past);
    if (skipped > 0 && share >= SKIP_SHARE) {
      if (!run) run = { startSec: t, endSec: t + 1, viewers: 0, share: 0, viewerSeconds: 0 };
      run.endSec = t + 1;
      run.viewers = Math.max(run.viewers, skipped);
      run.share = Math.max(run.share, share);
      run.viewerSeconds += skipped;
    } else if (run) {
      out.push(run);
      run = undefined;
    }
  }
  return out.sort((x, y) => y.viewerSeconds - x.viewerSeconds || x.startSec - y.startSec).slice(0, TOP);
}

/** Hot spots at least this far apart: the next best window near a reported one is the same spot. */
export const HOT_SPOT_SPACING_SEC = 30;

/**
 * The 5-second windows where plays exceed unique viewers the most, best first, each at least
 * HOT_SPOT_SPACING_SEC from a better one (a replayed passage is one spot, not ten windows).
 */
function rewatchHotSpots(a: VideoAggregate, length: number) {
  const windows: VideoReport['rewatchHotSpots'] = [];
  for (let start = 0; start < length; start += DROP_WINDOW_SEC) {
    const end = Math.min(start + DROP_WINDOW_SEC, length);
    let plays = 0;
    let viewers = 0;
    for (let t = start; t < end; t++) {
      plays += at(a.plays, t);
      viewers += at(a.unique, t);
    }
    if (plays > viewers) {
      const n = end - start;
      windows.push({
        startSec: start,
        endSec: end,
        plays: plays / n,
        viewers: viewers / n,
        excessPlays: plays - viewers,
      });
    }
  }
  windows.sort((x, y) => y.excessPlays - x.excessPlays || x.startSec - y.startSec);
  const out: VideoReport['rewatchHotSpots'] = [];
  for (const w of windows) {
    if (out.length === TOP) break;
    if (out.every((o) => Math.abs(o.startSec - w.startSec) >= HOT_SPOT_SPACING_SEC)) out.push(w);
  }
  return out;
}

function curve(a: VideoAggregate, length: number, full: boolean) {
  const width = full ? 1 : Math.max(1, Math.ceil(length / MAX_CURVE_POINTS));
  const reached = reachedCounts(a.exits, length);
  const points: CurvePoint[] = [];
  for (let start = 0; start < length; start += width) {
    const end = Math.min(start + width, length);
    let unique = 0;
    let plays = 0;
    let exits = 0;
    for (let t = start; t < end; t++) {
      unique += at(a.unique, t);
      plays += at(a.plays, t);
      exits += at(a.exits, t);
    }
    // The last span also holds the exits of viewers who reached the very end.
    if (end === length) for (let t = length; t < a.exits.length; t++) exits += at(a.exits, t);
    const n = end - start;
    points.push({
      startSec: start,
      endSec: end,
      retention: ratio(unique, n * a.viewers),
      rewatch: ratio(plays, n * a.viewers),
      exits,
      hazard: ratio(exits, reached[start]!),
    });
  }
  return { resolutionSec: width, points };
}

/**
 * The per-video figures from an aggregate. `durationSec` sets the curve's length (the video's
 * whole seconds, `videoSeconds`); `threshold` where the credits start.
 * @example videoReport(aggregate, 600, 90, false).medianStopSec
 */
export function videoReport(
  a: VideoAggregate,
  durationSec: number,
  threshold: number,
  full: boolean,
): VideoReport {
  const length = videoSeconds(durationSec);
  return {
    viewers: a.viewers,
    uniqueViewers: a.playedViewers,
    views: a.views,
    totalWatchTimeSec: a.playedSec,
    uniqueWatchTimeSec: a.uniqueSec,
    averagePercentViewed: ratio(a.pctSum / 100, a.viewers),
    completions: a.completions,
    completionRate: ratio(a.completions, a.viewers),
    replays: a.replays,
    replayRate: ratio(a.replays, a.viewers),
    medianStopSec: medianStop(a.exits),
    curve: curve(a, length, full),
    rewatchHotSpots: rewatchHotSpots(a, length),
    skippedRanges: skippedRanges(a, length),
    dropOffs: dropOffs(a, length, Math.floor((length * threshold) / 100)),
  };
}
