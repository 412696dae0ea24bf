import type { Rng } from './random.js';

/** A contiguous stretch of the video played, [fromSec, toSec). */
export type Play = [number, number];

/**
 * How one learner's viewing of a video goes, decided when they first open it: where they stop,
 * whether they skip the recap, how often they replay the hard passage.
 */
export interface ViewingPlan {
  durationSec: number;
  /** The contiguous plays in the order watched (a replay is a later play of an earlier stretch). */
  plays: Play[];
  /** Seconds of video played in all. */
  totalSec: number;
  /** Whether the learner watches to (nearly) the end: the item ends up completed. */
  finishes: boolean;
}

/** The places every demo video shares, as fractions of its length, so the curves tell a story. */
export const VIDEO_SHAPE = {
  /** A recap some viewers skip. */
  recap: [0.06, 0.14],
  /** A dull stretch where many give up, and a second one later. */
  cliffs: [0.3, 0.7],
  /** A hard passage many replay. */
  hard: [0.5, 0.58],
} as const;

/**
 * Draws a viewing: most viewers watch the start and fewer reach the end; those who give up
 * cluster at the two cliffs (30 % and 70 %) or leave early; some skip the recap and a third of
 * those who get past the hard passage replay it. `giveUp` is the chance of not finishing.
 */
export function planViewing(durationSec: number, giveUp: number, rng: Rng): ViewingPlan {
  const d = Math.round(durationSec);
  const at = (f: number) => Math.round(d * f);
  const finishes = !rng.chance(giveUp);
  const skipsRecap = rng.chance(0.28);
  let stop: number;
  if (finishes) {
    // Some leave during the closing credits: still well past the completion threshold.
    stop = !skipsRecap && rng.chance(0.25) ? at(rng.between(0.95, 0.99)) : d;
  } else {
    const where = rng.weighted([
      ['cliff1', 0.35],
      ['cliff2', 0.3],
      ['early', 0.35],
    ] as const);
    stop =
      where === 'cliff1'
        ? at(VIDEO_SHAPE.cliffs[0]) + rng.int(0, 4)
        : where === 'cliff2'
          ? at(VIDEO_SHAPE.cliffs[1]) + rng.int(0, 4)
          : Math.max(8, Math.round(d * 0.9 * rng.next() ** 1.6));
  }
  const [recapFrom, recapTo] = [at(VIDEO_SHAPE.recap[0]), at(VIDEO_SHAPE.recap[1])];
  const [hardFrom, hardTo] = [at(VIDEO_SHAPE.hard[0]), at(VIDEO_SHAPE.hard[1])];
  const replays =
    stop > hardTo
      ? rng.weighted([
          [0, 55],
          [1, 35],
          [2, 10],
        ] as const)
      : 0;

  const plays: Play[] = [];
  let pos = 0;
  const playTo = (to: number) => {
    if (to > pos) plays.push([pos, to]);
    pos = Math.max(pos, to);
  };
  if (skipsRecap && stop > recapTo) {
    playTo(recapFrom);
    pos = recapTo;
  }
  if (replays > 0) {
    playTo(hardTo);
    for (let i = 0; i < replays; i++) plays.push([hardFrom, hardTo]);
  }
  playTo(stop);
  return { durationSec: d, plays, totalSec: plays.reduce((n, [a, b]) => n + b - a, 0), finishes };
}

export interface VideoBeat {
  /** Wall-clock seconds from the start of the sitting's viewing to this heartbeat. */
  wallSec: number;
  positionSec: number;
  segments: Play[];
  ended: boolean;
}

/**
 * The heartbeats of one sitting's viewing: from `fromSec` into the plan's play time, for up to
 * `maxWallSec` of wall clock, a heartbeat every `beatSec` of wall clock (the first after at most a
 * minute). Each heartbeat's segments
 * are exactly what was played since the previous one, at `rate` × the wall seconds between them,
 * so the server's wall-clock rule never clips them.
 */
export function viewingBeats(
  plan: ViewingPlan,
  fromSec: number,
  maxWallSec: number,
  rate: number,
  beatSec: number,
): { beats: VideoBeat[]; toSec: number } {
  const toSec = Math.min(plan.totalSec, fromSec + Math.floor(maxWallSec * rate));
  const beats: VideoBeat[] = [];
  let wall = 0;
  for (let c = fromSec; c < toSec; ) {
    // A session's first heartbeat may claim at most a minute of playing: the later ones, the
    // wall-clock time since the one before.
    const step = Math.max(1, Math.floor((c === fromSec ? Math.min(60, beatSec) : beatSec) * rate));
    const next = Math.min(toSec, c + step);
    const segments = slicePlays(plan.plays, c, next);
    const last = segments[segments.length - 1]!;
    wall += (next - c) / rate;
    beats.push({
      wallSec: Math.ceil(wall),
      positionSec: last[1],
      segments,
      ended: next === plan.totalSec && last[1] >= plan.durationSec,
    });
    c = next;
  }
  return { beats, toSec };
}

/** The video stretches played between `from` and `to` seconds of play time. */
function slicePlays(plays: readonly Play[], from: number, to: number): Play[] {
  const out: Play[] = [];
  let c = 0;
  for (const [a, b] of plays) {
    const len = b - a;
    const lo = Math.max(from, c);
    const hi = Math.min(to, c + len);
    if (hi > lo) out.push([a + (lo - c), a + (hi - c)]);
    c += len;
    if (c >= to) break;
  }
  return out;
}
