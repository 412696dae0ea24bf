import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import { PROJECTIONS } from '../src/projections/registry.js';
import { replay } from '../src/projections/replay.js';
import { startTestApp, type TestApp } from './support/app.js';
import { forEachEngine } from './support/engines.js';
import { shuffled } from './support/shuffle.js';

const ZONES = ['UTC', 'Pacific/Auckland', 'America/Los_Angeles', 'Asia/Kolkata'];

interface Ev {
  user: number;
  course: number;
  type: 'heartbeat' | 'course_visit' | 'x-note';
  at: number;
  activeSec: number | undefined;
}

const arbEvent: fc.Arbitrary<Ev> = fc.record({
  user: fc.integer({ min: 0, max: 3 }),
  course: fc.integer({ min: 0, max: 1 }),
  type: fc.constantFrom(
    'heartbeat' as const,
    'heartbeat' as const,
    'course_visit' as const,
    'x-note' as const,
  ),
  // Two months around a DST change and a month boundary, at minute resolution.
  at: fc.integer({ min: Date.UTC(2026, 2, 20), max: Date.UTC(2026, 4, 10) }).map((t) => t - (t % 60_000)),
  activeSec: fc.option(fc.double({ min: 0, max: 600, noNaN: true }), { nil: undefined }),
});

const arbCase = fc.record({
  events: fc.array(arbEvent, { minLength: 1, maxLength: 80 }),
  zones: fc.array(fc.constantFrom(...ZONES), { minLength: 4, maxLength: 4 }),
  seed: fc.integer(),
});

function splits<T>(xs: readonly T[], seed: number): T[][] {
  const out: T[][] = [];
  let i = 0;
  let s = seed >>> 0 || 7;
  while (i < xs.length) {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    const n = 1 + (s % 17);
    out.push(xs.slice(i, i + n));
    i += n;
  }
  return out;
}

/** The oracle: sums straight from the raw events, local days via Intl, no shared code. */
function bruteForce(events: readonly Ev[], zones: readonly string[]): string[] {
  const sums = new Map<string, { ms: number; visits: number }>();
  for (const e of events) {
    if (e.type === 'x-note') continue;
    const day = new Intl.DateTimeFormat('sv-SE', { timeZone: zones[e.user] }).format(new Date(e.at));
    const key = `${e.user}|${e.course}|${day}`;
    const s = sums.get(key) ?? { ms: 0, visits: 0 };
    if (e.type === 'heartbeat') s.ms += Math.round((e.activeSec ?? 30) * 1000);
    else s.visits += 1;
    sums.set(key, s);
  }
  return [...sums].map(([k, s]) => `${k}|${s.ms}|${s.visits}`).sort();
}

forEachEngine((engine) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(engine);
  });
  after(() => t.close());

  async function rowsFor(prefix: string): Promise<string[]> {
    const rows = await t.server.db.query<{
      user_id: string;
      course_id: string;
      day: string;
      ms: number;
      visits: number;
    }>(
      `SELECT user_id, course_id, to_char(day, 'YYYY-MM-DD') AS day, active_ms::float8 AS ms, visits
       FROM daily_activity WHERE user_id LIKE $1 || '%'`,
      [prefix],
    );
    return rows
      .map(
        (r) =>
          `${r.user_id.slice(prefix.length)}|${r.course_id.slice(prefix.length)}|${r.day}|${r.ms}|${r.visits}`,
      )
      .sort();
  }

  async function ingestAs(prefix: string, events: readonly Ev[], zones: readonly string[], seed: number) {
    for (let u = 0; u < zones.length; u++) {
      const res = await t.request({
        method: 'PUT',
        url: `/api/v1/users/${prefix}${u}`,
        payload: { displayName: `User ${u}`, timezone: zones[u] },
      });
      assert.equal(res.statusCode, 200);
    }
    const wire = events.map((e) => ({
      id: randomUUID(),
      type: e.type,
      occurredAt: new Date(e.at).toISOString(),
      userId: `${prefix}${e.user}`,
      courseId: `${prefix}${e.course}`,
      ...(e.type === 'heartbeat' && e.activeSec !== undefined ? { data: { activeSec: e.activeSec } } : {}),
    }));
    // Concurrent requests, so batches also coalesce differently in the group committer.
    await Promise.all(
      splits(shuffled(wire, seed), seed).map(async (batch) => {
        const res = await t.request({ method: 'POST', url: '/api/v1/events', payload: { events: batch } });
        assert.equal(res.json().accepted, batch.length);
      }),
    );
  }

  it('gives identical daily activity whatever the order and batching, equal to a brute-force sum and to replay', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(arbCase, async ({ events, zones, seed }) => {
        run++;
        const a = `p${run}a-`;
        const b = `p${run}b-`;
        await ingestAs(a, events, zones, seed);
        await ingestAs(b, [...events].reverse(), zones, seed ^ 0x5f3759df);
        const rowsA = await rowsFor(a);
        assert.deepEqual(rowsA, await rowsFor(b));
        assert.deepEqual(rowsA, bruteForce(events, zones));
      }),
      { numRuns: 25 },
    );
    const all = async () =>
      t.server.db.query(
        'SELECT user_id, course_id, day::text AS day, active_ms, visits FROM daily_activity ORDER BY 1, 2, 3',
      );
    const live = await all();
    assert.ok(live.length > 0);
    const result = await replay(t.server.db, PROJECTIONS);
    assert.ok(result.events > 0);
    assert.deepEqual(await all(), live);
  });
});
