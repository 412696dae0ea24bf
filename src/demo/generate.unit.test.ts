import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateDemo } from './generate.js';
import { prng, Rng } from './random.js';
import { planViewing, viewingBeats } from './viewing.js';

const NOW = new Date('2026-06-10T18:30:00.000Z');

describe('demo generator', () => {
  const demo = generateDemo(40, NOW, 7);

  it('is deterministic: the same seed and clock give the same platform, ids included', () => {
    assert.deepEqual(generateDemo(40, NOW, 7), demo);
    assert.notDeepEqual(generateDemo(40, NOW, 8).events.slice(0, 50), demo.events.slice(0, 50));
  });

  it('puts nothing in the future and gives every event its own id', () => {
    assert.ok(demo.events.every((e) => Date.parse(e.occurredAt) <= NOW.getTime()));
    assert.equal(new Set(demo.events.map((e) => e.id)).size, demo.events.length);
  });

  it('sends each learner’s video heartbeats within what the clock allows, positions matching segments', () => {
    const byViewing = new Map<string, { at: number; data: Record<string, unknown> }[]>();
    for (const e of demo.events) {
      if (e.type !== 'video_heartbeat') continue;
      const key = `${e.userId} ${e.itemId}`;
      const list = byViewing.get(key) ?? [];
      byViewing.set(key, list);
      list.push({ at: Date.parse(e.occurredAt), data: e.data! });
    }
    assert.ok(byViewing.size > 20);
    for (const [key, beats] of byViewing) {
      beats.sort((a, b) => a.at - b.at);
      beats.forEach((b, i) => {
        const segments = b.data.segments as [number, number][];
        const rate = (b.data.playbackRate as number | undefined) ?? 1;
        const played = segments.reduce((n, [s, e]) => n + e - s, 0);
        const gap = i === 0 ? Infinity : (b.at - beats[i - 1]!.at) / 1000;
        // A gap of 30 minutes or more starts a new watch session (allowance: rate × 60 + 2).
        const allowed = rate * (gap >= 1800 ? 60 : gap) + 2;
        assert.ok(played <= allowed, `${key} #${i}: ${played} s played in ${gap} s at ${rate}×`);
        assert.ok(segments.every(([s, e]) => s >= 0 && e > s && e <= (b.data.durationSec as number)));
        assert.equal(b.data.positionSec, segments[segments.length - 1]![1], key);
      });
    }
  });

  it('has the live session in progress started before now and ending after it, with viewers', () => {
    const live = demo.liveSessions.find((s) => s.id === demo.liveNow.sessionId)!;
    assert.ok(Date.parse(live.input.scheduledStart) < NOW.getTime());
    assert.ok(Date.parse(live.input.scheduledEnd) > NOW.getTime());
    assert.ok(Object.keys(demo.liveNow.connected).length > 0);
  });
});

describe('demo viewing', () => {
  it('most viewers see the start, fewer the end; the cliffs and the hard passage show', () => {
    const rng = new Rng(prng(3));
    const d = 600;
    const watched = new Array<number>(d).fill(0);
    const plays = new Array<number>(d).fill(0);
    const n = 2000;
    for (let v = 0; v < n; v++) {
      const plan = planViewing(d, 0.4, rng);
      const seen = new Set<number>();
      for (const [a, b] of plan.plays) {
        for (let s = a; s < b; s++) {
          seen.add(s);
          plays[s]!++;
        }
      }
      for (const s of seen) watched[s]!++;
      // Sliced into heartbeats, the plan is played exactly, in order.
      const { beats, toSec } = viewingBeats(plan, 0, 10_000, 1.5, 60);
      assert.equal(toSec, plan.totalSec);
      assert.deepEqual(
        beats.flatMap((b) => b.segments).reduce((n, [a, b]) => n + b - a, 0),
        plan.totalSec,
      );
    }
    const share = (s: number) => watched[s]! / n;
    assert.ok(share(2) > 0.95);
    assert.ok(share(d - 1) < 0.65);
    // A cliff: the drop across 30 % is far steeper than across a stretch as long just before it.
    assert.ok(share(175) - share(186) > 3 * (share(160) - share(171)));
    assert.ok(share(415) - share(426) > 3 * (share(395) - share(406)));
    // The hard passage (50–58 %) is played more often than it is watched.
    assert.ok(plays[330]! > watched[330]! * 1.3);
  });
});
