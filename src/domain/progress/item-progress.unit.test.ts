import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import type { LearningEvent } from '../events/types.js';
import { foldItemProgress, type ItemFacts } from './item-progress.js';

const facts: ItemFacts = { courseId: 'c1', type: 'video', threshold: 90 };
let n = 0;
const ev = (type: string, minute: number, extra: Partial<LearningEvent> = {}): LearningEvent => ({
  id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  type,
  occurredAt: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
  userId: 'u1',
  courseId: 'c1',
  itemId: 'i1',
  ...extra,
});

const arbitraryEvent = fc.oneof(
  fc
    .record({ minute: fc.nat(600), value: fc.double({ min: 0, max: 100, noNaN: true }), pos: fc.nat(500) })
    .map((r) => ev('lesson_progress', r.minute, { value: r.value, data: { positionSec: r.pos } })),
  fc.record({ minute: fc.nat(600), pos: fc.nat(300), played: fc.nat(60) }).map((r) =>
    ev('video_heartbeat', r.minute, {
      data: { positionSec: r.pos, durationSec: 300, segments: [[Math.max(0, r.pos - r.played), r.pos]] },
    }),
  ),
  fc.nat(600).map((m) => ev('lesson_complete', m)),
  fc
    .record({ minute: fc.nat(600), passed: fc.boolean() })
    .map((r) =>
      ev('quiz_submit', r.minute, { data: { attemptId: 'a', score: 1, maxScore: 2, passed: r.passed } }),
    ),
  fc
    .record({ minute: fc.nat(600), value: fc.nat(100) })
    .map((r) => ev('scroll_depth', r.minute, { value: r.value })),
  fc.nat(600).map((m) => ev('heartbeat', m, { data: { activeSec: 12.5 } })),
);

it('gives the same progress for the same events in any order and any batching', () => {
  fc.assert(
    fc.property(fc.array(arbitraryEvent, { minLength: 1, maxLength: 30 }), fc.nat(), (events, seed) => {
      const whole = foldItemProgress(undefined, events, facts);
      const shuffled = [...events].sort(
        (a, b) => ((a.id.charCodeAt(35) * 31 + seed) % 7) - ((b.id.charCodeAt(35) * 31 + seed) % 7),
      );
      const cut = 1 + (seed % shuffled.length);
      const first = foldItemProgress(undefined, shuffled.slice(0, cut), facts);
      const both = cut < shuffled.length ? foldItemProgress(first, shuffled.slice(cut), facts) : first;
      assert.deepEqual(both, whole);
    }),
  );
});

it('completes at the threshold, not below it, and never un-completes', () => {
  const below = foldItemProgress(undefined, [ev('lesson_progress', 1, { value: 89.9 })], facts);
  assert.equal(below.completedAt, null);
  const at = foldItemProgress(below, [ev('lesson_progress', 2, { value: 90 })], facts);
  assert.deepEqual([at.completedAt, at.completedHow], [Date.UTC(2026, 0, 1, 0, 2), 'threshold']);
  const later = foldItemProgress(at, [ev('lesson_progress', 3, { value: 10 })], facts);
  assert.deepEqual([later.completedAt, later.progressPct], [at.completedAt, 90]);
});

it('takes the earliest way of completing, automatic ways first at equal times', () => {
  const passedAtFour = { passedAt: Date.UTC(2026, 0, 1, 0, 4), failed: 1 };
  const p = foldItemProgress(
    undefined,
    [ev('lesson_complete', 5), ev('lesson_progress', 5, { value: 95 })],
    facts,
    passedAtFour,
  );
  assert.deepEqual([p.completedHow, p.failedAttempts], ['passed', 1]);
  const tie = foldItemProgress(
    undefined,
    [ev('lesson_complete', 5), ev('lesson_progress', 5, { value: 95 })],
    facts,
  );
  assert.equal(tie.completedHow, 'threshold');
});

it('takes passes from the stored attempts, not from submission events', () => {
  const submit = ev('quiz_submit', 3, { data: { attemptId: 'a', score: 10, maxScore: 10, passed: true } });
  const failedFirst = foldItemProgress(undefined, [submit], facts, { passedAt: null, failed: 1 });
  assert.deepEqual([failedFirst.passedAt, failedFirst.completedAt], [null, null]);
});
