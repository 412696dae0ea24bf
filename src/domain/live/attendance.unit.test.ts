import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { LearningEvent } from '../events/types.js';
import {
  attendedIntervals,
  concurrency,
  type Interval,
  isConnected,
  type Mark,
  sortMarks,
  totalMs,
  unionIntervals,
} from './attendance.js';
import { foldAttendee } from './attendee.js';
import { liveReport } from './report.js';

const T0 = Date.parse('2024-05-07T14:00:00.000Z');
const SEC = 1000;
const MIN = 60 * SEC;
/** Minutes from T0 as epoch milliseconds. */
const at = (min: number) => T0 + min * MIN;
const join = (min: number, connection = ''): Mark => ({ at: at(min), kind: 'join', connection });
const leave = (min: number, connection = ''): Mark => ({ at: at(min), kind: 'leave', connection });
const span = (a: number, b: number): Interval => ({ start: at(a), end: at(b) });

describe('sortMarks / unionIntervals / totalMs', () => {
  it('orders by time, then leaves before joins, then connection', () => {
    const marks = [join(5, 'b'), join(5, 'a'), leave(5, 'b'), leave(1, 'z'), join(0, 'z')];
    assert.deepEqual(sortMarks(marks), [
      join(0, 'z'),
      leave(1, 'z'),
      leave(5, 'b'),
      join(5, 'a'),
      join(5, 'b'),
    ]);
    // The input is left alone.
    assert.deepEqual(marks[0], join(5, 'b'));
  });

  it('merges overlapping and touching intervals and drops empty ones', () => {
    assert.deepEqual(unionIntervals([span(20, 30), span(0, 10), span(10, 12), span(25, 26), span(40, 40)]), [
      span(0, 12),
      span(20, 30),
    ]);
    assert.deepEqual(unionIntervals([span(5, 3)]), []);
    assert.deepEqual(unionIntervals([]), []);
    // 12 + 10 minutes.
    assert.equal(totalMs([span(0, 12), span(20, 30)]), 22 * MIN);
    assert.equal(totalMs([]), 0);
  });
});

describe('attendedIntervals (hand-worked)', () => {
  it('counts three joins from two overlapping tabs once: the union', () => {
    // a: [0, 10) and [20, 30); b: [5, 15). Union: [0, 15) ∪ [20, 30) = 15 + 10 = 25 min.
    const marks = [join(0, 'a'), join(5, 'b'), leave(10, 'a'), leave(15, 'b'), join(20, 'a'), leave(30, 'a')];
    const got = attendedIntervals(marks, at(60));
    assert.deepEqual(got, [span(0, 15), span(20, 30)]);
    assert.equal(totalMs(got), 25 * MIN);
    // Same marks in another order: same answer.
    assert.deepEqual(attendedIntervals([...marks].reverse(), at(60)), got);
  });

  it('bridges a gap in one tab with the other tab', () => {
    // a: [0, 10) ∪ [20, 30); b: [8, 22) fills the gap → [0, 30) = 30 min.
    const marks = [join(0, 'a'), leave(10, 'a'), join(20, 'a'), leave(30, 'a'), join(8, 'b'), leave(22, 'b')];
    assert.deepEqual(attendedIntervals(marks, at(60)), [span(0, 30)]);
  });

  it('ignores a leave with no join', () => {
    assert.deepEqual(attendedIntervals([leave(5)], at(60)), []);
    assert.deepEqual(attendedIntervals([leave(5, 'a'), leave(7, 'b')], at(60)), []);
    // A leave of tab b does not close tab a; a stray leave before the join changes nothing.
    // a: [10, 20) = 10 min.
    assert.deepEqual(
      attendedIntervals([leave(2, 'a'), join(10, 'a'), leave(12, 'b'), leave(20, 'a')], at(60)),
      [span(10, 20)],
    );
    // A second leave after the interval is closed is ignored too.
    assert.deepEqual(attendedIntervals([join(0), leave(10), leave(20)], at(60)), [span(0, 10)]);
  });

  it('closes a connection still open at closeAt, never before it opened', () => {
    // Joined at 10, never left, closed at 60: [10, 60) = 50 min.
    assert.deepEqual(attendedIntervals([join(10)], at(60)), [span(10, 60)]);
    // closeAt before the join: the interval is empty and dropped.
    assert.deepEqual(attendedIntervals([join(70)], at(60)), []);
    // A closed connection is not reopened by closeAt: [0, 5) only.
    assert.deepEqual(attendedIntervals([join(0), leave(5)], at(60)), [span(0, 5)]);
    // Tab a closed at 5, tab b open since 3 → [3, 60); union with [0, 5) = [0, 60).
    assert.deepEqual(attendedIntervals([join(0, 'a'), leave(5, 'a'), join(3, 'b')], at(60)), [span(0, 60)]);
  });

  it('treats a second join while open as nothing', () => {
    // join 0, join 5 (ignored: already open), leave 10 → [0, 10).
    assert.deepEqual(attendedIntervals([join(0), join(5), leave(10)], at(60)), [span(0, 10)]);
  });

  it('reads a leave and a join at the same instant as a continuous reconnect', () => {
    // [0, 15) and [15, 44) touch: one interval [0, 44) = 44 min.
    const marks = [join(0), leave(15), join(15), leave(44)];
    assert.deepEqual(attendedIntervals(marks, at(60)), [span(0, 44)]);
    // Whatever order the two marks at 15 arrive in.
    assert.deepEqual(attendedIntervals([join(15), leave(44), join(0), leave(15)], at(60)), [span(0, 44)]);
    // And a reconnect at the same ms that never leaves again stays open until closeAt.
    assert.deepEqual(attendedIntervals([join(0), join(15), leave(15)], at(30)), [span(0, 30)]);
    assert.equal(isConnected([join(0), join(15), leave(15)]), true);
  });

  it('treats joins without a connectionId as one connection, apart from named ones', () => {
    // '' : join 0, join 5 (ignored), leave 10 → [0, 10); leave 12 ignored.
    assert.deepEqual(attendedIntervals([join(0), join(5), leave(10), leave(12)], at(60)), [span(0, 10)]);
    // '' open at 0; a leave of 'a' does not close it → [0, 60) at closeAt 60.
    assert.deepEqual(attendedIntervals([join(0), leave(10, 'a')], at(60)), [span(0, 60)]);
    // '' : [0, 10); 'a': [20, 25) → 10 + 5 = 15 min.
    const got = attendedIntervals([join(0), leave(10), join(20, 'a'), leave(25, 'a')], at(60));
    assert.deepEqual(got, [span(0, 10), span(20, 25)]);
    assert.equal(totalMs(got), 15 * MIN);
  });

  it('says whether any connection is still open', () => {
    assert.equal(isConnected([]), false);
    assert.equal(isConnected([leave(5)]), false);
    assert.equal(isConnected([join(0)]), true);
    assert.equal(isConnected([join(0), leave(5)]), false);
    assert.equal(isConnected([join(0, 'a'), join(1, 'b'), leave(2, 'a')]), true);
    assert.equal(isConnected([join(0, 'a'), join(1, 'b'), leave(2, 'a'), leave(3, 'b')]), false);
    // Out of order: the leave at 5 comes after the join at 0.
    assert.equal(isConnected([leave(5), join(0)]), false);
  });
});

/** Open connections closed through the report: the later of the scheduled end and own last activity, never after now. */
describe('closing an open connection (liveReport)', () => {
  const SESSION = { scheduledStart: T0, scheduledEnd: at(60) };
  let n = 0;
  const ev = (type: string, min: number, data?: Record<string, unknown>): LearningEvent => ({
    id: `c${String(++n).padStart(4, '0')}`,
    type,
    occurredAt: new Date(at(min)).toISOString(),
    userId: 'u1',
    liveSessionId: 's1',
    ...(data ? { data } : {}),
  });
  const figuresOf = (events: LearningEvent[], now: number) => {
    const r = liveReport(SESSION, new Set(['u1']), [foldAttendee(undefined, events)], now);
    return { figures: r.attendees[0]!, isLive: r.live.isLive };
  };

  it('closes at the scheduled end when the learner did nothing later', () => {
    // Joined at 10, nothing after; now = 3 h: [10, 60) = 50 min.
    const { figures, isLive } = figuresOf([ev('live_join', 10)], at(180));
    assert.equal(isLive, false);
    assert.equal(figures.attendedMs, 50 * MIN);
    assert.equal(figures.lastLeaveAt, at(60));
  });

  it('closes at the learner’s own last activity after the end (not their feedback)', () => {
    // Joined at 10, chatted at 75, reacted at 80, feedback at 100; now = 3 h.
    // Close = max(60, last activity 80) = 80 → [10, 80) = 70 min (feedback at 100 not counted).
    const events = [
      ev('live_join', 10),
      ev('live_chat', 75, { text: 'still here' }),
      ev('live_reaction', 80, { kind: '👍' }),
      ev('live_feedback', 100, { rating: 4 }),
    ];
    const { figures } = figuresOf(events, at(180));
    assert.equal(figures.attendedMs, 70 * MIN);
    assert.equal(figures.lastLeaveAt, at(80));
  });

  it('never closes after now', () => {
    // Joined 30 min before the start; now = 20 min before the start (not live yet: the lead is 15 min).
    // Close = min(now = -20, max(60, -30)) = -20 → [-30, -20) = 10 min.
    const { figures, isLive } = figuresOf([ev('live_join', -30)], at(-20));
    assert.equal(isLive, false);
    assert.equal(figures.attendedMs, 10 * MIN);
    assert.equal(figures.lastLeaveAt, at(-20));
  });

  it('closes at now while live', () => {
    // Live at 25: joined at 10 → [10, 25) = 15 min (not until the scheduled end).
    const { figures, isLive } = figuresOf([ev('live_join', 10)], at(25));
    assert.equal(isLive, true);
    assert.equal(figures.attendedMs, 15 * MIN);
    assert.equal(figures.lastLeaveAt, at(25));
    // Overrunning: now 80, connected, last activity at 75 (5 min ago) → live, closes at now.
    // [10, 80) = 70 min.
    const over = figuresOf([ev('live_join', 10), ev('live_chat', 75, { text: 'one more thing' })], at(80));
    assert.equal(over.isLive, true);
    assert.equal(over.figures.attendedMs, 70 * MIN);
  });

  it('counts a join after the scheduled end, with a leave', () => {
    // [70, 80) = 10 min; late.
    const { figures } = figuresOf([ev('live_join', 70), ev('live_leave', 80)], at(180));
    assert.equal(figures.attended, true);
    assert.equal(figures.attendedMs, 10 * MIN);
    assert.equal(figures.onTime, false);
  });

  it('counts a join after the scheduled end without a leave as attended for no time', () => {
    // Close = max(end 60, last activity 70) = 70 → [70, 70): empty, 0 ms; still attended.
    const { figures } = figuresOf([ev('live_join', 70)], at(180));
    assert.equal(figures.attended, true);
    assert.equal(figures.attendedMs, 0);
    assert.equal(figures.lastLeaveAt, null);
    // A chat at 75 afterwards keeps it open until then: [70, 75) = 5 min.
    const chatted = figuresOf([ev('live_join', 70), ev('live_chat', 75, { text: 'hi' })], at(180));
    assert.equal(chatted.figures.attendedMs, 5 * MIN);
    // While still live after the end (10 min after the join), it closes at now: [70, 80) = 10 min.
    const live = figuresOf([ev('live_join', 70)], at(80));
    assert.equal(live.isLive, true);
    assert.equal(live.figures.attendedMs, 10 * MIN);
  });
});

describe('concurrency (hand-worked)', () => {
  it('finds the peak and the first instant it is reached', () => {
    // [0, 10) and [5, 20): two at once from 5.
    const r = concurrency([[{ start: 0, end: 10 }], [{ start: 5, end: 20 }]], 0, 20, 2);
    assert.equal(r.peak, 2);
    assert.equal(r.peakAt, 5);
    // Buckets [0, 10) and [10, 20): 2 in the first (from 5), 1 in the second.
    assert.deepEqual(r.timeline, [
      { at: 0, viewers: 2 },
      { at: 10, viewers: 1 },
    ]);
  });

  it('lets a leaver go before a joiner at the same instant', () => {
    const r = concurrency([[{ start: 0, end: 10 }], [{ start: 10, end: 20 }]], 0, 20, 4);
    assert.equal(r.peak, 1);
    assert.equal(r.peakAt, 0);
    assert.deepEqual(
      r.timeline.map((b) => b.viewers),
      [1, 1, 1, 1],
    );
  });

  it('keeps the first time a later equal peak is reached', () => {
    // 2 at once in [5, 10) and again in [15, 18): peakAt 5.
    const r = concurrency(
      [
        [
          { start: 0, end: 10 },
          { start: 15, end: 30 },
        ],
        [
          { start: 5, end: 10 },
          { start: 12, end: 18 },
        ],
      ],
      0,
      30,
      3,
    );
    assert.equal(r.peak, 2);
    assert.equal(r.peakAt, 5);
    // Buckets [0, 10), [10, 20), [20, 30): 2, 2 (15–18), 1.
    assert.deepEqual(
      r.timeline.map((b) => b.viewers),
      [2, 2, 1],
    );
  });

  it('has no peak time without attendance, and no timeline over an empty span', () => {
    const none = concurrency([[], []], 0, 100);
    assert.deepEqual([none.peak, none.peakAt], [0, null]);
    assert.equal(none.timeline.length, 100);
    assert.ok(none.timeline.every((b) => b.viewers === 0));
    assert.deepEqual(concurrency([[{ start: 0, end: 10 }]], 50, 50).timeline, []);
  });

  it('does not spill a level into the bucket that starts where it ends (epoch times)', () => {
    // Span [T0, T0 + 100 s) in 100 buckets of 1 s; one viewer in [T0, T0 + 1 s) only: bucket 0.
    const r = concurrency([[{ start: T0, end: T0 + SEC }]], T0, T0 + 100 * SEC, 100);
    assert.deepEqual(
      r.timeline.slice(0, 3).map((b) => b.viewers),
      [1, 0, 0],
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Brute-force oracle. Times are integer seconds in a small range (so marks collide); the rules
// are re-derived here point by point, without the code under test.

interface GenMark {
  sec: number;
  kind: 'join' | 'leave';
  connection: string;
}
interface GenLearner {
  marks: GenMark[];
  closeSec: number;
}

/** Half-second points x = t + 0.5 the oracle looks at, covering every generated time. */
const LO = -4;
const HI = 30;
const POINTS: number[] = [];
for (let t = LO; t < HI; t++) POINTS.push(t + 0.5);

/**
 * Is connection `c` attended at half-second x? Every instant with marks sets the connection's
 * state: open when it holds a join (a leave at the same instant goes first), closed when it
 * holds only leaves. So the state just before x is that of the last instant before x. An open
 * state at x is an attended instant if a later leave ends its run, or if x is before closeAt
 * (the run still open at the end closes there).
 */
function connectionIn(marks: readonly GenMark[], c: string, closeSec: number, x: number): boolean {
  const mine = marks.filter((m) => m.connection === c);
  const before = mine.filter((m) => m.sec < x);
  if (before.length === 0) return false;
  const last = Math.max(...before.map((m) => m.sec));
  const open = before.some((m) => m.sec === last && m.kind === 'join');
  if (!open) return false;
  return x < closeSec || mine.some((m) => m.kind === 'leave' && m.sec > x);
}

const learnerIn = (l: GenLearner, x: number) =>
  [...new Set(l.marks.map((m) => m.connection))].some((c) => connectionIn(l.marks, c, l.closeSec, x));

/** Runs of attended half-second points as intervals [t, t + 1) merged, in epoch ms from `base`. */
function oracleIntervals(l: GenLearner, base: number): Interval[] {
  const out: Interval[] = [];
  for (const x of POINTS) {
    if (!learnerIn(l, x)) continue;
    const start = base + (x - 0.5) * SEC;
    const last = out[out.length - 1];
    if (last && last.end === start) last.end = start + SEC;
    else out.push({ start, end: start + SEC });
  }
  return out;
}

const toMarks = (l: GenLearner, base: number): Mark[] =>
  l.marks.map((m) => ({ at: base + m.sec * SEC, kind: m.kind, connection: m.connection }));

const markArb = fc.record({
  sec: fc.integer({ min: 0, max: 20 }),
  kind: fc.constantFrom<'join' | 'leave'>('join', 'join', 'leave'),
  connection: fc.constantFrom('', 'a', 'b'),
});
const learnerArb = fc.record({
  marks: fc.array(markArb, { maxLength: 8 }),
  closeSec: fc.integer({ min: 0, max: 24 }),
});

/** Learners, each one's marks in another order, another order of the learners, and a span. */
const caseArb = fc.array(learnerArb, { maxLength: 6 }).chain((learners) =>
  fc.record({
    learners: fc.constant(learners),
    markOrders: fc.tuple(
      ...learners.map((l) =>
        fc.shuffledSubarray(l.marks, { minLength: l.marks.length, maxLength: l.marks.length }),
      ),
    ),
    learnerOrder: fc.shuffledSubarray(
      learners.map((_, i) => i),
      { minLength: learners.length, maxLength: learners.length },
    ),
    fromSec: fc.integer({ min: -2, max: 26 }),
    toSec: fc.integer({ min: -2, max: 26 }),
  }),
);

/**
 * The timeline by brute force. Bucket k covers [from + k·w, from + (k + 1)·w) with
 * w = (to − from) / 100 (the convention of `concurrency`: half-open buckets, the last one ending
 * at `to`, its `at` the bucket start rounded); its value is the most viewers at any instant inside
 * it. Viewers are constant on each [t, t + 1) second, so a bucket sees second t iff they overlap
 * with positive length.
 */
function oracleTimeline(levels: Map<number, number>, base: number, fromSec: number, toSec: number) {
  if (toSec <= fromSec) return [];
  const from = base + fromSec * SEC;
  const w = ((toSec - fromSec) * SEC) / 100; // a multiple of 10 ms: exact
  return Array.from({ length: 100 }, (_, k) => {
    const lo = from + k * w;
    const hi = lo + w;
    let viewers = 0;
    for (const [t, n] of levels) {
      const s = base + t * SEC;
      if (s < hi && s + SEC > lo) viewers = Math.max(viewers, n);
    }
    return { at: Math.round(lo), viewers };
  });
}

function checkCase(
  base: number,
  c: {
    learners: GenLearner[];
    markOrders: GenMark[][];
    learnerOrder: number[];
    fromSec: number;
    toSec: number;
  },
) {
  const { learners, fromSec, toSec } = c;
  // Intervals: the code against the point-by-point rule.
  const perLearner = learners.map((l) => attendedIntervals(toMarks(l, base), base + l.closeSec * SEC));
  learners.forEach((l, i) => {
    assert.deepEqual(perLearner[i], oracleIntervals(l, base));
    const reordered = { ...l, marks: c.markOrders[i]! };
    assert.deepEqual(attendedIntervals(toMarks(reordered, base), base + l.closeSec * SEC), perLearner[i]);
  });

  // Viewers on each second [t, t + 1), read at t + 0.5.
  const levels = new Map<number, number>();
  for (const x of POINTS) levels.set(x - 0.5, learners.filter((l) => learnerIn(l, x)).length);
  const peak = Math.max(0, ...levels.values());
  const first = [...levels.entries()].find(([, n]) => n === peak && n > 0);
  const expected = {
    peak,
    peakAt: first ? base + first[0] * SEC : null,
    timeline: oracleTimeline(levels, base, fromSec, toSec),
  };
  const got = concurrency(perLearner, base + fromSec * SEC, base + toSec * SEC, 100);
  assert.deepEqual(got, expected);

  // Shuffled learners, each with shuffled marks: the same result.
  const shuffled = c.learnerOrder.map((i) =>
    attendedIntervals(
      toMarks({ ...learners[i]!, marks: c.markOrders[i]! }, base),
      base + learners[i]!.closeSec * SEC,
    ),
  );
  assert.deepEqual(concurrency(shuffled, base + fromSec * SEC, base + toSec * SEC, 100), got);
}

describe('attendance and concurrency against a brute-force oracle', () => {
  it('agrees near time zero', () => {
    fc.assert(
      fc.property(caseArb, (c) => checkCase(0, c)),
      { numRuns: 300 },
    );
  });

  it('agrees at real epoch times', () => {
    fc.assert(
      fc.property(caseArb, (c) => checkCase(T0, c)),
      { numRuns: 300 },
    );
  });
});
