import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dailyActivityDeltas } from './daily-activity.js';
import type { StoredEvent } from './events/types.js';
import { localDay } from './time/local-day.js';

let seq = 0;
const ev = (type: string, occurredAt: string, extra: Partial<StoredEvent> = {}): StoredEvent => ({
  id: `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`,
  seq,
  receivedAt: occurredAt,
  type,
  occurredAt,
  userId: 'u1',
  courseId: 'c1',
  ...extra,
});

describe('localDay', () => {
  it('uses the learner’s zone, across a DST change', () => {
    // 2026-04-05 03:00 NZDT → NZST in Auckland; 2026-03-08 02:00 PST → PDT in Los Angeles.
    assert.equal(localDay('2026-04-04T11:30:00Z', 'Pacific/Auckland'), '2026-04-05');
    assert.equal(localDay('2026-04-05T11:30:00Z', 'Pacific/Auckland'), '2026-04-05');
    assert.equal(localDay('2026-04-05T12:30:00Z', 'Pacific/Auckland'), '2026-04-06');
    assert.equal(localDay('2026-03-08T07:59:00Z', 'America/Los_Angeles'), '2026-03-07');
    assert.equal(localDay('2026-03-08T08:00:00Z', 'America/Los_Angeles'), '2026-03-08');
    assert.equal(localDay('2026-03-09T06:59:00Z', 'America/Los_Angeles'), '2026-03-08');
    assert.equal(localDay('2026-03-09T07:00:00Z', 'America/Los_Angeles'), '2026-03-09');
  });

  it('treats an unknown zone as UTC', () => {
    assert.equal(localDay('2026-01-01T23:30:00Z', 'Mars/Olympus'), '2026-01-01');
  });
});

describe('dailyActivityDeltas', () => {
  it('sums active time in whole milliseconds and counts visits per local day', () => {
    const deltas = dailyActivityDeltas(
      [
        ev('heartbeat', '2026-05-01T10:00:00Z', { data: { activeSec: 12.3456 } }),
        ev('heartbeat', '2026-05-01T10:00:30Z'),
        ev('course_visit', '2026-05-01T09:59:00Z'),
        ev('course_visit', '2026-05-01T23:30:00Z'),
        ev('heartbeat', '2026-05-01T10:00:00Z', { courseId: undefined }),
        ev('x-other', '2026-05-01T10:00:00Z'),
        ev('heartbeat', '2026-05-01T10:00:00Z', { userId: 'u2', data: { activeSec: 0 } }),
      ],
      (u) => (u === 'u1' ? 'Asia/Tokyo' : 'UTC'),
    );
    assert.deepEqual(deltas, [
      {
        userId: 'u1',
        courseId: 'c1',
        day: '2026-05-01',
        activeMs: 12_346 + 30_000,
        visits: 1,
        events: 3,
        quizAttempts: 0,
      },
      { userId: 'u1', courseId: 'c1', day: '2026-05-02', activeMs: 0, visits: 1, events: 1, quizAttempts: 0 },
      { userId: 'u2', courseId: 'c1', day: '2026-05-01', activeMs: 0, visits: 0, events: 1, quizAttempts: 0 },
    ]);
  });

  it('is independent of event order', () => {
    const events = Array.from({ length: 50 }, (_, i) =>
      ev(i % 3 ? 'heartbeat' : 'course_visit', new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString(), {
        data: { activeSec: i * 1.1 },
        userId: `u${i % 4}`,
      }),
    );
    const zone = () => 'America/New_York';
    assert.deepEqual(dailyActivityDeltas([...events].reverse(), zone), dailyActivityDeltas(events, zone));
  });
});
