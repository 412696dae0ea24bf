import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { addPlays, coveredSeconds, playTotal, rangesOf, setSize, unionSeconds } from './seconds.js';

/** Seconds 0…N-1 the tests work in. */
const N = 60;

/** The rule itself: second t is watched by [s, e) iff s ≤ t + 0.5 < e. */
const covers = (s: number, e: number, t: number) => s <= t + 0.5 && t + 0.5 < e;

/** A boolean array as the canonical set: maximal runs of true, as flat [a, b) pairs. */
function setOfBooleans(on: readonly boolean[]): number[] {
  const out: number[] = [];
  for (let t = 0; t < on.length; t++) {
    if (!on[t]) continue;
    if (out.length > 0 && out[out.length - 1] === t) out[out.length - 1] = t + 1;
    else out.push(t, t + 1);
  }
  return out;
}

/** An integer array as canonical play runs: maximal runs of one positive count, as flat [a, b, n]. */
function runsOfCounts(counts: readonly number[]): number[] {
  const out: number[] = [];
  for (let t = 0; t < counts.length; t++) {
    const n = counts[t]!;
    if (n === 0) continue;
    const k = out.length;
    if (k > 0 && out[k - 2] === t && out[k - 1] === n) out[k - 2] = t + 1;
    else out.push(t, t + 1, n);
  }
  return out;
}

/** Integer ranges [a, b) inside 0…N, possibly empty or reversed (which count as empty). */
const range = fc.tuple(fc.integer({ min: 0, max: N }), fc.integer({ min: 0, max: N }));
const ranges = fc.array(range, { maxLength: 8 });

describe('coveredSeconds', () => {
  it('covers the seconds whose midpoint the segment holds', () => {
    assert.deepEqual(coveredSeconds(12.34, 22.35), [12, 22]);
    assert.deepEqual(coveredSeconds(0, 10).map(Math.abs), [0, 10]); // Math.ceil(-0.5) is -0
    // A midpoint on the segment's start is in, on its end is out.
    assert.deepEqual(coveredSeconds(0.5, 1.5).map(Math.abs), [0, 1]);
    assert.deepEqual(coveredSeconds(0.5, 1.51).map(Math.abs), [0, 2]);
    assert.deepEqual(coveredSeconds(0.51, 1.5), [1, 1]);
    // A sliver that misses every midpoint covers nothing; one that holds a midpoint covers it.
    const [a, b] = coveredSeconds(3.6, 3.9);
    assert.equal(b - a, 0);
    assert.deepEqual(coveredSeconds(3.2, 3.6), [3, 4]);
  });

  it('agrees with the midpoint rule second by second (quarter-second ends)', () => {
    const quarter = fc.integer({ min: 0, max: 4 * N }).map((k) => k / 4);
    fc.assert(
      fc.property(quarter, quarter, (x, y) => {
        const [s, e] = x <= y ? [x, y] : [y, x];
        const [a, b] = coveredSeconds(s, e);
        const expected: number[] = [];
        for (let t = 0; t <= N; t++) if (covers(s, e, t)) expected.push(t);
        const got: number[] = [];
        for (let t = a; t < b; t++) got.push(t === 0 ? 0 : t); // -0 is second 0
        assert.deepEqual(got, expected);
      }),
    );
  });

  it('gives a segment of n whole seconds n seconds wherever it starts', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1000, noNaN: true }), fc.integer({ min: 0, max: 100 }), (s, n) => {
        const [a, b] = coveredSeconds(s, s + n);
        // s + n may round; the count is n up to a sliver that lands exactly on a midpoint.
        assert.ok(Math.abs(b - a - n) <= 1, `${s} + ${n} covers ${b - a}`);
        if (Number.isInteger(s * 4)) assert.equal(b - a, n);
      }),
    );
  });
});

describe('unionSeconds / setSize / rangesOf', () => {
  it('unions worked examples', () => {
    assert.deepEqual(
      unionSeconds(
        [0, 5],
        [
          [3, 8],
          [10, 12],
        ],
      ),
      [0, 8, 10, 12],
    );
    // Touching ranges merge; empty and reversed ranges add nothing.
    assert.deepEqual(
      unionSeconds(
        [],
        [
          [5, 7],
          [0, 5],
          [9, 9],
          [12, 10],
        ],
      ),
      [0, 7],
    );
    assert.deepEqual(unionSeconds([0, 2, 4, 6], [[2, 4]]), [0, 6]);
    assert.deepEqual(unionSeconds([], []), []);
    assert.equal(setSize([0, 8, 10, 12]), 10);
    assert.equal(setSize([]), 0);
    assert.deepEqual(rangesOf([0, 8, 10, 12]), [
      [0, 8],
      [10, 12],
    ]);
  });

  it('matches a boolean array of seconds', () => {
    fc.assert(
      fc.property(ranges, ranges, (first, second) => {
        const on = new Array<boolean>(N).fill(false);
        for (const [a, b] of [...first, ...second]) for (let t = a; t < b; t++) on[t] = true;
        const set = unionSeconds(unionSeconds([], first), second);
        assert.deepEqual(set, setOfBooleans(on));
        assert.equal(setSize(set), on.filter(Boolean).length);
        assert.deepEqual(unionSeconds([], rangesOf(set)), set);
      }),
    );
  });
});

describe('addPlays / playTotal', () => {
  it('adds worked examples', () => {
    assert.deepEqual(addPlays([0, 10, 1], [[5, 15]]), [0, 5, 1, 5, 10, 2, 10, 15, 1]);
    // Runs that meet at the same count become one; an empty range adds nothing.
    assert.deepEqual(
      addPlays(
        [],
        [
          [0, 3],
          [3, 6],
          [8, 8],
        ],
      ),
      [0, 6, 1],
    );
    assert.deepEqual(addPlays([0, 4, 2], [], [2, 6, 1]), [0, 2, 2, 2, 4, 3, 4, 6, 1]);
    assert.equal(playTotal([0, 5, 1, 5, 10, 2, 10, 15, 1]), 20);
    assert.equal(playTotal([]), 0);
  });

  it('matches an integer array of plays', () => {
    fc.assert(
      fc.property(ranges, ranges, ranges, (first, second, other) => {
        const counts = new Array<number>(N).fill(0);
        for (const [a, b] of [...first, ...second, ...other]) for (let t = a; t < b; t++) counts[t]!++;
        const more = addPlays([], other);
        const plays = addPlays(addPlays([], first), second, more);
        assert.deepEqual(plays, runsOfCounts(counts));
        assert.equal(
          playTotal(plays),
          counts.reduce((x, y) => x + y, 0),
        );
      }),
    );
  });
});
