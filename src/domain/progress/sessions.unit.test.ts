import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import {
  candidatesFromLatest,
  latestAfterMerge,
  mergeSessions,
  SESSION_GAP_MS,
  type Session,
  sessionWindow,
} from './sessions.js';

/** Sessions straight from the definition: sort every time, cut where the gap is 30 minutes or more. */
function bruteSessions(times: readonly number[]): Session[] {
  const sorted = [...times].sort((a, b) => a - b);
  const out: Session[] = [];
  for (const t of sorted) {
    const last = out[out.length - 1];
    if (last && t - last.end < SESSION_GAP_MS) last.end = t;
    else out.push({ start: t, end: t });
  }
  return out;
}

/** Batches of activity instants within 12 hours, as they arrive at the projection. */
const batchesOfTimes = fc.array(
  fc.array(fc.integer({ min: 0, max: 12 * 3_600_000 }), { minLength: 1, maxLength: 20 }),
  { minLength: 1, maxLength: 8 },
);

it('merges batches of activity into the sessions of the whole set, in any order', () => {
  fc.assert(
    fc.property(batchesOfTimes, (batches) => {
      let stored: Session[] = [];
      for (const batch of batches) {
        // Only the stored sessions in the batch's window are read, as the projection does.
        const w = sessionWindow(batch);
        const touching = stored.filter((s) => s.end > w.from && s.start < w.to);
        const untouched = stored.filter((s) => !touching.includes(s));
        stored = [...untouched, ...mergeSessions(touching, batch)].sort((a, b) => a.start - b.start);
      }
      assert.deepEqual(stored, bruteSessions(batches.flat()));
    }),
  );
});

it('starts a new session at a gap of exactly 30 minutes', () => {
  assert.equal(mergeSessions([], [0, SESSION_GAP_MS - 1]).length, 1);
  assert.equal(mergeSessions([], [0, SESSION_GAP_MS]).length, 2);
});

it('reads no stored session when the latest one tells which can merge, with the same result', () => {
  fc.assert(
    fc.property(batchesOfTimes, (batches) => {
      let stored: Session[] = [];
      let latest: Session | null = null;
      for (const batch of batches) {
        const w = sessionWindow(batch);
        const known = candidatesFromLatest(latest, batch);
        const touching = known ?? stored.filter((s) => s.end > w.from && s.start < w.to);
        const merged = mergeSessions(touching, batch);
        const untouched = stored.filter((s) => !touching.some((t) => t.start === s.start));
        stored = [...untouched, ...merged].sort((a, b) => a.start - b.start);
        latest = latestAfterMerge(latest, merged);
        // The latest session the projection keeps is the one ending at the learner's last activity.
        assert.deepEqual(latest, stored[stored.length - 1]);
      }
      assert.deepEqual(stored, bruteSessions(batches.flat()));
    }),
  );
});

it('needs the stored sessions only for activity before the latest session starts', () => {
  const latest = { start: 10 * SESSION_GAP_MS, end: 11 * SESSION_GAP_MS };
  assert.deepEqual(candidatesFromLatest(null, [5]), []);
  assert.deepEqual(candidatesFromLatest(latest, [latest.start, 20 * SESSION_GAP_MS]), [latest]);
  assert.equal(candidatesFromLatest(latest, [latest.start - 1, 20 * SESSION_GAP_MS]), undefined);
  assert.deepEqual(latestAfterMerge(latest, [{ start: 0, end: 60_000 }]), latest);
  assert.deepEqual(latestAfterMerge(null, []), null);
});
