import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { LearningEvent } from '../events/types.js';
import {
  byTime,
  foldViewing,
  type Heartbeat,
  heartbeatOf,
  isAfter,
  playedSegments,
  type VideoFacts,
  type Viewing,
  viewingSummary,
} from './viewing.js';

const T0 = Date.parse('2024-03-01T10:00:00.000Z');
const SEC = 1000;
const MIN = 60 * SEC;

/** -0 (from Math.ceil(-0.4)) and 0 are the same second. */
const norm = (a: readonly number[]) => a.map((x) => (x === 0 ? 0 : x));

function hb(
  id: string,
  atSec: number,
  positionSec: number,
  segments?: [number, number][],
  extra: Partial<Heartbeat> = {},
): Heartbeat {
  return {
    id,
    at: T0 + atSec * SEC,
    positionSec,
    durationSec: 600,
    segments,
    rate: 1,
    ended: false,
    ...extra,
  };
}

const fold = (hbs: Heartbeat[], facts: VideoFacts = { durationSec: 600, threshold: 90 }) =>
  foldViewing(undefined, [...hbs].sort(byTime), facts);

describe('heartbeatOf / byTime / isAfter', () => {
  it('reads a video_heartbeat event, with rate 1 and not ended by default', () => {
    const e: LearningEvent = {
      id: 'e1',
      type: 'video_heartbeat',
      occurredAt: '2024-03-01T10:00:05.250Z',
      userId: 'u1',
      data: { positionSec: 12, durationSec: 600 },
    };
    const h = heartbeatOf(e);
    assert.deepEqual(
      [h.id, h.at, h.positionSec, h.durationSec, h.segments, h.rate, h.ended],
      ['e1', T0 + 5250, 12, 600, undefined, 1, false],
    );
    const full = heartbeatOf({
      ...e,
      data: { positionSec: 12, durationSec: 600, segments: [[0, 12]], playbackRate: 1.5, ended: true },
    });
    assert.deepEqual(full.segments, [[0, 12]]);
    assert.equal(full.rate, 1.5);
    assert.equal(full.ended, true);
  });

  it('orders by time, then by event id', () => {
    const a = hb('b', 10, 0);
    const b = hb('a', 10, 0);
    const c = hb('a', 9, 0);
    assert.deepEqual(
      [a, b, c].sort(byTime).map((h) => `${h.id}@${h.at - T0}`),
      ['a@9000', 'a@10000', 'b@10000'],
    );
    const v = fold([hb('m', 10, 0)]);
    assert.equal(isAfter(hb('n', 10, 0), v), true);
    assert.equal(isAfter(hb('l', 10, 0), v), false);
    assert.equal(isAfter(hb('m', 10, 0), v), false);
    assert.equal(isAfter(hb('a', 11, 0), v), true);
    assert.equal(isAfter(hb('z', 9, 0), v), false);
  });
});

describe('watch sessions', () => {
  it('keeps heartbeats 29 minutes apart in one session and starts another 31 minutes later', () => {
    const v = fold([
      hb('h1', 0, 5, [[0, 5]]),
      hb('h2', 29 * 60, 40, [[5, 40]]),
      hb('h3', 29 * 60 + 31 * 60, 20, [[10, 20]], { ended: true }),
      hb('h4', 29 * 60 + 31 * 60 + 10, 30, [[20, 30]]),
    ]);
    assert.equal(v.sessions.length, 2);
    assert.deepEqual(
      v.sessions.map((s) => [s.number, s.id, s.startAt - T0, s.lastAt - T0, s.maxPositionSec, s.ended]),
      [
        [1, 'h1', 0, 29 * MIN, 40, false],
        [2, 'h3', 60 * MIN, 60 * MIN + 10 * SEC, 30, true],
      ],
    );
    assert.deepEqual(norm(v.sessions[0]!.seconds), [0, 40]);
    assert.deepEqual(norm(v.sessions[1]!.seconds), [10, 30]);
  });

  it('starts a new session at a gap of exactly 30 minutes, not at 30 minutes less 1 ms', () => {
    const at30 = foldViewing(undefined, [hb('a', 0, 0), { ...hb('b', 0, 0), at: T0 + 30 * MIN }], {
      durationSec: 600,
      threshold: 90,
    });
    assert.deepEqual(
      at30.sessions.map((s) => [s.number, s.id]),
      [
        [1, 'a'],
        [2, 'b'],
      ],
    );
    const under = foldViewing(undefined, [hb('a', 0, 0), { ...hb('b', 0, 0), at: T0 + 30 * MIN - 1 }], {
      durationSec: 600,
      threshold: 90,
    });
    assert.deepEqual(
      under.sessions.map((s) => [s.number, s.id]),
      [[1, 'a']],
    );
  });

  it('measures the session gap from the previous heartbeat, not from the session start', () => {
    // Heartbeats every 20 minutes for 2 hours: one session.
    const hbs = Array.from({ length: 7 }, (_, i) => hb(`h${i}`, i * 20 * 60, 0));
    assert.equal(fold(hbs).sessions.length, 1);
  });

  it('takes the session maximum position from positions and kept segment ends, clipped to the duration', () => {
    const v = fold([hb('h1', 0, 3, [[0, 30]]), hb('h2', 30, 700, [])]);
    assert.equal(v.sessions[0]!.maxPositionSec, 600);
    const w = fold([hb('h1', 0, 3, [[0, 30.75]])]);
    assert.equal(w.sessions[0]!.maxPositionSec, 30.75);
    assert.equal(viewingSummary(w).maxPositionSec, 30.75);
    assert.equal(viewingSummary(w).lastPositionSec, 3);
  });
});

describe('honest inputs', () => {
  it('keeps 62 s of a first heartbeat claiming all 600 s, clips 538 s and does not complete', () => {
    const v = fold([hb('h1', 0, 600, [[0, 600]])]);
    const sum = viewingSummary(v);
    assert.equal(sum.uniqueSec, 62);
    assert.equal(sum.playedSec, 62);
    assert.equal(sum.clippedSec, 538);
    assert.deepEqual(norm(v.seconds), [0, 62]);
    assert.equal(v.completedAt, null);
    // The claimed position still counts as how far the learner got.
    assert.equal(v.sessions[0]!.maxPositionSec, 600);
  });

  it('allows rate × elapsed + 2: 22 s at rate 2 ten seconds after the previous heartbeat', () => {
    const v = fold([hb('h1', 0, 10, [[0, 10]]), hb('h2', 10, 60, [[10, 60]], { rate: 2 })]);
    assert.deepEqual(norm(v.seconds), [0, 32]);
    assert.equal(viewingSummary(v).clippedSec, 28);
    // The allowance runs over the segments in list order: the one crossing it is cut.
    const w = fold([
      hb('h1', 0, 10, [[0, 10]]),
      hb(
        'h2',
        10,
        60,
        [
          [30, 50],
          [10, 20],
          [100, 110],
        ],
        { rate: 2 },
      ),
    ]);
    // [30, 50] keeps 20 s, [10, 20] the 2 s left (not joined: it starts before 50), [100, 110] none.
    assert.deepEqual(norm(w.seconds), [0, 12, 30, 50]);
    assert.deepEqual(norm(w.sessions[0]!.plays), [0, 12, 1, 30, 50, 1]);
    assert.equal(viewingSummary(w).clippedSec, 8 + 10);
  });

  it('allows rate × 60 + 2 on a session’s first heartbeat', () => {
    const v = fold([hb('h1', 0, 0, [[0, 600]], { rate: 1.5 })]);
    assert.equal(viewingSummary(v).uniqueSec, 92);
    assert.equal(viewingSummary(v).clippedSec, 508);
    // A heartbeat 31 minutes later is a session's first again.
    const w = fold([hb('h1', 0, 0, [[0, 10]]), hb('h2', 31 * 60, 0, [[100, 300]])]);
    assert.deepEqual(norm(w.seconds), [0, 10, 100, 162]);
  });

  it('plays position-only heartbeats 10 s apart advancing 10 s, and nothing for seeks, rewinds or long gaps', () => {
    const v = fold([
      hb('h1', 0, 0), // a session's first heartbeat: nothing before it
      hb('h2', 10, 10), // [0, 10]
      hb('h3', 20, 100), // seek: 90 s in 10 s
      hb('h4', 30, 110), // [100, 110]
      hb('h5', 40, 50), // rewind
      hb('h6', 50, 60), // [50, 60]
      hb('h7', 111, 70), // 61 s after the previous one: nothing
      hb('h8', 171, 80), // exactly 60 s: [70, 80]
    ]);
    assert.deepEqual(norm(v.seconds), [0, 10, 50, 60, 70, 80, 100, 110]);
    assert.equal(viewingSummary(v).clippedSec, 0);
    assert.equal(v.sessions[0]!.maxPositionSec, 110);
    assert.equal(viewingSummary(v).lastPositionSec, 80);
  });

  it('counts a position-only move of exactly the allowance and refuses one just past it', () => {
    const exact = fold([hb('h1', 0, 0), hb('h2', 10, 12)]);
    assert.deepEqual(norm(exact.seconds), [0, 12]);
    const past = fold([hb('h1', 0, 0), hb('h2', 10, 12.25)]);
    assert.deepEqual(past.seconds, []);
    const faster = fold([hb('h1', 0, 0), hb('h2', 10, 22, undefined, { rate: 2 })]);
    assert.deepEqual(norm(faster.seconds), [0, 22]);
  });

  it('joins a gap of 0.6 s after the previous kept segment but not one of 1.0 s', () => {
    const joined = fold([hb('h1', 0, 10, [[0, 10]]), hb('h2', 10, 20, [[10.6, 20]])]);
    assert.equal(viewingSummary(joined).uniqueSec, 20);
    assert.deepEqual(norm(joined.seconds), [0, 20]);
    const apart = fold([hb('h1', 0, 10, [[0, 10]]), hb('h2', 10, 20, [[11, 20]])]);
    assert.equal(viewingSummary(apart).uniqueSec, 19);
    assert.deepEqual(norm(apart.seconds), [0, 10, 11, 20]);
    // Within one heartbeat too, in list order.
    const inList = fold([
      hb('h1', 0, 20, [
        [0, 10],
        [10.6, 20],
      ]),
    ]);
    assert.deepEqual(norm(inList.seconds), [0, 20]);
    // Not across sessions.
    const across = fold([hb('h1', 0, 10, [[0, 10]]), hb('h2', 40 * 60, 20, [[10.6, 20]])]);
    assert.deepEqual(norm(across.seconds), [0, 10, 11, 20]);
    // A segment starting before the previous end is not moved.
    const overlap = fold([
      hb('h1', 0, 20, [
        [0, 10.6],
        [9.6, 20],
      ]),
    ]);
    assert.deepEqual(norm(overlap.sessions[0]!.plays), [0, 10, 1, 10, 11, 2, 11, 20, 1]);
  });

  it('reports a joined segment through playedSegments', () => {
    const v = fold([hb('h1', 0, 10, [[0, 10]])]);
    const { segments, clippedSec } = playedSegments(hb('h2', 10, 20, [[10.5, 15]]), v.sessions[0], 600);
    assert.deepEqual(segments, [[10, 15]]);
    assert.equal(clippedSec, 0);
  });

  it('clips segment ends and positions to the duration', () => {
    const v = fold([hb('h1', 0, 650, [[590, 650]])], { durationSec: 600, threshold: 90 });
    assert.deepEqual(v.seconds, [590, 600]);
    assert.equal(v.sessions[0]!.maxPositionSec, 600);
    assert.equal(viewingSummary(v).clippedSec, 0);
    // Without a catalog duration the longest reported one is used.
    const w = foldViewing(
      undefined,
      [hb('h1', 0, 30, [[0, 30]], { durationSec: 20 }), hb('h2', 30, 60, [[30, 60]], { durationSec: 50 })],
      { durationSec: null, threshold: 90 },
    );
    assert.equal(w.durationSec, 50);
    assert.deepEqual(norm(w.seconds), [0, 50]);
  });
});

describe('completion', () => {
  /** Heartbeats 60 s apart, each playing the next 60 s, the last one ending at `lastEnd`. */
  const run = (count: number, lastEnd: number) =>
    Array.from({ length: count }, (_, i) =>
      hb(`h${i}`, i * 60, Math.min((i + 1) * 60, lastEnd), [[i * 60, Math.min((i + 1) * 60, lastEnd)]]),
    );

  it('completes at the heartbeat reaching 540 of 600 s at 90, not at 539', () => {
    const at540 = fold(run(10, 600));
    assert.equal(at540.completedAt, T0 + 8 * 60 * SEC);
    const exactly540 = fold(run(9, 540));
    assert.equal(viewingSummary(exactly540).uniqueSec, 540);
    assert.equal(exactly540.completedAt, T0 + 8 * 60 * SEC);
    const only539 = fold(run(9, 539));
    assert.equal(viewingSummary(only539).uniqueSec, 539);
    assert.equal(only539.completedAt, null);
    const later = fold([...run(9, 539), hb('late', 9 * 60, 540, [[539, 540]])]);
    assert.equal(later.completedAt, T0 + 9 * 60 * SEC);
    // Folding more afterwards keeps the first time.
    const after = foldViewing(later, [hb('z', 10 * 60, 600, [[540, 600]])], {
      durationSec: 600,
      threshold: 90,
    });
    assert.equal(after.completedAt, T0 + 9 * 60 * SEC);
  });

  it('compares without division (29 of 100 s at 29 %, where 29 / 100 × 100 < 29)', () => {
    const v = foldViewing(undefined, [hb('h1', 0, 29, [[0, 29]], { durationSec: 100 })], {
      durationSec: 100,
      threshold: 29,
    });
    assert.equal(v.completedAt, T0);
    const w = foldViewing(undefined, [hb('h1', 0, 28.75, [[0, 28.75]])], { durationSec: 100, threshold: 29 });
    assert.equal(viewingSummary(w).uniqueSec, 29);
    assert.equal(w.completedAt, T0);
    const x = foldViewing(undefined, [hb('h1', 0, 28.25, [[0, 28.25]])], { durationSec: 100, threshold: 29 });
    assert.equal(x.completedAt, null);
  });

  it('caps watched percent at 100 and counts replays only once', () => {
    const v = fold([hb('h1', 0, 50, [[0, 50]]), hb('h2', 50, 50, [[0, 50]])], {
      durationSec: 50,
      threshold: 100,
    });
    const sum = viewingSummary(v);
    assert.equal(sum.uniqueSec, 50);
    assert.equal(sum.playedSec, 100);
    assert.equal(sum.watchedPct, 100);
    assert.equal(v.completedAt, T0);
  });
});

// ---------------------------------------------------------------------------------------------
// Random heartbeats. Times are multiples of 250 ms and positions quarter seconds, so every sum the
// rules take is exact and the oracle's arithmetic cannot drift from the engine's.

const GAP = 30 * MIN;
const quarter = (max: number) => fc.integer({ min: 0, max: max * 4 }).map((k) => k / 4);

const gapArb = fc.oneof(
  fc.integer({ min: 0, max: 80 * 4 }).map((k) => k * 250), // 0 to 80 s
  fc.constantFrom(60 * SEC, 60 * SEC + 250, 29 * MIN, 30 * MIN - 250, 30 * MIN, 31 * MIN, 5 * 60 * MIN),
);

const segmentArb = (dMax: number) =>
  fc
    .tuple(quarter(dMax + 10), fc.oneof(quarter(3), quarter(40), fc.constantFrom(0, 0.25, 0.5, 1, 0.75)))
    .map(([s, len]): [number, number] => [s, s + len]);

interface RawHeartbeat {
  gapMs: number;
  key: number;
  positionSec: number;
  durationSec: number;
  segments: [number, number][] | undefined;
  rate: number;
  ended: boolean;
}

const rawHeartbeatArb = (dMax: number) =>
  fc.record({
    gapMs: gapArb,
    key: fc.integer({ min: 0, max: 1_000_000 }),
    positionSec: quarter(dMax + 10),
    durationSec: fc.integer({ min: 1, max: dMax }),
    segments: fc.option(fc.array(segmentArb(dMax), { maxLength: 4 }), { nil: undefined }),
    rate: fc.constantFrom(0.5, 1, 1.5, 2),
    ended: fc.boolean(),
  });

/** Heartbeats with random ids (ties in time go by id, not by generation order), as generated. */
const heartbeatsArb = (dMax: number, maxLength = 14) =>
  fc
    .uniqueArray(rawHeartbeatArb(dMax), { selector: (r) => r.key, minLength: 1, maxLength })
    .map((raws: RawHeartbeat[]) => {
      let at = T0;
      return raws.map((r): Heartbeat => {
        at += r.gapMs;
        return {
          id: `e${r.key.toString(36).padStart(4, '0')}`,
          at,
          positionSec: r.positionSec,
          durationSec: r.durationSec,
          segments: r.segments,
          rate: r.rate,
          ended: r.ended,
        };
      });
    });

/**
 * The whole seconds percents and thresholds are of: the seconds t a segment inside the video can
 * cover (t + 0.5 < D), at least one (seconds.ts `videoSeconds`; /tmp/engine-rules.md still says D).
 */
const wholeSeconds = (D: number) => {
  let n = 0;
  while (n + 0.5 < D) n++;
  return Math.max(1, n);
};

/** Second t is watched by [s, e) iff s ≤ t + 0.5 < e. */
const covers = (s: number, e: number, t: number) => s <= t + 0.5 && t + 0.5 < e;

const setOfBooleans = (on: readonly boolean[]) => {
  const out: number[] = [];
  for (let t = 0; t < on.length; t++) {
    if (!on[t]) continue;
    if (out.length > 0 && out[out.length - 1] === t) out[out.length - 1] = t + 1;
    else out.push(t, t + 1);
  }
  return out;
};

const runsOfCounts = (counts: readonly number[]) => {
  const out: number[] = [];
  for (let t = 0; t < counts.length; t++) {
    const n = counts[t]!;
    if (n === 0) continue;
    const k = out.length;
    if (k > 0 && out[k - 2] === t && out[k - 1] === n) out[k - 2] = t + 1;
    else out.push(t, t + 1, n);
  }
  return out;
};

interface OracleSession {
  number: number;
  id: string;
  startAt: number;
  lastAt: number;
  watched: boolean[];
  plays: number[];
  maxPositionSec: number;
  ended: boolean;
  clippedSec: number;
}

/**
 * The rules of /tmp/engine-rules.md, second by second, allowance included: heartbeats in (time,
 * id) order, sessions cut at gaps of 30 minutes or more, each heartbeat keeping its (clipped)
 * segments in list order until rate × elapsed + 2 is used up, joins under a second, and a boolean
 * and a count per second.
 */
function oracle(heartbeats: readonly Heartbeat[], facts: VideoFacts) {
  const sorted = [...heartbeats].sort((a, b) =>
    a.at !== b.at ? a.at - b.at : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
  const D = facts.durationSec ?? Math.max(0, ...heartbeats.map((h) => h.durationSec));
  const L = Math.ceil(D);
  const watched = new Array<boolean>(L).fill(false);
  const sessions: OracleSession[] = [];
  let completedAt: number | null = null;
  let prev: Heartbeat | undefined;
  let prevPos = 0;
  let lastEnd: number | null = null;
  for (const h of sorted) {
    const fresh = prev === undefined || h.at - prev.at >= GAP;
    if (fresh) {
      sessions.push({
        number: sessions.length + 1,
        id: h.id,
        startAt: h.at,
        lastAt: h.at,
        watched: new Array<boolean>(L).fill(false),
        plays: new Array<number>(L).fill(0),
        maxPositionSec: 0,
        ended: false,
        clippedSec: 0,
      });
      lastEnd = null;
    }
    const s = sessions[sessions.length - 1]!;
    const elapsedSec = fresh ? 60 : (h.at - prev!.at) / 1000;
    let left = h.rate * elapsedSec + 2;
    const pos = Math.min(h.positionSec, D);
    const claimed: [number, number][] = [];
    if (h.segments) for (const [a, b] of h.segments) claimed.push([Math.min(a, D), Math.min(b, D)]);
    else if (!fresh && h.at - prev!.at <= 60 * SEC && pos > prevPos && pos - prevPos <= left) {
      claimed.push([prevPos, pos]);
    }
    for (const [a, b] of claimed) {
      const take = Math.min(b - a, Math.max(0, left));
      left -= take;
      s.clippedSec += b - a - take;
      if (take <= 0) continue;
      const end = a + take;
      const start = lastEnd !== null && a >= lastEnd && a - lastEnd < 1 ? lastEnd : a;
      for (let t = 0; t < L; t++) {
        if (!covers(start, end, t)) continue;
        watched[t] = true;
        s.watched[t] = true;
        s.plays[t]!++;
      }
      lastEnd = end;
      s.maxPositionSec = Math.max(s.maxPositionSec, end);
    }
    s.maxPositionSec = Math.max(s.maxPositionSec, pos);
    s.ended ||= h.ended;
    s.lastAt = h.at;
    prevPos = pos;
    prev = h;
    if (completedAt === null && watched.filter(Boolean).length * 100 >= facts.threshold * wholeSeconds(D))
      completedAt = h.at;
  }
  return { D, watched, sessions, completedAt };
}

function assertMatchesOracle(v: Viewing, heartbeats: readonly Heartbeat[], facts: VideoFacts) {
  const o = oracle(heartbeats, facts);
  assert.equal(v.durationSec, o.D);
  assert.deepEqual(norm(v.seconds), setOfBooleans(o.watched));
  assert.equal(v.completedAt, o.completedAt);
  assert.deepEqual(
    v.sessions.map((s) => ({
      number: s.number,
      id: s.id,
      startAt: s.startAt,
      lastAt: s.lastAt,
      seconds: norm(s.seconds),
      plays: norm(s.plays),
      maxPositionSec: s.maxPositionSec,
      ended: s.ended,
      clippedSec: s.clippedSec,
    })),
    o.sessions.map((s) => ({
      number: s.number,
      id: s.id,
      startAt: s.startAt,
      lastAt: s.lastAt,
      seconds: setOfBooleans(s.watched),
      plays: runsOfCounts(s.plays),
      maxPositionSec: s.maxPositionSec,
      ended: s.ended,
      clippedSec: s.clippedSec,
    })),
  );
  const sum = viewingSummary(v);
  assert.equal(sum.uniqueSec, o.watched.filter(Boolean).length);
  assert.equal(
    sum.playedSec,
    o.sessions.reduce((n, s) => n + s.plays.reduce((x, y) => x + y, 0), 0),
  );
  assert.equal(
    sum.clippedSec,
    o.sessions.reduce((n, s) => n + s.clippedSec, 0),
  );
}

const factsArb = (dMax: number) =>
  fc.record({
    durationSec: fc.option(
      fc.oneof(
        fc.integer({ min: 1, max: dMax }),
        quarter(dMax).filter((d) => d > 0),
      ),
      { nil: null },
    ),
    threshold: fc.constantFrom(10, 50, 90, 100, 29),
  });

describe('folding random heartbeats, allowance and clipping included', () => {
  it('matches a second-by-second oracle of the rules', () => {
    fc.assert(
      fc.property(heartbeatsArb(60), factsArb(60), (hbs, facts) => {
        assertMatchesOracle(foldViewing(undefined, [...hbs].sort(byTime), facts), hbs, facts);
      }),
      { numRuns: 500 },
    );
  });

  it('matches the oracle on dense, short videos (many overlaps, joins and clips)', () => {
    fc.assert(
      fc.property(heartbeatsArb(12, 20), factsArb(12), (hbs, facts) => {
        assertMatchesOracle(foldViewing(undefined, [...hbs].sort(byTime), facts), hbs, facts);
      }),
      { numRuns: 500 },
    );
  });
});

describe('arrival order', () => {
  it('folding a time-ordered prefix and then the rest equals folding everything at once', () => {
    fc.assert(
      fc.property(heartbeatsArb(40, 16), fc.integer({ min: 0, max: 600 }), fc.nat(), (hbs, d, split) => {
        const facts = { durationSec: d > 0 ? d : null, threshold: 90 };
        const sorted = [...hbs].sort(byTime);
        const k = split % (sorted.length + 1);
        const prefix = sorted.slice(0, k);
        const rest = sorted.slice(k);
        // Without a catalog duration, an incremental fold is only valid while no longer one is
        // reported (the projection folds the whole history again otherwise).
        if (facts.durationSec === null) {
          const d0 = Math.max(0, ...prefix.map((h) => h.durationSec));
          for (const h of rest) h.durationSec = Math.min(h.durationSec, Math.max(1, d0));
          if (prefix.length === 0) return;
        }
        const whole = foldViewing(undefined, sorted, facts);
        const prev = foldViewing(undefined, prefix, facts);
        assert.ok(rest.every((h) => isAfter(h, prev)));
        assert.deepEqual(foldViewing(prev, rest, facts), whole);
        // Shuffled arrival, sorted by byTime, gives the same.
        const shuffled = [...sorted].reverse().sort(byTime);
        assert.deepEqual(foldViewing(undefined, shuffled, facts), whole);
      }),
      { numRuns: 500 },
    );
  });

  it('folding one heartbeat at a time equals folding everything at once', () => {
    fc.assert(
      fc.property(heartbeatsArb(40, 16), (hbs) => {
        const facts = { durationSec: 40, threshold: 50 };
        const sorted = [...hbs].sort(byTime);
        let v: Viewing | undefined;
        for (const h of sorted) v = foldViewing(v, [h], facts);
        assert.deepEqual(v, foldViewing(undefined, sorted, facts));
      }),
      { numRuns: 300 },
    );
  });

  it('does not change the viewing it folds onto', () => {
    const facts = { durationSec: 600, threshold: 90 };
    const prev = foldViewing(undefined, [hb('a', 0, 10, [[0, 10]])], facts);
    const copy = structuredClone(prev);
    foldViewing(prev, [hb('b', 10, 20, [[10, 20]])], facts);
    assert.deepEqual(prev, copy);
  });
});
