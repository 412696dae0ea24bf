import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEventValidator } from './validate.js';

const validate = createEventValidator();
const base = {
  id: '0B7D3C8E-1A2B-4C3D-8E9F-0A1B2C3D4E5F',
  type: 'course_visit',
  occurredAt: '2026-05-01T12:00:00+02:00',
  courseId: 'c1',
};

describe('createEventValidator', () => {
  it('normalises an accepted event: lower-case id, UTC timestamp, user from the token', () => {
    const r = validate(base, 'learner-1');
    assert.ok(r.ok);
    assert.equal(r.event.id, '0b7d3c8e-1a2b-4c3d-8e9f-0a1b2c3d4e5f');
    assert.equal(r.event.occurredAt, '2026-05-01T10:00:00.000Z');
    assert.equal(r.event.userId, 'learner-1');
  });

  it('accepts every native type with its minimal fields', () => {
    const cases: Record<string, object> = {
      heartbeat: {},
      scroll_depth: { value: 55 },
      lesson_start: { itemId: 'i' },
      lesson_progress: { itemId: 'i', value: 40 },
      lesson_complete: { itemId: 'i' },
      video_heartbeat: { itemId: 'v', data: { positionSec: 10, durationSec: 60, segments: [[0, 10]] } },
      quiz_submit: { itemId: 'q', data: { attemptId: 'a1', score: 7, maxScore: 10, passed: true } },
      assignment_submit: { itemId: 'a', data: { attemptId: 'a1', score: 7, maxScore: 10 } },
      certification_issued: { data: { certificateId: 'cert-1' } },
      live_join: { liveSessionId: 's' },
      live_leave: { liveSessionId: 's', data: { connectionId: 'tab-2' } },
      live_chat: { liveSessionId: 's', data: { text: 'why?' } },
      live_reaction: { liveSessionId: 's', data: { kind: '👏' } },
      live_feedback: { liveSessionId: 's', data: { rating: 5, comment: 'great' } },
      'x-acme.badge': { data: { any: { nested: [1, 2] } } },
    };
    for (const [type, extra] of Object.entries(cases)) {
      const r = validate({ ...base, type, ...extra, userId: 'u' });
      assert.ok(r.ok, `${type}: ${r.ok ? '' : r.rejection.message}`);
    }
  });

  it('requires the fields a type depends on', () => {
    const r = validate({ ...base, type: 'video_heartbeat', itemId: 'v', userId: 'u' });
    assert.ok(!r.ok);
    assert.equal(r.rejection.code, 'missing_field');
  });

  it('refuses numbers JSON cannot carry and measures data in UTF-8 bytes', () => {
    const huge = JSON.parse('{"x":1e999}') as { x: number };
    const r = validate({ ...base, type: 'x-note', userId: 'u', data: { nested: [1, huge.x] } });
    assert.ok(!r.ok);
    assert.equal(r.rejection.code, 'invalid_field');
    assert.match(r.rejection.message, /data\.nested\.1 is not a finite number/);
    // 6,000 three-byte characters: 18 KB in UTF-8, under 16 Ki UTF-16 units.
    const big = validate({ ...base, type: 'x-note', userId: 'u', data: { text: '€'.repeat(6000) } });
    assert.ok(!big.ok);
    assert.equal(big.rejection.code, 'data_too_large');
  });
});
