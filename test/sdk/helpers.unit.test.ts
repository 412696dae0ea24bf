// The tracker's small pure parts: UUID v7, active time, devices, token claims, the storage adapters.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ActiveTime } from '../../sdk/src/activity.js';
import { deviceOf } from '../../sdk/src/device.js';
import { Persister } from '../../sdk/src/persist.js';
import { keyValueStore, memoryStore, type StoredEvent } from '../../sdk/src/store.js';
import { claimsOf } from '../../sdk/src/token.js';
import { uuidv7 } from '../../sdk/src/uuid.js';
import { memoryKv, settle, T0 } from './fakes.js';

describe('uuidv7', () => {
  it('is a version 7 UUID with the time in its first 48 bits', () => {
    const a = uuidv7(T0);
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(Number.parseInt(a.replace(/-/g, '').slice(0, 12), 16), T0);
    const ones = uuidv7(T0 + 1, new Uint8Array(10).fill(255));
    assert.equal(ones.slice(14), '77ff-bfff-ffffffffffff', 'the counter starts in its lower half');
  });

  it('only increases, within a millisecond too (the server orders same-instant heartbeats by id)', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => uuidv7(T0 + 10 + Math.floor(i / 2500)));
    assert.deepEqual([...ids].sort(), ids, 'sorted by id is creation order');
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(uuidv7(T0) > ids[ids.length - 1]!, 'a clock going back does not go back in ids');
  });
});

describe('ActiveTime', () => {
  it('counts visible time within the idle window after each input, not while a video plays', () => {
    const a = new ActiveTime(60_000, T0, true);
    assert.equal(a.take(T0 + 30_000), 30_000, 'opening the page is activity');
    assert.equal(a.take(T0 + 120_000), 30_000, 'idle after 60 s');
    a.activity(T0 + 130_000);
    a.visibility(T0 + 140_000, false);
    assert.equal(a.take(T0 + 200_000), 10_000, 'hidden time does not count');
    a.visibility(T0 + 200_000, true);
    a.playing(T0 + 210_000, 1);
    a.activity(T0 + 220_000);
    a.playing(T0 + 250_000, -1);
    assert.equal(a.take(T0 + 260_000), 20_000, 'video time is counted from its segments instead');
    a.playing(T0 + 260_000, -1);
    assert.equal(a.take(T0 + 270_000), 10_000, 'an extra stop does not go below zero');
  });
});

describe('deviceOf', () => {
  it('tells type, OS and browser from common user agents', () => {
    const cases: [string, number, object][] = [
      [
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36 Edg/124.0',
        0,
        { type: 'desktop', os: 'Windows', browser: 'Edge' },
      ],
      [
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
        5,
        { type: 'mobile', os: 'iOS', browser: 'Safari' },
      ],
      [
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
        5,
        { type: 'tablet', os: 'iOS', browser: 'Safari' },
      ],
      [
        'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36',
        5,
        { type: 'mobile', os: 'Android', browser: 'Chrome' },
      ],
      [
        'Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
        5,
        { type: 'tablet', os: 'Android', browser: 'Chrome' },
      ],
      [
        'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
        0,
        { type: 'desktop', os: 'Linux', browser: 'Firefox' },
      ],
    ];
    for (const [ua, touch, want] of cases) assert.deepEqual(deviceOf(ua, touch), want, ua);
  });
});

describe('claimsOf', () => {
  it('reads sub and exp of a JWT (base64url, UTF-8) and nothing of an opaque token', () => {
    const payload = Buffer.from(JSON.stringify({ sub: 'zoë-42', exp: 1767225600, role: 'student' })).toString(
      'base64url',
    );
    assert.deepEqual(claimsOf(`h.${payload}.s`), { sub: 'zoë-42', exp: 1767225600 });
    assert.deepEqual(claimsOf('an-api-key'), {});
    assert.deepEqual(claimsOf(undefined), {});
    assert.deepEqual(claimsOf('h.!!!.s'), {});
  });
});

describe('storage', () => {
  const rec = (id: string, u: string | null = 'u1'): StoredEvent => ({
    id,
    u,
    e: { id, type: 'x-a', occurredAt: new Date(T0).toISOString() },
  });

  it('the localStorage store keeps records across instances and survives a damaged value', async () => {
    const kv = memoryKv();
    await keyValueStore(kv, 'k').put([rec('a'), rec('b')]);
    await keyValueStore(kv, 'k').remove(['a']);
    assert.deepEqual(await keyValueStore(kv, 'k').load(), [rec('b')]);
    kv.setItem('k', '{not json');
    assert.deepEqual(await keyValueStore(kv, 'k').load(), []);
  });

  it('the persister writes in order, so a removal never overtakes the write of the same event', async () => {
    const log: string[] = [];
    const store = memoryStore();
    const p = new Persister(
      {
        load: store.load,
        put: async (r) => {
          await new Promise((res) => setTimeout(res, 5));
          log.push(`put ${r.map((x) => x.id)}`);
          await store.put(r);
        },
        remove: async (ids) => {
          log.push(`remove ${ids}`);
          await store.remove(ids);
        },
      },
      undefined,
      'rescue',
    );
    p.save([rec('a')]);
    p.drop(['a']);
    await p.settled();
    assert.deepEqual(log, ['put a', 'remove a']);
    assert.deepEqual(await store.load(), []);
  });

  it('a rescue stays in localStorage until the store has taken it', async () => {
    const kv = memoryKv();
    kv.setItem('rescue', JSON.stringify({ a: rec('a') }));
    let fail = true;
    const store = memoryStore();
    const flaky = {
      ...store,
      put: async (r: readonly StoredEvent[]) => {
        if (fail) throw new Error('QuotaExceededError');
        await store.put(r);
      },
    };
    const errors: unknown[] = [];
    assert.deepEqual(await new Persister(flaky, kv, 'rescue', (e) => errors.push(e)).load(), [rec('a')]);
    assert.equal(errors.length, 1);
    assert.ok(kv.getItem('rescue'), 'kept for the next page');
    fail = false;
    assert.deepEqual(await new Persister(flaky, kv, 'rescue').load(), [rec('a')]);
    assert.equal(kv.getItem('rescue'), null);
    assert.deepEqual(await store.load(), [rec('a')]);
  });

  it('a failing store is reported and its records are rescued on hide', async () => {
    const kv = memoryKv();
    const errors: unknown[] = [];
    const p = new Persister(
      {
        load: async () => [],
        put: async () => {
          throw new Error('QuotaExceededError');
        },
        remove: async () => {},
      },
      kv,
      'rescue',
      (e) => errors.push(e),
    );
    p.save([rec('a')]);
    await settle();
    assert.equal(errors.length, 1);
    p.rescue();
    assert.deepEqual(Object.keys(JSON.parse(kv.getItem('rescue')!)), ['a']);
  });
});
