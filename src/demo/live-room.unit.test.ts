import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LiveNowState } from './live-sessions.js';
import { extendedEnd, liveRoomMoment } from './live-room.js';
import { prng, Rng } from './random.js';

const MIN = 60_000;

describe('demo live room', () => {
  it('pushes the scheduled end back only when less than 10 minutes are left', () => {
    const end = Date.parse('2026-06-10T19:00:00Z');
    assert.equal(extendedEnd(end, end - 11 * MIN), null);
    assert.equal(extendedEnd(end, end - 9 * MIN), end + 30 * MIN);
    // After a pause (a laptop asleep past the end): 30 minutes from now.
    assert.equal(extendedEnd(end, end + 60 * MIN), end + 90 * MIN);
  });

  it('keeps joins and leaves consistent per learner and the audience near its target', () => {
    const audience = Array.from({ length: 40 }, (_, i) => `u${i}`);
    const room: LiveNowState = {
      sessionId: 's',
      courseId: 'c',
      registered: audience.slice(0, 20),
      audience,
      connected: { u0: 'u0-tab-1', u1: 'u1-tab-1' },
      joined: ['u0', 'u1'],
    };
    const rng = new Rng(prng(5));
    const open = new Map<string, boolean>([
      ['u0', true],
      ['u1', true],
    ]);
    for (let i = 1; i <= 2000; i++) {
      const t = i * 1500;
      for (const e of liveRoomMoment(room, 15, t, rng)) {
        assert.equal(e.at, t);
        if (e.type === 'live_join') {
          assert.ok(!open.get(e.userId), `${e.userId} joins twice`);
          open.set(e.userId, true);
        } else if (e.type === 'live_leave') {
          assert.ok(open.get(e.userId), `${e.userId} leaves without joining`);
          open.set(e.userId, false);
        } else {
          assert.ok(open.get(e.userId), `${e.userId} ${e.type} while away`);
        }
      }
      assert.deepEqual(
        Object.keys(room.connected).sort(),
        [...open]
          .filter(([, o]) => o)
          .map(([u]) => u)
          .sort(),
      );
    }
    const n = Object.keys(room.connected).length;
    assert.ok(n >= 8 && n <= 22, `${n} connected`);
    assert.ok(
      room.registered.every((u) => room.joined.includes(u)),
      'the registered come first',
    );
  });
});
