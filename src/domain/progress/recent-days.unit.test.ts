import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { addDays } from '../engagement/streak.js';
import { addRecent, emptyRecent, recentWindows } from './recent-days.js';

it('keeps the windows of the latest days whatever the order the days arrive in', () => {
  const day = fc.integer({ min: 0, max: 40 }).map((n) => addDays('2026-03-01', n));
  const entry = fc.record({ day, visits: fc.nat(3), ms: fc.nat(100_000) });
  fc.assert(
    fc.property(fc.array(entry, { maxLength: 40 }), fc.integer({ min: 0, max: 10 }), (entries, after) => {
      let r = emptyRecent();
      for (const e of entries) r = addRecent(r, e.day, e.visits, e.ms);
      let reversed = emptyRecent();
      for (const e of [...entries].reverse()) reversed = addRecent(reversed, e.day, e.visits, e.ms);
      assert.deepEqual(r, reversed);
      const latest =
        entries
          .map((e) => e.day)
          .sort()
          .at(-1) ?? '2026-03-01';
      const today = addDays(latest, after);
      // Brute force over every entry.
      const age = (d: string) => (Date.parse(today) - Date.parse(d)) / 86_400_000;
      const sum = (f: (e: (typeof entries)[number]) => number, lo: number, hi: number) =>
        entries.filter((e) => age(e.day) >= lo && age(e.day) < hi).reduce((s, e) => s + f(e), 0);
      assert.deepEqual(recentWindows(r, today), {
        visits7d: sum((e) => e.visits, 0, 7),
        activeMsLast7: sum((e) => e.ms, 0, 7),
        activeMsPrevious7: sum((e) => e.ms, 7, 14),
      });
    }),
  );
});

it('cannot tell the windows of a day before its latest day', () => {
  const r = addRecent(emptyRecent(), '2026-03-10', 1, 1000);
  assert.equal(recentWindows(r, '2026-03-09'), undefined);
  assert.deepEqual(recentWindows(emptyRecent(), '2026-03-09'), {
    visits7d: 0,
    activeMsLast7: 0,
    activeMsPrevious7: 0,
  });
});
