// Played segments from a video element's reports, and what the server's video engine makes of
// the heartbeats they fill: the watched seconds and plays of a scripted viewing, exactly, with
// nothing clipped by the wall-clock rule — so the tracker's segments are what the server expects
// (segments played since the previous heartbeat, one playbackRate per heartbeat).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SEEK_EXTRAPOLATION_MAX_SEC, type Segment, SegmentTracker } from '../../sdk/src/segments.js';
import { foldViewing, type Heartbeat, viewingSummary } from '../../src/domain/video/viewing.js';
import { rangesOf } from '../../src/domain/video/seconds.js';
import { T0 } from './fakes.js';

describe('SegmentTracker', () => {
  it('a play and a pause make one segment, ended at the pause position', () => {
    const s = new SegmentTracker();
    s.start(0, T0);
    for (let i = 1; i <= 16; i++) s.observe(i * 0.25, T0 + i * 250, 1);
    s.stop(4.1);
    assert.deepEqual(s.take(), [[0, 4.1]]);
    assert.deepEqual(s.take(), [], 'taken once');
  });

  it('a seek closes the segment where playing left it, extrapolated from the last report', () => {
    const s = new SegmentTracker();
    s.start(0, T0);
    s.observe(3.75, T0 + 3750, 1);
    s.seekFrom(T0 + 3900, 1); // 150 ms after the last report
    s.start(10, T0 + 3950);
    s.observe(12, T0 + 5950, 1);
    s.stop(12.2);
    assert.deepEqual(s.take(), [
      [0, 3.9],
      [10, 12.2],
    ]);
  });

  it('extrapolates at most a report interval (a stall it was not told of does not count as playing)', () => {
    const s = new SegmentTracker();
    s.start(0, T0);
    s.observe(2, T0 + 2000, 1);
    s.seekFrom(T0 + 9000, 1);
    assert.deepEqual(s.take(), [[0, 2 + SEEK_EXTRAPOLATION_MAX_SEC]]);
  });

  it('splits on a jump it was not told of (back, or further than playing could go)', () => {
    const s = new SegmentTracker();
    s.start(5, T0);
    s.observe(6, T0 + 1000, 1);
    s.observe(2, T0 + 1250, 1); // rewound
    s.observe(3, T0 + 2250, 1);
    s.observe(30, T0 + 2500, 1); // skipped ahead
    s.observe(31, T0 + 3500, 1);
    s.stop(31);
    assert.deepEqual(s.take(), [
      [5, 6],
      [2, 3],
      [30, 31],
    ]);
  });

  it('at double speed, positions moving twice as fast are playing, not jumps', () => {
    const s = new SegmentTracker();
    s.start(0, T0);
    for (let i = 1; i <= 8; i++) s.observe(i * 0.5, T0 + i * 250, 2);
    s.stop(4);
    assert.deepEqual(s.take(), [[0, 4]]);
  });

  it('take while playing cuts at the last position and carries on from there; a rewatch is sent again', () => {
    const s = new SegmentTracker();
    s.start(0, T0);
    s.observe(5, T0 + 5000, 1);
    assert.deepEqual(s.take(), [[0, 5]]);
    s.observe(8, T0 + 8000, 1);
    s.seekFrom(T0 + 8000, 1);
    s.start(2, T0 + 8000);
    s.observe(5, T0 + 11000, 1);
    s.stop(5);
    assert.deepEqual(s.take(), [
      [5, 8],
      [2, 5],
    ]);
  });

  it('ignores reports while not playing and a restart at the same position', () => {
    const s = new SegmentTracker();
    s.observe(3, T0, 1);
    s.stop(3);
    s.seekFrom(T0, 1);
    s.start(1, T0);
    s.start(1, T0 + 10);
    s.stop(1);
    assert.deepEqual(s.take(), []);
    assert.equal(s.playingFrom, null);
  });
});

/** A scripted player driving the tracker the way video.ts does, with heartbeats every 10 s of playing. */
function simulate(script: (p: ReturnType<typeof player>) => void) {
  const p = player();
  script(p);
  p.pause();
  return p;
}

function player() {
  const seg = new SegmentTracker();
  const beats: Heartbeat[] = [];
  const played: Segment[] = [];
  let now = T0;
  let pos = 0;
  let rate = 1;
  let playing = false;
  let playedStart = 0;
  let sinceBeat = 0;
  const beat = () => {
    seg.observe(pos, now, rate);
    const segments = seg.take();
    if (segments.length > 0)
      beats.push({
        id: `b${beats.length}`,
        at: now,
        positionSec: pos,
        durationSec: 60,
        segments,
        rate,
        ended: false,
      });
    sinceBeat = 0;
  };
  const p = {
    beats,
    played,
    play() {
      playing = true;
      playedStart = pos;
      seg.start(pos, now);
    },
    pause() {
      if (!playing) return;
      played.push([playedStart, pos]);
      playing = false;
      seg.stop(pos);
      beat();
    },
    /** Plays (or waits) for `ms` of wall time, reporting every 250 ms. */
    run(ms: number) {
      for (let t = 0; t < ms; t += 250) {
        now += 250;
        if (!playing) continue;
        pos = Math.min(60, pos + 0.25 * rate);
        seg.observe(pos, now, rate);
        sinceBeat += 250;
        if (sinceBeat >= 10_000) beat();
      }
    },
    seek(to: number) {
      if (playing) played.push([playedStart, pos]);
      seg.seekFrom(now, rate);
      pos = to;
      playedStart = to;
      if (playing) seg.start(pos, now);
    },
    rate(r: number) {
      beat();
      rate = r;
    },
  };
  return p;
}

/** Seconds covered by segments, by the server's rule (t covered when s ≤ t + 0.5 < e). */
function expectedSeconds(segments: Segment[]) {
  const set = new Set<number>();
  let plays = 0;
  for (const [s, e] of segments)
    for (let t = Math.ceil(s - 0.5); t < Math.ceil(e - 0.5); t++) {
      set.add(t);
      plays++;
    }
  return { unique: set.size, plays, set };
}

describe('segments through the server’s video engine', () => {
  it('a viewing with seeks, a rewind, pauses and a rate change counts exactly the seconds played', () => {
    const p = simulate((v) => {
      v.play();
      v.run(14_000); // 0–14, one 10 s heartbeat on the way
      v.seek(30);
      v.run(4_000); // 30–34
      v.pause();
      v.run(20_000);
      v.play();
      v.run(3_000); // 34–37
      v.seek(5); // rewind: 5–12 played again
      v.run(7_000);
      v.rate(2);
      v.run(6_000); // 12–24 at 2×
      v.seek(50);
      v.run(5_000); // 50–60, the end
    });
    const viewing = foldViewing(undefined, p.beats, { durationSec: 60, threshold: 90 });
    const summary = viewingSummary(viewing);
    const expected = expectedSeconds(p.played);
    assert.equal(summary.clippedSec, 0, 'no heartbeat claims more than the clock allows');
    assert.equal(summary.uniqueSec, expected.unique);
    assert.equal(summary.playedSec, expected.plays, 'rewatched seconds count again, once per play');
    const watched = new Set(
      rangesOf(viewing.seconds).flatMap(([a, b]) => Array.from({ length: b - a }, (_, i) => a + i)),
    );
    assert.deepEqual(
      [...watched].sort((a, b) => a - b),
      [...expected.set].sort((a, b) => a - b),
    );
    assert.ok(p.beats.every((b) => b.segments!.every(([s, e]) => e > s)));
  });

  it('cumulative segments would have been wrong: each heartbeat carries only what was new', () => {
    const p = simulate((v) => {
      v.play();
      v.run(35_000);
    });
    const lengths = p.beats.map((b) => b.segments!.reduce((n, [s, e]) => n + e - s, 0));
    assert.ok(
      lengths.every((n) => n <= 10.001),
      `segment seconds per heartbeat: ${lengths}`,
    );
    assert.equal(
      viewingSummary(foldViewing(undefined, p.beats, { durationSec: 60, threshold: 90 })).playedSec,
      35,
    );
  });
});
