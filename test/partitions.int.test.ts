import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import { monthOf, PartitionManager, partitionName } from '../src/store/events/partitions.js';
import { event, startTestApp, type TestApp } from './support/app.js';
import { forEachEngine } from './support/engines.js';

forEachEngine((engine) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(engine);
  });
  after(() => t.close());

  const post = (events: unknown[]) =>
    t.request({ method: 'POST', url: '/api/v1/events', payload: { events } });
  const partitionOf = async (id: unknown) =>
    (
      await t.server.db.query<{ p: string }>(
        'SELECT tableoid::regclass::text AS p FROM events WHERE id = $1',
        [id],
      )
    )[0]?.p;

  it('has partitions for this month and the next from start-up', async () => {
    const now = new Date();
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    for (const m of [monthOf(now), monthOf(next)]) {
      const rows = await t.server.db.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [
        partitionName(m),
      ]);
      assert.equal(rows[0]!.ok, true, partitionName(m));
    }
  });

  it('creates a month partition on demand and routes far-away months to the default one', async () => {
    const recent = new Date(Date.now() - 300 * 86_400_000);
    const e1 = event({ occurredAt: recent.toISOString() });
    const old = event({ occurredAt: '1990-04-01T00:00:00Z' });
    const far = event({ occurredAt: '2999-01-01T00:00:00Z' });
    assert.equal((await post([e1, old, far])).json().accepted, 3);
    assert.equal(await partitionOf(e1.id), partitionName(monthOf(recent)));
    assert.equal(await partitionOf(old.id), 'events_default');
    assert.equal(await partitionOf(far.id), 'events_default');
  });

  it('moves rows out of the default partition when their month gets its own', async () => {
    const future = new Date();
    future.setUTCMonth(future.getUTCMonth() + 6, 15);
    const ahead = event({ occurredAt: future.toISOString() });
    await post([ahead]);
    assert.equal(await partitionOf(ahead.id), 'events_default');
    // Time passes: the month is now current.
    const later = new PartitionManager(t.server.db, () => future);
    await later.ensureFor([future]);
    assert.equal(await partitionOf(ahead.id), partitionName(monthOf(future)));
    const rows = await t.server.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM events WHERE id = $1',
      [ahead.id],
    );
    assert.equal(rows[0]!.n, 1);
  });

  it('keeps ids unique across the whole log, not per partition', async () => {
    const id = randomUUID();
    const first = await post([event({ id, occurredAt: '2026-01-05T00:00:00Z' })]);
    const again = await post([
      event({ id, occurredAt: '1980-01-05T00:00:00Z' }),
      event({ id, occurredAt: new Date().toISOString() }),
    ]);
    assert.equal(first.json().accepted, 1);
    assert.deepEqual(again.json(), { accepted: 0, duplicates: 2, rejected: [] });
    const rows = await t.server.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM events WHERE id = $1',
      [id],
    );
    assert.equal(rows[0]!.n, 1);
  });
});

forEachEngine((engine) => {
  it('accepts a month already covered by a partition of another name', async () => {
    const { db, close } = await engine.open();
    try {
      await db.exec(
        `CREATE TABLE events_custom PARTITION OF events FOR VALUES FROM ('2026-06-01T00:00:00Z') TO ('2026-08-01T00:00:00Z')`,
      );
      const month = new Date('2026-07-10T00:00:00Z');
      await new PartitionManager(db, () => month).ensureFor([month]);
      const rows = await db.query<{ ok: boolean }>("SELECT to_regclass('events_2026_07') IS NULL AS ok");
      assert.equal(rows[0]!.ok, true);
    } finally {
      await close();
    }
  });
});
