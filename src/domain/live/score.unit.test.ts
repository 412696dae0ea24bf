import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LIVE_SCORE_WEIGHTS, type LiveScoreInputs, liveScore } from './score.js';
import { TREND_THRESHOLD, trend } from './trend.js';

const MIN = 60_000;
const close = (actual: number, expected: number, what = '') =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what} ${actual} ≠ ${expected}`);

const base: LiveScoreInputs = {
  registered: 10,
  registeredAttended: 8,
  attendees: 9,
  engagedAttendees: 6,
  chatMessages: 6,
  averageAttendedMs: 45 * MIN,
  scheduledMs: 60 * MIN,
};

describe('liveScore', () => {
  it('weighs attendance 30, engagement 40, chat 15, retention 15', () => {
    assert.deepEqual(LIVE_SCORE_WEIGHTS, { attendance: 30, engagement: 40, chat: 15, retention: 15 });
    const { score, parts } = liveScore(base);
    close(parts.attendance, 24, 'attendance'); // 8/10 × 30
    close(parts.engagement, 26.666666666666668, 'engagement'); // 6/9 × 40
    close(parts.chat, 10, 'chat'); // 6 messages / 9 attendees × 15
    close(parts.retention, 11.25, 'retention'); // 45/60 × 15
    close(score, 71.91666666666667, 'score'); // 24 + 26.667 + 10 + 11.25
  });

  it('is 100 for a full session and caps every share at 1', () => {
    const { score, parts } = liveScore({
      registered: 4,
      registeredAttended: 5, // more than registered: still a full share
      attendees: 5,
      engagedAttendees: 5,
      chatMessages: 50, // ten each: one each is already full
      averageAttendedMs: 90 * MIN, // longer than scheduled
      scheduledMs: 60 * MIN,
    });
    assert.deepEqual(parts, { attendance: 30, engagement: 40, chat: 15, retention: 15 });
    assert.equal(score, 100);
  });

  it('gives full attendance when nobody registered but someone came', () => {
    const { parts } = liveScore({ ...base, registered: 0, registeredAttended: 0, attendees: 3 });
    assert.equal(parts.attendance, 30);
  });

  it('is 0 with nobody registered and nobody there', () => {
    const { score, parts } = liveScore({
      registered: 0,
      registeredAttended: 0,
      attendees: 0,
      engagedAttendees: 0,
      chatMessages: 0,
      averageAttendedMs: 0,
      scheduledMs: 60 * MIN,
    });
    assert.deepEqual(parts, { attendance: 0, engagement: 0, chat: 0, retention: 0 });
    assert.equal(score, 0);
    // Registered learners who all stayed away: 0 attendance, not a division by zero.
    assert.equal(
      liveScore({ ...base, registered: 5, registeredAttended: 0, attendees: 0 }).parts.attendance,
      0,
    );
  });

  it('gives no retention for a session of no length', () => {
    assert.equal(liveScore({ ...base, scheduledMs: 0 }).parts.retention, 0);
  });

  it('stays within 0–100 and adds up its parts', () => {
    const n = fc.integer({ min: 0, max: 50 });
    fc.assert(
      fc.property(
        n,
        n,
        n,
        n,
        n,
        n,
        n,
        (registered, registeredAttended, attendees, engaged, chat, avg, len) => {
          const { score, parts } = liveScore({
            registered,
            registeredAttended,
            attendees,
            engagedAttendees: engaged,
            chatMessages: chat,
            averageAttendedMs: avg * MIN,
            scheduledMs: len * MIN,
          });
          assert.ok(score >= 0 && score <= 100 + 1e-9, String(score));
          close(score, parts.attendance + parts.engagement + parts.chat + parts.retention);
          for (const k of ['attendance', 'engagement', 'chat', 'retention'] as const) {
            assert.ok(parts[k] >= 0 && parts[k] <= LIVE_SCORE_WEIGHTS[k] + 1e-9, `${k} ${parts[k]}`);
          }
        },
      ),
    );
  });
});

describe('trend', () => {
  it('compares the later half with the earlier half', () => {
    // (50 + 52) / 2 = 51 → (70 + 75) / 2 = 72.5: +42 %.
    assert.equal(trend([50, 52, 70, 75]), 'improving');
    // 80 → 60: −25 %.
    assert.equal(trend([80, 80, 60, 60]), 'declining');
    // 100 → 105: +5 %.
    assert.equal(trend([100, 105]), 'stable');
  });

  it('needs more than 10 % either way', () => {
    assert.equal(TREND_THRESHOLD, 0.1);
    assert.equal(trend([100, 110]), 'stable'); // exactly +10 %
    assert.equal(trend([100, 111]), 'improving');
    assert.equal(trend([100, 90]), 'stable'); // exactly −10 %
    assert.equal(trend([100, 89]), 'declining');
  });

  it('leaves the middle session of an odd count out', () => {
    // First half [10], second half [10]; 1000 in the middle counts for neither.
    assert.equal(trend([10, 1000, 10]), 'stable');
    // [10, 20] → 15, [30, 40] → 35 (middle 0 ignored): improving.
    assert.equal(trend([10, 20, 0, 30, 40]), 'improving');
  });

  it('is stable with fewer than two sessions', () => {
    assert.equal(trend([]), 'stable');
    assert.equal(trend([42]), 'stable');
  });

  it('improves from a zero start on any rise, and stays stable at zero', () => {
    assert.equal(trend([0, 0.001]), 'improving');
    assert.equal(trend([0, 0, 5, 0]), 'improving'); // 0 → 2.5
    assert.equal(trend([0, 0]), 'stable');
    assert.equal(trend([0, 7, 0]), 'stable'); // the 7 is the middle one
  });

  it('measures a change against the size of a negative start', () => {
    // −10 → −5: +50 % of |−10|.
    assert.equal(trend([-10, -5]), 'improving');
    assert.equal(trend([-10, -20]), 'declining');
  });
});
