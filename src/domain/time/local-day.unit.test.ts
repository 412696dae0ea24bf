import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { localDay, localDayUncached } from './local-day.js';

const ZONES = [
  'UTC',
  'Pacific/Auckland',
  'America/Los_Angeles',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'America/Santiago',
  'Africa/Monrovia',
  'Europe/Amsterdam',
  'Pacific/Kiritimati',
  'Pacific/Pago_Pago',
];

it('gives the same day as formatting each instant, around midnights and DST changes, old odd offsets included', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...ZONES),
      // 1900–2100, and instants packed near quarter hours, where a cached bucket would go wrong first.
      fc.oneof(
        fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }),
        fc
          .tuple(fc.integer({ min: -2_000_000, max: 4_000_000 }), fc.integer({ min: -2, max: 2 }))
          .map(([q, d]) => q * 900_000 + d),
      ),
      (zone, ms) => {
        assert.equal(localDay(new Date(ms), zone), localDayUncached(new Date(ms), zone));
      },
    ),
    { numRuns: 20_000 },
  );
});

it('steps through every minute of two DST weeks exactly', () => {
  for (const [zone, from] of [
    ['America/Los_Angeles', Date.UTC(2026, 2, 7)],
    ['Pacific/Auckland', Date.UTC(2026, 3, 3)],
    ['Australia/Lord_Howe', Date.UTC(2026, 3, 3)],
  ] as const) {
    for (let t = from; t < from + 3 * 86_400_000; t += 60_000) {
      assert.equal(
        localDay(new Date(t), zone),
        localDayUncached(new Date(t), zone),
        `${zone} ${new Date(t).toISOString()}`,
      );
    }
  }
});
