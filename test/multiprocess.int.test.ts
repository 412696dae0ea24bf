// Two server processes on one PostgreSQL database: concurrent ingestion of the same learners,
// identical batches sent to both at once, and daily_activity checked against `replay` and against
// a brute-force computation from the events sent.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openPostgres } from '../src/store/postgres.js';
import { engines, serverUrl, type TestDb } from './support/engines.js';
import {
  apiClient,
  assertSameRows,
  dailyActivitySnapshot,
  expectedDailyActivity,
  type Learner,
  makeEvents,
  projectionSnapshot,
  prng,
  runCli,
  type SpawnedServer,
  spawnServer,
  ZONES,
} from './support/spawn-server.js';

type IngestAnswer = { accepted: number; duplicates: number; rejected: unknown[] };

if (!serverUrl) {
  // PGlite is opened by one process only: several processes need a PostgreSQL server.
  it('runs on PostgreSQL only (no TEST_DATABASE_URL or DATABASE_URL given)', () => {
    console.log('# multiprocess: not run: no TEST_DATABASE_URL or DATABASE_URL (PGlite is single-process)');
    assert.equal(serverUrl, undefined);
  });
} else {
  describe('two server processes on one PostgreSQL database', () => {
    const seed = Number(process.env.TEST_SEED ?? Date.now() % 1_000_000);
    /** One generator per concurrent sender, so that the workload does not depend on timing. */
    const rng = (k: number) => prng(seed * 1000 + k);
    let testDb: TestDb;
    let servers: SpawnedServer[] = [];
    /** Every event sent, by id (the first copy; resent copies are identical). */
    const sent = new Map<string, Record<string, unknown>>();
    let acceptedTotal = 0;

    const learners: Learner[] = [
      ...ZONES.map((timezone, i) => ({ id: `mp-learner-${i}`, timezone })),
      { id: 'mp-learner-utc', timezone: 'UTC' },
      { id: 'mp-learner-uncatalogued' },
      // Pushed to the catalog only after its events: its days are recomputed then.
      { id: 'mp-learner-late', timezone: 'Asia/Tokyo' },
    ];
    const zones = new Map(learners.map((l) => [l.id, l.timezone ?? 'UTC']));

    const ingest = async (server: SpawnedServer, batch: Record<string, unknown>[]): Promise<IngestAnswer> => {
      for (const e of batch) if (!sent.has(e.id as string)) sent.set(e.id as string, e);
      const res = await apiClient(server.url).send('POST', '/api/v1/events', { events: batch });
      assert.equal(res.status, 200, `POST /events on :${server.port}: ${JSON.stringify(res.body)}`);
      const body = res.body as IngestAnswer;
      assert.deepEqual(body.rejected, []);
      assert.equal(body.accepted + body.duplicates, batch.length);
      acceptedTotal += body.accepted;
      return body;
    };

    before(async () => {
      console.log(`# multiprocess seed ${seed} (TEST_SEED=${seed} regenerates the same events)`);
      const pg = engines().find((e) => e.name === 'postgres')!;
      testDb = await pg.open();
      // The servers own the database from here; the test reconnects when it needs to look.
      await testDb.db.close();
      servers = await Promise.all([
        spawnServer({ DATABASE_URL: testDb.url }),
        spawnServer({ DATABASE_URL: testDb.url }),
      ]);
    });

    after(async () => {
      const exits = await Promise.all(servers.map((s) => s.kill('SIGTERM')));
      await testDb?.close();
      assert.deepEqual(
        exits,
        servers.map(() => ({ code: 0, signal: null })),
        'both servers stop cleanly on SIGTERM',
      );
    });

    it('stores concurrent and duplicated ingestion once and projects it as replay and brute force do', async () => {
      // Time zones pushed through both processes.
      for (const [i, l] of learners.entries()) {
        if (!l.timezone || l.id === 'mp-learner-late') continue;
        const res = await apiClient(servers[i % 2]!.url).send('PUT', `/api/v1/users/${l.id}`, {
          displayName: `Learner ${l.id}`,
          timezone: l.timezone,
        });
        assert.equal(res.status, 200, JSON.stringify(res.body));
      }

      // 8 clients × 30 requests × 100 events, each client alternating between the processes,
      // while identical batches go to both processes at the same moment.
      const clients = Array.from({ length: 8 }, async (_, c) => {
        const rand = rng(c);
        for (let r = 0; r < 30; r++) await ingest(servers[(c + r) % 2]!, makeEvents(100, learners, rand));
      });
      const twins = (async () => {
        const rand = rng(100);
        let twinAccepted = 0;
        let twinDistinct = 0;
        for (let r = 0; r < 20; r++) {
          const batch = makeEvents(100, learners, rand);
          // Half of a batch repeated inside it, and a second batch overlapping the first by half.
          const withRepeats = [...batch, ...batch.slice(0, 10)];
          const overlapping = [...batch.slice(50), ...makeEvents(50, learners, rand)];
          const answers = await Promise.all([
            ingest(servers[0]!, withRepeats),
            ingest(servers[1]!, withRepeats),
            ingest(servers[r % 2]!, overlapping),
          ]);
          const distinct = new Set([...withRepeats, ...overlapping].map((e) => e.id)).size;
          const accepted = answers.reduce((s, a) => s + a.accepted, 0);
          assert.equal(accepted, distinct, `round ${r}: accepted across both processes = distinct ids`);
          twinAccepted += accepted;
          twinDistinct += distinct;
        }
        return { twinAccepted, twinDistinct };
      })();
      const [{ twinAccepted, twinDistinct }] = await Promise.all([twins, ...clients]);
      assert.equal(twinAccepted, twinDistinct);

      // Events of a learner the catalog learns about afterwards: counted in UTC until then.
      const late = makeEvents(300, [learners.at(-1)!], rng(101));
      await ingest(servers[0]!, late.slice(0, 150));
      await ingest(servers[1]!, late.slice(150));
      const put = await apiClient(servers[1]!.url).send('PUT', '/api/v1/users/mp-learner-late', {
        displayName: 'Late',
        timezone: 'Asia/Tokyo',
      });
      assert.equal(put.status, 200, JSON.stringify(put.body));

      const distinct = sent.size;
      assert.equal(distinct, 8 * 30 * 100 + 20 * 150 + 300);
      assert.equal(
        acceptedTotal,
        distinct,
        'the accepted counts over every answer add up to the distinct ids',
      );

      const db = openPostgres(testDb.url!, { max: 2 });
      try {
        const [counts] = await db.query<{
          events: number;
          ids: number;
          distinct_events: number;
          custom: number;
        }>(
          `SELECT (SELECT count(*)::int FROM events) AS events,
                  (SELECT count(*)::int FROM event_ids) AS ids,
                  (SELECT count(DISTINCT id)::int FROM events) AS distinct_events,
                  (SELECT count(*)::int FROM events WHERE type LIKE 'x-%') AS custom`,
        );
        const customSent = [...sent.values()].filter((e) => (e.type as string).startsWith('x-')).length;
        assert.deepEqual(counts, {
          events: distinct,
          ids: distinct,
          distinct_events: distinct,
          custom: customSent,
        });

        const live = await dailyActivitySnapshot(db);
        const liveProjections = await projectionSnapshot(db);
        const expected = expectedDailyActivity(sent.values(), (u) => zones.get(u) ?? 'UTC');
        assert.ok(live.length > 500, `daily_activity has ${live.length} rows`);
        const replayed = await runCli(['replay'], { DATABASE_URL: testDb.url });
        assert.match(replayed, new RegExp(`Replayed ${distinct} events`));
        const rebuilt = await dailyActivitySnapshot(db);
        assert.equal(
          liveProjections,
          await projectionSnapshot(db),
          'every projection kept at ingest equals replay',
        );
        assertSameRows(live, rebuilt, 'daily_activity kept at ingest equals what replay rebuilds');
        assertSameRows(rebuilt, expected, 'daily_activity equals the brute-force computation');
      } finally {
        await db.close();
      }
    });

    it('keeps daily_activity right when time zones change while both processes ingest', async () => {
      const movers: Learner[] = Array.from({ length: 6 }, (_, i) => ({
        id: `mp-mover-${i}`,
        timezone: 'UTC',
      }));
      for (const m of movers) {
        const res = await apiClient(servers[0]!.url).send('PUT', `/api/v1/users/${m.id}`, {
          displayName: m.id,
          timezone: 'UTC',
        });
        assert.equal(res.status, 200);
      }
      const finalZone = new Map<string, string>();
      let loading = true;
      let changes = 0;
      const clients = Array.from({ length: 6 }, async (_, c) => {
        const rand = rng(200 + c);
        for (let r = 0; r < 25; r++) await ingest(servers[(c + r) % 2]!, makeEvents(100, movers, rand));
      });
      const changer = (async () => {
        for (let k = 0; loading; k++) {
          const m = movers[k % movers.length]!;
          const timezone = ZONES[(k * 7 + 3) % ZONES.length]!;
          const res = await apiClient(servers[k % 2]!.url).send('PUT', `/api/v1/users/${m.id}`, {
            displayName: m.id,
            timezone,
          });
          assert.equal(res.status, 200, JSON.stringify(res.body));
          finalZone.set(m.id, timezone);
          changes++;
        }
      })();
      try {
        await Promise.all(clients);
      } finally {
        loading = false;
        await changer;
      }
      assert.ok(changes >= movers.length, `${changes} time zone changes happened during ingestion`);

      const db = openPostgres(testDb.url!, { max: 2 });
      try {
        const moverRows = async () =>
          (await dailyActivitySnapshot(db)).filter((r) => r.user_id.startsWith('mp-mover-'));
        const live = await moverRows();
        const liveProjections = await projectionSnapshot(db);
        const expected = expectedDailyActivity(
          [...sent.values()].filter((e) => (e.userId as string).startsWith('mp-mover-')),
          (u) => finalZone.get(u) ?? 'UTC',
        );
        await runCli(['replay'], { DATABASE_URL: testDb.url });
        const rebuilt = await moverRows();
        assertSameRows(rebuilt, expected, 'replay follows the final time zones');
        assertSameRows(live, rebuilt, 'daily_activity kept at ingest equals what replay rebuilds');
        assert.equal(
          liveProjections,
          await projectionSnapshot(db),
          'every projection kept at ingest equals replay',
        );
      } finally {
        await db.close();
      }
    });
  });
}
