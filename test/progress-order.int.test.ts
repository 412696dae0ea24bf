// The progress and assessment projections give the same rows whatever the arrival order and
// batching (concurrent requests coalesce differently in the group committer), and replay
// reproduces them exactly.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import { PROJECTIONS } from '../src/projections/registry.js';
import { replay } from '../src/projections/replay.js';
import { startTestApp, type TestApp } from './support/app.js';
import { forEachEngine } from './support/engines.js';
import { shuffled } from './support/shuffle.js';

const ITEMS = [
  { id: 'l', type: 'lesson' },
  { id: 'v', type: 'video', durationSec: 120 },
  { id: 'q', type: 'quiz' },
] as const;

const minute = fc.integer({ min: 0, max: 6 * 24 * 60 }).map((m) => Date.UTC(2026, 2, 27) + m * 60_000);
const user = fc.integer({ min: 0, max: 2 });
const arbEvent = fc.oneof(
  fc
    .record({ user, at: minute, value: fc.constantFrom(10, 50, 89.9, 90, 100), pos: fc.nat(600) })
    .map((r) => ({
      ...r,
      type: 'lesson_progress',
      itemId: 'l',
      value: r.value,
      data: { positionSec: r.pos },
    })),
  fc.record({ user, at: minute, pos: fc.nat(120), played: fc.nat(40) }).map((r) => ({
    ...r,
    type: 'video_heartbeat',
    itemId: 'v',
    data: { positionSec: r.pos, durationSec: 120, segments: [[Math.max(0, r.pos - r.played), r.pos]] },
  })),
  fc
    .record({
      user,
      at: minute,
      attempt: fc.constantFrom('a', 'b', 'c'),
      score: fc.nat(10),
      passed: fc.boolean(),
    })
    .map((r) => ({
      ...r,
      type: 'quiz_submit',
      itemId: 'q',
      // Copies of one attempt carry the same answers (which copy is earliest may differ by event id).
      data: {
        attemptId: `${r.attempt}-${r.score}-${r.passed}`,
        score: r.score,
        maxScore: 10,
        passed: r.passed,
      },
    })),
  fc
    .record({ user, at: minute, item: fc.constantFrom('l', 'v') })
    .map((r) => ({ ...r, type: 'lesson_complete', itemId: r.item })),
  fc
    .record({ user, at: minute, value: fc.nat(100) })
    .map((r) => ({ ...r, type: 'scroll_depth', itemId: 'l', value: r.value })),
  fc.record({ user, at: minute }).map((r) => ({ ...r, type: 'course_visit' })),
  fc.record({ user, at: minute }).map((r) => ({ ...r, type: 'heartbeat', data: { activeSec: 45 } })),
);
type Ev = { user: number; at: number; type: string; itemId?: string; value?: number; data?: unknown };

/** Every projection row of the rows whose ids start with `prefix`, with the prefix cut off. */
const TABLES: Record<string, [filter: string, order: string]> = {
  item_progress: ['user_id', 'user_id, item_id'],
  course_progress: ['user_id', 'user_id, course_id'],
  learning_sessions: ['user_id', 'user_id, course_id, start_at'],
  daily_completions: ['user_id', 'user_id, course_id, day'],
  daily_activity: ['user_id', 'user_id, course_id, day'],
  assessment_attempts: ['user_id', 'user_id, item_id, attempt_id'],
  item_stats: ['item_id', 'item_id'],
  course_daily: ['course_id', 'course_id, day'],
  course_daily_completions: ['course_id', 'course_id, day'],
  video_viewers: ['user_id', 'user_id, item_id'],
  video_sessions: ['user_id', 'user_id, item_id, number'],
  video_aggregates: ['item_id', 'item_id, day'],
};

forEachEngine((engine) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(engine);
  });
  after(() => t.close());

  async function snapshot(prefix: string): Promise<string> {
    const out: Record<string, unknown[]> = {};
    for (const [table, [filter, order]] of Object.entries(TABLES)) {
      const rows = await t.server.db.query(
        `SELECT * FROM ${table} WHERE ${filter} LIKE $1 || '%' ORDER BY ${order}`,
        [prefix],
      );
      // Event ids differ between the two runs; everything else must not.
      out[table] = rows.map(({ event_id: _e, resume_event: _r, id: _i, last_event: _l, ...rest }) => rest);
    }
    return JSON.stringify(out).replaceAll(prefix, '');
  }

  async function ingestAs(prefix: string, events: readonly Ev[], seed: number, reversed = false) {
    const course = `${prefix}c`;
    await t.request({ method: 'PUT', url: `/api/v1/courses/${course}`, payload: { title: 'C' } });
    await t.request({
      method: 'PUT',
      url: `/api/v1/courses/${course}/items`,
      payload: { items: ITEMS.map((i) => ({ ...i, id: `${prefix}${i.id}`, title: i.id })) },
    });
    // Events at the same instant are ordered by id: each run's ids share a prefix and end in the
    // event's index, so ties fall the same way in both runs.
    const runId = randomUUID().slice(0, 8);
    const indexed = events.map((e, i) => ({
      ...e,
      id: `${runId}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    }));
    const wire = shuffled(reversed ? indexed.reverse() : indexed, seed).map((e) => ({
      id: e.id,
      type: e.type,
      occurredAt: new Date(e.at).toISOString(),
      userId: `${prefix}u${e.user}`,
      courseId: course,
      ...(e.itemId ? { itemId: `${prefix}${e.itemId}` } : {}),
      ...(e.value !== undefined ? { value: e.value } : {}),
      ...(e.data !== undefined ? { data: e.data } : {}),
    }));
    const batches: (typeof wire)[] = [];
    let s = seed >>> 0 || 3;
    for (let i = 0; i < wire.length; ) {
      s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
      const n = 1 + (s % 13);
      batches.push(wire.slice(i, i + n));
      i += n;
    }
    await Promise.all(
      batches.map(async (batch) => {
        const res = await t.request({ method: 'POST', url: '/api/v1/events', payload: { events: batch } });
        assert.equal(res.json().accepted, batch.length, res.body);
      }),
    );
  }

  it('gives identical progress, sessions and attempts whatever the order and batching, and replay equals them', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbEvent, { minLength: 1, maxLength: 60 }),
        fc.integer(),
        async (events, seed) => {
          run++;
          await ingestAs(`o${run}a-`, events, seed);
          await ingestAs(`o${run}b-`, events, seed ^ 0x2545f491, true);
          assert.equal(await snapshot(`o${run}a-`), await snapshot(`o${run}b-`));
        },
      ),
      { numRuns: 20 },
    );
    const live = await snapshot('o');
    await replay(t.server.db, PROJECTIONS);
    assert.equal(await snapshot('o'), live);
  });
});
