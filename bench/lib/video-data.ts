import { randomUUID } from 'node:crypto';
import type { LearningEvent } from '../../src/domain/events/types.js';
import { prng } from '../../src/demo/random.js';

/**
 * The video bench's heartbeat streams (issue 4): players that send a `video_heartbeat` every 10 s
 * of playing, with the segments played since the previous one (or, for a tenth of the players,
 * only the position). Viewers skip the intro, seek forward, rewind, pause, leave before the end
 * (most of them: early bounces, a steady decline, a drop-off at one hard part) and come back for
 * another watch session later. Streams are drawn from seeds, so every run has the same shape
 * (event ids and the "now" the window ends at aside).
 */
export const COURSE_ID = 'bench-video-course';
export const HEARTBEAT_SEC = 10;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface VideoSpec {
  id: string;
  title: string;
  durationSec: number;
}

/** The heartbeat-ingest videos: a few lectures of a course, in course order. */
export const INGEST_VIDEOS: readonly VideoSpec[] = [
  { id: 'bench-video-1', title: 'Video 1', durationSec: 420 },
  { id: 'bench-video-2', title: 'Video 2', durationSec: 900 },
  { id: 'bench-video-3', title: 'Video 3', durationSec: 1500 },
  { id: 'bench-video-4', title: 'Video 4', durationSec: 2700 },
];

/** The analytics bench's video: one 60-minute lecture. */
export const LONG_VIDEO: VideoSpec = { id: 'bench-video-60', title: 'Lecture (60 min)', durationSec: 3600 };
/** A second 60-minute video with a few hundred viewers, loaded both in bulk and over HTTP to compare. */
export const SAMPLE_VIDEO: VideoSpec = {
  id: 'bench-video-sample',
  title: 'Sample lecture',
  durationSec: 3600,
};

export const viewerId = (i: number) => `viewer-${String(i).padStart(6, '0')}`;

/** One heartbeat as a player sends it. */
export interface Beat {
  itemId: string;
  durationSec: number;
  at: number;
  positionSec: number;
  /** Absent for position-only players. */
  segments?: [number, number][];
  rate: number;
  ended: boolean;
}

/** Heartbeats a viewer has left to send, and the instant their stream must stay well before. */
interface Budget {
  left: number;
  endAt: number;
}

/** What does not change from one viewing to the next: the viewer's player and speed. */
interface Player {
  segments: boolean;
  rate: number;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

function playerOf(r: () => number): Player {
  const speed = r();
  return { segments: r() >= 0.1, rate: speed < 0.85 ? 1 : speed < 0.95 ? 1.5 : 1.25 };
}

/**
 * Where a viewer leaves a video on their first watch (seconds of video): a fifth bounce in the
 * first two minutes, a twentieth leave at a hard part at 42 %, a tenth watch to the end, the
 * rest leave along a steady decline.
 */
function stopPoint(r: () => number, d: number): number {
  const u = r();
  if (u < 0.2) return Math.min(d * 0.3, 10 + r() * 110);
  if (u < 0.25) return d * 0.42 + (r() - 0.5) * 20;
  if (u < 0.35) return d;
  return d * (0.03 + 0.97 * r() ** 3);
}

/**
 * One watch session: heartbeats from `startPos` until the viewer leaves at `stopAt` (or runs out of
 * `budget` heartbeats), starting at `startAt`. Returns where and when it ended.
 */
function* watch(
  r: () => number,
  video: VideoSpec,
  player: Player,
  startAt: number,
  startPos: number,
  stopAt: number,
  budget: Budget,
): Generator<Beat, { at: number; pos: number }> {
  const d = video.durationSec;
  const rate = player.rate;
  const hardPart = d * 0.6;
  let t = startAt;
  let pos = startPos;
  let rewoundHardPart = false;
  let first = true;
  while (budget.left > 0) {
    const interval = HEARTBEAT_SEC + (r() - 0.5) * 0.4;
    const segments: [number, number][] = [];
    let stopped = false;
    let used = 0;
    // Plays `wall` seconds from the current position, stopping where the viewer leaves.
    const play = (wall: number) => {
      const end = Math.min(pos + rate * wall, stopAt, d);
      if (end - pos >= 0.001) segments.push([round3(pos), round3(end)]);
      used += (end - pos) / rate;
      stopped = end >= stopAt || end >= d;
      pos = end;
    };
    let seekAfter = -1;
    let seekTo = 0;
    if (first && startPos === 0 && stopAt > 90 && r() < 0.2) {
      // Skips the intro.
      seekAfter = 3 + r() * 4;
      seekTo = 30 + r() * 20;
    } else if (!rewoundHardPart && pos >= hardPart && pos < hardPart + rate * interval) {
      rewoundHardPart = true;
      if (r() < 0.35) {
        seekAfter = r() * interval;
        seekTo = pos + rate * seekAfter - (30 + r() * 30);
      }
    } else {
      const u = r();
      if (u < 0.012) {
        seekAfter = r() * interval;
        seekTo = pos + rate * seekAfter + 20 + r() * 160;
      } else if (u < 0.022) {
        seekAfter = r() * interval;
        seekTo = pos + rate * seekAfter - (10 + r() * 30);
      }
    }
    // A seek never lands past where the viewer is going to leave.
    if (seekAfter >= 0 && seekTo < stopAt - 1) {
      play(seekAfter);
      if (!stopped) pos = Math.max(0, seekTo);
      play(interval - seekAfter);
    } else {
      play(interval);
    }
    t += stopped ? Math.max(used, 0.5) * 1000 : interval * 1000;
    first = false;
    budget.left--;
    const ended = stopped && pos >= d;
    yield {
      itemId: video.id,
      durationSec: d,
      at: Math.round(t),
      positionSec: round3(pos),
      ...(player.segments ? { segments } : {}),
      rate,
      ended,
    };
    if (stopped) break;
    // Pauses: mostly a few minutes (same watch session), sometimes long enough to start a new one;
    // none in the last hours of the window, so that every stream ends before it does.
    if (r() < 0.004) {
      const pause = r() < 0.9 ? MINUTE + r() * 24 * MINUTE : 35 * MINUTE + r() * 85 * MINUTE;
      if (t + pause < budget.endAt - 3 * HOUR) t += pause;
    }
  }
  return { at: t, pos };
}

export interface ViewingOptions {
  /** When a viewer who left comes back for another watch session, after the previous one ended. */
  returnGapMs(r: () => number): number;
  /** No heartbeat after this instant. */
  endAt: number;
}

/**
 * A viewer's viewing of one video: a first watch session and, for some, later ones (resuming where
 * they left, or watching again after finishing).
 */
function* viewing(
  r: () => number,
  video: VideoSpec,
  player: Player,
  startAt: number,
  opts: ViewingOptions,
  budget: Budget,
): Generator<Beat, number> {
  const d = video.durationSec;
  let stopAt = stopPoint(r, d);
  let { at, pos } = yield* watch(r, video, player, startAt, 0, stopAt, budget);
  for (let k = 0; k < 3 && budget.left > 0; k++) {
    const finished = pos >= d;
    if (r() >= (finished ? 0.05 : 0.15)) break;
    const next = at + opts.returnGapMs(r);
    if (next > opts.endAt - 3 * HOUR) break;
    const from = finished ? 0 : Math.max(0, pos - 15);
    stopAt = finished ? d * (0.1 + 0.9 * r()) : Math.min(d, pos + 60 + (d - pos) * r() ** 1.5);
    ({ at, pos } = yield* watch(r, video, player, next, from, stopAt, budget));
  }
  return at;
}

export const heartbeatEvent = (b: Beat, userId: string, id: string = randomUUID()): LearningEvent => ({
  id,
  type: 'video_heartbeat',
  occurredAt: new Date(b.at).toISOString(),
  userId,
  courseId: COURSE_ID,
  itemId: b.itemId,
  data: {
    positionSec: b.positionSec,
    durationSec: b.durationSec,
    ...(b.segments ? { segments: b.segments } : {}),
    ...(b.rate !== 1 ? { playbackRate: b.rate } : {}),
    ...(b.ended ? { ended: true } : {}),
  },
});

/** A binary min-heap of streams by the time of their next heartbeat. */
class StreamHeap {
  private readonly items: { at: number; beat: Beat; userId: string; rest: Iterator<Beat, unknown> }[] = [];

  push(userId: string, stream: Iterator<Beat, unknown>): void {
    const first = stream.next();
    if (first.done) return;
    const items = this.items;
    items.push({ at: first.value.at, beat: first.value, userId, rest: stream });
    let i = items.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (items[p]!.at <= items[i]!.at) break;
      [items[p], items[i]] = [items[i]!, items[p]!];
      i = p;
    }
  }

  /** The earliest heartbeat of all streams, with its viewer. */
  pop(): { beat: Beat; userId: string } | undefined {
    const items = this.items;
    const top = items[0];
    if (!top) return undefined;
    const out = { beat: top.beat, userId: top.userId };
    const next = top.rest.next();
    if (next.done) {
      const last = items.pop()!;
      if (items.length === 0) return out;
      items[0] = last;
    } else {
      top.at = next.value.at;
      top.beat = next.value;
    }
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const rr = l + 1;
      let m = i;
      if (l < items.length && items[l]!.at < items[m]!.at) m = l;
      if (rr < items.length && items[rr]!.at < items[m]!.at) m = rr;
      if (m === i) break;
      [items[m], items[i]] = [items[i]!, items[m]!];
      i = m;
    }
    return out;
  }
}

export interface IngestStreamOptions {
  heartbeats: number;
  viewers: number;
  clients: number;
  /** Viewers start watching in the first (window − 12 h) of it; it ends a few minutes before now. */
  windowHours: number;
  end: number;
}

/**
 * The heartbeat-ingest workload: `viewers` viewers of the course's videos, each owned by one of
 * `clients` clients (viewer i by client i mod clients). Each client's viewers share exactly
 * heartbeats ÷ clients heartbeats (engagement decides who sends how many); a viewer watches the
 * videos in course order, most from the first, one viewing after another, until their share is
 * spent. A client sends its viewers' heartbeats merged in time order.
 */
export class IngestWorkload {
  /** Distinct (viewer, video) pairs seen so far, and requests built, for the report. */
  readonly pairs = new Set<string>();
  private readonly merged: StreamHeap[] = [];
  private readonly left: number[] = [];
  private pairsPerRequest = 0;
  private requests = 0;

  constructor(readonly opts: IngestStreamOptions) {
    const { heartbeats, viewers, clients, windowHours, end } = opts;
    if (windowHours < 13) throw new Error('the window must be at least 13 hours');
    const start = end - windowHours * HOUR;
    const options: ViewingOptions = {
      returnGapMs: (r) => 35 * MINUTE + r() * 3 * HOUR,
      endAt: end,
    };
    for (let c = 0; c < clients; c++) {
      const r = prng(104_729 * (c + 1));
      const total = Math.floor(heartbeats / clients) + (c < heartbeats % clients ? 1 : 0);
      this.left.push(total);
      const mine: number[] = [];
      for (let i = c; i < viewers; i += clients) mine.push(i);
      const weights = mine.map(() => 0.25 + 1.5 * r());
      const sum = weights.reduce((a, b) => a + b, 0);
      const budgets = weights.map((w) => Math.floor((total * w) / sum));
      let rest = total - budgets.reduce((a, b) => a + b, 0);
      for (let k = 0; rest > 0; k = (k + 1) % budgets.length, rest--) budgets[k]!++;
      const heap = new StreamHeap();
      mine.forEach((i, k) => {
        const vr = prng(7_919 * (i + 1));
        const startAt = start + vr() * (windowHours - 12) * HOUR;
        heap.push(viewerId(i), this.viewerStream(vr, startAt, budgets[k]!, options));
      });
      this.merged.push(heap);
    }
  }

  private *viewerStream(
    r: () => number,
    startAt: number,
    budget: number,
    opts: ViewingOptions,
  ): Generator<Beat, void> {
    const videos = INGEST_VIDEOS;
    const player = playerOf(r);
    const left = { left: budget, endAt: opts.endAt };
    let v = r() < 0.6 ? 0 : Math.floor(r() * videos.length);
    let at = startAt;
    while (left.left > 0) {
      at = yield* viewing(r, videos[v]!, player, at, opts, left);
      // A break, then the next video (after the last, the first again); a short one late in the
      // window, where what is left (at most a few hundred heartbeats) must still fit.
      const pause = MINUTE + r() * 20 * MINUTE;
      at += at + pause < opts.endAt - 3 * HOUR ? pause : 30_000;
      v = (v + 1) % videos.length;
      if (left.left > 0 && at > opts.endAt - HOUR)
        throw new Error('a viewer stream does not fit in the window');
    }
  }

  /** Client `c`'s next request body of up to `n` heartbeats, or undefined when it has sent all. */
  body(c: number, n: number): { body: string; events: number } | undefined {
    const heap = this.merged[c]!;
    const events: LearningEvent[] = [];
    const pairs = new Set<string>();
    for (let k = 0; k < n; k++) {
      const next = heap.pop();
      if (!next) break;
      events.push(heartbeatEvent(next.beat, next.userId));
      const pair = `${next.userId}\u0000${next.beat.itemId}`;
      pairs.add(pair);
      this.pairs.add(pair);
    }
    if (events.length === 0) return undefined;
    this.left[c]! -= events.length;
    this.requests++;
    this.pairsPerRequest += pairs.size;
    return { body: JSON.stringify({ events }), events: events.length };
  }

  /** Mean number of distinct (viewer, video) pairs in a request. */
  viewersPerRequest(): number {
    return this.requests > 0 ? this.pairsPerRequest / this.requests : 0;
  }

  /** Heartbeats client `c` still has to send. */
  remaining(c: number): number {
    return this.left[c]!;
  }
}

export interface AnalyticsStreamOptions {
  viewers: number;
  /** The viewers start their first watch within the last `days` days. */
  days: number;
  end: number;
  /** Seed: different videos draw different viewers' behaviour. */
  seed: number;
}

/**
 * The viewers of one video for the analytics bench, one at a time: each viewer's heartbeats in
 * time order (first watch within the last `days` days; some come back 1–6 days later).
 */
export function* videoViewers(
  video: VideoSpec,
  opts: AnalyticsStreamOptions,
): Generator<{ userId: string; beats: Beat[] }> {
  const options: ViewingOptions = { returnGapMs: (r) => DAY + r() * 5 * DAY, endAt: opts.end };
  const span = opts.days * DAY - 6 * HOUR;
  for (let i = 0; i < opts.viewers; i++) {
    const r = prng(opts.seed * 1_000_003 + i);
    const player = playerOf(r);
    const startAt = opts.end - opts.days * DAY + r() * span;
    const beats = [
      ...viewing(r, video, player, startAt, options, { left: Number.POSITIVE_INFINITY, endAt: opts.end }),
    ];
    yield { userId: viewerId(i), beats };
  }
}
