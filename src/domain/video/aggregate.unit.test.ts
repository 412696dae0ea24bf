import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  addContribution,
  applyDelta,
  type Contribution,
  contributionOf,
  emptyAggregate,
  emptyDelta,
  isEmptyDelta,
  mergeDelta,
  sumAggregates,
  type VideoAggregate,
} from './aggregate.js';
import { videoReport } from './report.js';
import { byTime, foldViewing, type Heartbeat, type Viewing, viewingSummary } from './viewing.js';

const T0 = Date.parse('2024-03-01T10:00:00.000Z');
const SEC = 1000;
const MIN = 60 * SEC;
const GAP = 30 * MIN;

// ---------------------------------------------------------------------------------------------
// Honest random heartbeats: every heartbeat with segments comes at least (its claimed seconds ÷
// rate) after the one before, and claims at most 48 s, so the allowance (rate × elapsed + 2, or
// rate × 60 + 2 on a session's first heartbeat, rate ≥ 1) never clips and the oracle below can
// leave it out. Position-only heartbeats still seek, rewind or stall, and the oracle reads them by
// the rule. Times are multiples of 250 ms and positions quarter seconds: all sums are exact.

const quarter = (max: number) => fc.integer({ min: 0, max: max * 4 }).map((k) => k / 4);

const gapArb = fc.oneof(
  fc.integer({ min: 0, max: 80 * 4 }).map((k) => k * 250),
  fc.constantFrom(60 * SEC, 60 * SEC + 250, 29 * MIN, 30 * MIN - 250, 30 * MIN, 31 * MIN, 5 * 60 * MIN),
);

/** Segments: overlapping, nested, duplicated, touching, sub-second, zero-length, past the end. */
const segmentsArb = (d: number) =>
  fc.oneof(
    fc.array(
      fc
        .tuple(quarter(Math.ceil(d) + 8), fc.oneof(quarter(12), fc.constantFrom(0, 0.25, 0.5, 0.75, 1)))
        .map(([s, len]): [number, number] => [s, s + len]),
      { maxLength: 4 },
    ),
    // A segment repeated, and one touching it.
    quarter(Math.ceil(d))
      .chain((s) => fc.tuple(fc.constant(s), quarter(10)))
      .map(([s, len]): [number, number][] => [
        [s, s + len],
        [s, s + len],
        [s + len, s + len + 2],
      ]),
  );

const viewerArb = (d: number, maxLength: number) =>
  fc
    .array(
      fc.record({
        gapMs: gapArb,
        positionSec: quarter(Math.ceil(d) + 8),
        segments: fc.option(segmentsArb(d), { nil: undefined, freq: 3 }),
        rate: fc.constantFrom(1, 1.5, 2),
        ended: fc.boolean(),
      }),
      { minLength: 1, maxLength },
    )
    .map((raws) => {
      let at = T0;
      return raws.map((r, i): Heartbeat => {
        const claimed = (r.segments ?? []).reduce((n, [s, e]) => n + (e - s), 0);
        const needMs = Math.ceil(((claimed / r.rate) * 1000) / 250) * 250;
        at += Math.max(r.gapMs, needMs);
        return {
          id: `h${String(i).padStart(3, '0')}`,
          at,
          positionSec: r.positionSec,
          durationSec: d,
          segments: r.segments,
          rate: r.rate,
          ended: r.ended,
        };
      });
    });

const videoArb = fc
  .record({
    d: fc.oneof(
      fc.integer({ min: 5, max: 60 }),
      quarter(60).filter((d) => d >= 3),
    ),
    threshold: fc.constantFrom(10, 50, 90, 100),
  })
  .chain(({ d, threshold }) =>
    fc.record({
      d: fc.constant(d),
      threshold: fc.constant(threshold),
      viewers: fc.array(viewerArb(d, 10), { minLength: 1, maxLength: 6 }),
      // Which sessions of each viewer a date range would keep.
      masks: fc.array(fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }), {
        minLength: 6,
        maxLength: 6,
      }),
    }),
  );

/**
 * The whole seconds percents, thresholds and the curve are of: the seconds t a segment inside the
 * video can cover (t + 0.5 < D), at least one (seconds.ts `videoSeconds`; /tmp/engine-rules.md
 * still says D and ceil(D)).
 */
const wholeSeconds = (D: number) => {
  let n = 0;
  while (n + 0.5 < D) n++;
  return Math.max(1, n);
};

/** Second t is watched by [s, e) iff s ≤ t + 0.5 < e. */
const covers = (s: number, e: number, t: number) => s <= t + 0.5 && t + 0.5 < e;

interface OracleViewer {
  /** Per session: watched seconds and plays. */
  sessions: { id: string; watched: boolean[]; plays: number[]; furthest: number }[];
  watched: boolean[];
  completedAt: number | null;
}

/** The rules, second by second, for honest heartbeats (no allowance needed). */
function oracleViewer(heartbeats: readonly Heartbeat[], D: number, threshold: number): OracleViewer {
  const sorted = [...heartbeats].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
  const L = Math.ceil(D);
  const out: OracleViewer = { sessions: [], watched: new Array<boolean>(L).fill(false), completedAt: null };
  let prev: Heartbeat | undefined;
  let prevPos = 0;
  let lastEnd: number | null = null;
  for (const h of sorted) {
    const fresh = !prev || h.at - prev.at >= GAP;
    if (fresh) {
      out.sessions.push({
        id: h.id,
        watched: new Array<boolean>(L).fill(false),
        plays: new Array<number>(L).fill(0),
        furthest: 0,
      });
      lastEnd = null;
    }
    const s = out.sessions[out.sessions.length - 1]!;
    const pos = Math.min(h.positionSec, D);
    let kept: [number, number][] = [];
    if (h.segments) kept = h.segments.map(([a, b]) => [Math.min(a, D), Math.min(b, D)]);
    else if (
      !fresh &&
      h.at - prev!.at <= 60 * SEC &&
      pos > prevPos &&
      pos - prevPos <= (h.rate * (h.at - prev!.at)) / 1000 + 2
    ) {
      kept = [[prevPos, pos]];
    }
    for (let [a, b] of kept) {
      if (b <= a) continue; // nothing played
      if (lastEnd !== null && a >= lastEnd && a - lastEnd < 1) a = lastEnd;
      for (let t = 0; t < L; t++) {
        if (covers(a, b, t)) {
          s.watched[t] = true;
          out.watched[t] = true;
          s.plays[t]!++;
        }
      }
      lastEnd = b;
      s.furthest = Math.max(s.furthest, b);
    }
    s.furthest = Math.max(s.furthest, pos);
    prev = h;
    prevPos = pos;
    if (out.completedAt === null && out.watched.filter(Boolean).length * 100 >= threshold * wholeSeconds(D)) {
      out.completedAt = h.at;
    }
  }
  return out;
}

/** What the aggregate of viewers should hold, from the oracle's arrays, for the chosen sessions. */
function expectedAggregate(
  viewers: readonly OracleViewer[],
  pick: (viewer: number, session: number) => boolean,
  D: number,
  threshold: number,
) {
  const L = Math.ceil(D);
  const e = {
    viewers: 0,
    playedViewers: 0,
    views: 0,
    playedSec: 0,
    uniqueSec: 0,
    pctSum: 0,
    completions: 0,
    replays: 0,
    unique: new Array<number>(L).fill(0),
    plays: new Array<number>(L).fill(0),
    exits: [] as number[],
    completerExits: [] as number[],
    stopWatched: [] as number[],
  };
  const stops: number[] = [];
  const completed: boolean[] = [];
  viewers.forEach((v, i) => {
    const sessions = v.sessions.filter((_, k) => pick(i, k));
    if (sessions.length === 0) return;
    let u = 0;
    for (let t = 0; t < L; t++) {
      const watched = sessions.some((s) => s.watched[t]);
      if (watched) u++;
      e.unique[t]! += watched ? 1 : 0;
      for (const s of sessions) e.plays[t]! += s.plays[t]!;
    }
    const stop = Math.floor(Math.max(...sessions.map((s) => s.furthest)));
    const done = u * 100 >= threshold * wholeSeconds(D);
    e.viewers++;
    e.playedViewers += u > 0 ? 1 : 0;
    e.views += sessions.length;
    e.playedSec += sessions.reduce((n, s) => n + s.plays.reduce((x, y) => x + y, 0), 0);
    e.uniqueSec += u;
    e.pctSum += Math.round(Math.min(100, (u / wholeSeconds(D)) * 100) * 100);
    e.completions += done ? 1 : 0;
    e.replays += sessions.length >= 2 ? 1 : 0;
    e.exits[stop] = (e.exits[stop] ?? 0) + 1;
    if (done) e.completerExits[stop] = (e.completerExits[stop] ?? 0) + 1;
    if (sessions.some((s) => s.watched[stop])) e.stopWatched[stop] = (e.stopWatched[stop] ?? 0) + 1;
    stops.push(stop);
    completed.push(done);
  });
  const dense = (a: number[]) => Array.from(a, (x) => x ?? 0);
  const trim = (a: number[]) => {
    const b = dense(a);
    while (b.length > 0 && b[b.length - 1] === 0) b.pop();
    return b;
  };
  return {
    aggregate: {
      ...e,
      unique: trim(e.unique),
      plays: trim(e.plays),
      exits: trim(e.exits),
      completerExits: trim(e.completerExits),
      stopWatched: trim(e.stopWatched),
    },
    stops,
  };
}

const aggregateOf = (contributions: readonly (Contribution | undefined)[]): VideoAggregate => {
  const d = emptyDelta();
  for (const c of contributions) addContribution(d, c, 1);
  return applyDelta(emptyAggregate(), d);
};

/** -0 (from Math.ceil(-0.4)) and 0 are the same second. */
const norm = (a: readonly number[]) => a.map((x) => (x === 0 ? 0 : x));
const normAggregate = (a: VideoAggregate): VideoAggregate => ({
  ...a,
  unique: norm(a.unique),
  plays: norm(a.plays),
  exits: norm(a.exits),
  completerExits: norm(a.completerExits),
  stopWatched: norm(a.stopWatched),
});

const medianOf = (xs: readonly number[]) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

describe('viewings, contributions and aggregates against a second-by-second oracle', () => {
  it('gives every viewer’s seconds, plays, sessions, stop and completion, and the aggregate and full-resolution report', () => {
    fc.assert(
      fc.property(videoArb, ({ d: D, threshold, viewers }) => {
        const facts = { durationSec: D, threshold };
        const viewings: Viewing[] = viewers.map((hbs) =>
          foldViewing(undefined, [...hbs].sort(byTime), facts),
        );
        const oracles = viewers.map((hbs) => oracleViewer(hbs, D, threshold));

        // Per viewer.
        viewings.forEach((v, i) => {
          const o = oracles[i]!;
          const sum = viewingSummary(v);
          assert.equal(sum.clippedSec, 0, 'honest heartbeats are never clipped');
          assert.equal(sum.uniqueSec, o.watched.filter(Boolean).length);
          assert.equal(
            sum.playedSec,
            o.sessions.reduce((n, s) => n + s.plays.reduce((x, y) => x + y, 0), 0),
          );
          assert.equal(v.completedAt, o.completedAt);
          assert.deepEqual(
            v.sessions.map((s) => s.id),
            o.sessions.map((s) => s.id),
          );
          assert.deepEqual(
            v.sessions.map((s) => s.number),
            o.sessions.map((_, k) => k + 1),
          );
          assert.deepEqual(
            v.sessions.map((s) => s.maxPositionSec),
            o.sessions.map((s) => s.furthest),
          );
        });

        // The aggregate of all sessions.
        const all = aggregateOf(viewings.map((v) => contributionOf(v.sessions, D, threshold)));
        const { aggregate: expected, stops } = expectedAggregate(oracles, () => true, D, threshold);
        assert.deepEqual(normAggregate(all), expected);

        // The full-resolution report.
        const n = viewers.length;
        const W = wholeSeconds(D);
        const r = videoReport(all, D, threshold, true);
        assert.equal(r.viewers, n);
        assert.equal(r.uniqueViewers, expected.playedViewers);
        assert.equal(r.views, expected.views);
        assert.equal(r.totalWatchTimeSec, expected.playedSec);
        assert.equal(r.uniqueWatchTimeSec, expected.uniqueSec);
        assert.equal(r.completions, expected.completions);
        assert.equal(r.completionRate, expected.completions / n);
        assert.equal(r.replays, expected.replays);
        assert.equal(r.replayRate, expected.replays / n);
        const meanPct =
          oracles.reduce((sum, o) => {
            const pct = Math.min(100, (o.watched.filter(Boolean).length / wholeSeconds(D)) * 100);
            return sum + Math.round(pct * 100) / 100;
          }, 0) / n;
        assert.ok(Math.abs(r.averagePercentViewed - meanPct) < 1e-9);
        assert.equal(r.medianStopSec, medianOf(stops));
        assert.equal(r.curve.resolutionSec, 1);
        assert.equal(r.curve.points.length, W);
        r.curve.points.forEach((p, t) => {
          let watched = 0;
          let plays = 0;
          for (const o of oracles) {
            watched += o.watched[t] ? 1 : 0;
            plays += o.sessions.reduce((x, s) => x + s.plays[t]!, 0);
          }
          const exits = stops.filter((s) => (t === W - 1 ? s >= t : s === t)).length;
          const reached = stops.filter((s) => s >= t).length;
          assert.deepEqual(p, {
            startSec: t,
            endSec: t + 1,
            retention: watched / n,
            rewatch: plays / n,
            exits,
            hazard: reached > 0 ? exits / reached : 0,
          });
        });
      }),
      { numRuns: 400 },
    );
  });

  it('judges a viewer on the chosen sessions only (a date range), and undoes a contribution exactly', () => {
    fc.assert(
      fc.property(videoArb, ({ d: D, threshold, viewers, masks }) => {
        const facts = { durationSec: D, threshold };
        const viewings = viewers.map((hbs) => foldViewing(undefined, [...hbs].sort(byTime), facts));
        const oracles = viewers.map((hbs) => oracleViewer(hbs, D, threshold));
        const pick = (i: number, k: number) => masks[i]![k] ?? true;
        const chosen = viewings.map((v, i) =>
          contributionOf(
            v.sessions.filter((_, k) => pick(i, k)),
            D,
            threshold,
          ),
        );
        const some = aggregateOf(chosen);
        assert.deepEqual(normAggregate(some), expectedAggregate(oracles, pick, D, threshold).aggregate);

        // Swapping every viewer's chosen sessions for all of them, as a projection does on new
        // heartbeats, lands on the aggregate of all sessions.
        const all = viewings.map((v) => contributionOf(v.sessions, D, threshold));
        const swap = emptyDelta();
        chosen.forEach((c, i) => {
          addContribution(swap, c, -1);
          addContribution(swap, all[i], 1);
        });
        assert.deepEqual(applyDelta(some, swap), aggregateOf(all));

        // Taking everyone out again leaves the empty aggregate, trailing zeros trimmed.
        const out = emptyDelta();
        for (const c of all) addContribution(out, c, -1);
        assert.deepEqual(applyDelta(aggregateOf(all), out), emptyAggregate());
        // +c then -c in one delta is no change at all.
        const both = emptyDelta();
        for (const c of all) addContribution(both, c, 1);
        for (const c of all) addContribution(both, c, -1);
        assert.ok(isEmptyDelta(both));
      }),
      { numRuns: 300 },
    );
  });

  it('adds the aggregates of disjoint viewers up to the aggregate of all of them', () => {
    fc.assert(
      fc.property(videoArb, fc.nat(), ({ d: D, threshold, viewers }, cut) => {
        const facts = { durationSec: D, threshold };
        const contributions = viewers.map((hbs) =>
          contributionOf(foldViewing(undefined, [...hbs].sort(byTime), facts).sessions, D, threshold),
        );
        const k = cut % (contributions.length + 1);
        const whole = aggregateOf(contributions);
        assert.deepEqual(
          sumAggregates([aggregateOf(contributions.slice(0, k)), aggregateOf(contributions.slice(k))]),
          whole,
        );
        assert.deepEqual(sumAggregates(contributions.map((c) => aggregateOf([c]))), whole);
        // Deltas merged, then applied, give the same.
        const merged = emptyDelta();
        for (const c of contributions) {
          const one = emptyDelta();
          addContribution(one, c, 1);
          mergeDelta(merged, one);
        }
        assert.deepEqual(applyDelta(emptyAggregate(), merged), whole);
      }),
      { numRuns: 300 },
    );
  });
});

describe('contributions and aggregates, worked by hand', () => {
  const facts = { durationSec: 100, threshold: 50 };
  const hb = (id: string, atSec: number, pos: number, segments?: [number, number][]): Heartbeat => ({
    id,
    at: T0 + atSec * SEC,
    positionSec: pos,
    durationSec: 100,
    segments,
    rate: 1,
    ended: false,
  });

  it('sums a viewer’s sessions: seconds once, plays every time, furthest position', () => {
    const v = foldViewing(undefined, [hb('a', 0, 30, [[0, 30]]), hb('b', 3600, 60.75, [[20, 60.75]])], facts);
    const c = contributionOf(v.sessions, 100, 50)!;
    assert.equal(c.views, 2);
    // [20, 60.75) covers seconds 20…60 (60.5 < 60.75): 41 of them.
    assert.equal(c.uniqueSec, 61);
    assert.equal(c.playedSec, 30 + 41);
    assert.equal(c.pctHundredths, 6100);
    assert.equal(c.completed, true);
    assert.equal(c.stopSec, 60);
    const a = aggregateOf([c]);
    assert.deepEqual(norm(a.unique), new Array<number>(61).fill(1));
    assert.deepEqual(norm(a.plays), [
      ...new Array<number>(20).fill(1),
      ...new Array<number>(10).fill(2),
      ...new Array<number>(31).fill(1),
    ]);
    assert.equal(a.exits.length, 61);
    assert.equal(a.exits[60], 1);
    assert.equal(a.completerExits[60], 1);
    assert.equal(a.replays, 1);
    // Only the second session (a date range holding just that day).
    const second = contributionOf(v.sessions.slice(1), 100, 50)!;
    assert.equal(second.uniqueSec, 41);
    assert.equal(second.completed, false);
    assert.equal(second.views, 1);
    assert.equal(contributionOf([], 100, 50), undefined);
  });

  it('rounds the watched percent to hundredths of a point and caps it at 100', () => {
    const v = foldViewing(undefined, [hb('a', 0, 1, [[0, 1]])], { durationSec: 3, threshold: 90 });
    assert.equal(contributionOf(v.sessions, 3, 90)!.pctHundredths, 3333);
    const w = foldViewing(undefined, [hb('a', 0, 2, [[0, 2]])], { durationSec: 3, threshold: 90 });
    assert.equal(contributionOf(w.sessions, 3, 90)!.pctHundredths, 6667);
    // A viewer judged against a shorter duration than their seconds (cannot exceed 100).
    assert.equal(contributionOf(w.sessions, 1, 90)!.pctHundredths, 10000);
  });

  it('keeps a viewer who played nothing as a viewer with an exit at 0', () => {
    const v = foldViewing(undefined, [hb('a', 0, 0)], facts);
    const a = aggregateOf([contributionOf(v.sessions, 100, 50)]);
    assert.deepEqual(normAggregate(a), {
      ...emptyAggregate(),
      viewers: 1,
      views: 1,
      exits: [1],
    });
  });
});
