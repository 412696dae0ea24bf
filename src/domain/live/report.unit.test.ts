import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LearningEvent } from '../events/types.js';
import { foldAttendee } from './attendee.js';
import { DEFAULT_GRACE_MIN, LIVE_LEAD_MS, liveReport, OVERRUN_IDLE_MS, TIMELINE_POINTS } from './report.js';

const T0 = Date.parse('2024-05-07T14:00:00.000Z');
const MIN = 60_000;
/** Minutes from the scheduled start, as epoch milliseconds. */
const at = (min: number) => T0 + min * MIN;
const SESSION = { scheduledStart: T0, scheduledEnd: at(60) };
const close = (actual: number, expected: number, what = '') =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what} ${actual} ≠ ${expected}`);

let n = 0;
function ev(userId: string, type: string, min: number, data?: Record<string, unknown>): LearningEvent {
  return {
    id: `r${String(++n).padStart(4, '0')}`,
    type,
    occurredAt: new Date(at(min)).toISOString(),
    userId,
    liveSessionId: 's1',
    ...(data ? { data } : {}),
  };
}

/**
 * The session: 60 min from T0; u1–u4 registered, u1 and u2 came, u5 walked in.
 *
 * u1: tab a [-2, 30) and [40, 60), tab b [20, 35) → [-2, 35) ∪ [40, 60) = 37 + 20 = 57 min.
 *     3 chats (one question, full-width ？; "Really?" flagged not a question), 👍 ×2, ❤️ ×1; rates 5.
 * u2: joins at 10 (late), never leaves; a question by flag at 50, 👏 at 65 (after the end), rates 3
 *     at 70. Closed at max(end 60, last activity 65) = 65 → [10, 65) = 55 min.
 * u5: [3, 15) + reconnect at 15 + [15, 44) = 41 min, no chat or reaction; rates 2 at 61, then 4 at 62
 *     without a comment (the latest counts).
 */
const EVENTS: LearningEvent[] = [
  ev('u1', 'live_join', -2, { connectionId: 'a' }),
  ev('u1', 'live_chat', 1, { text: 'Hello everyone' }),
  ev('u1', 'live_reaction', 4, { kind: '👍' }),
  ev('u1', 'live_join', 20, { connectionId: 'b' }),
  ev('u1', 'live_chat', 22, { text: 'Really?', isQuestion: false }),
  ev('u1', 'live_reaction', 25, { kind: '❤️' }),
  ev('u1', 'live_leave', 30, { connectionId: 'a' }),
  ev('u1', 'live_chat', 33, { text: 'How does backpressure work？' }),
  ev('u1', 'live_leave', 35, { connectionId: 'b' }),
  ev('u1', 'live_join', 40, { connectionId: 'a' }),
  ev('u1', 'live_reaction', 50, { kind: '👍' }),
  ev('u1', 'live_leave', 60, { connectionId: 'a' }),
  ev('u1', 'live_feedback', 61, { rating: 5, comment: 'Great examples, clear pacing' }),
  ev('u2', 'live_join', 10),
  ev('u2', 'live_chat', 50, { text: 'I have a question about the schedule', isQuestion: true }),
  ev('u2', 'live_reaction', 65, { kind: '👏' }),
  ev('u2', 'live_feedback', 70, { rating: 3, comment: 'Pacing too fast, great examples though' }),
  ev('u5', 'live_join', 3),
  ev('u5', 'live_leave', 15),
  ev('u5', 'live_join', 15),
  ev('u5', 'live_leave', 44),
  ev('u5', 'live_feedback', 61, { rating: 2, comment: 'meh' }),
  ev('u5', 'live_feedback', 62, { rating: 4 }),
];
const REGISTERED = new Set(['u1', 'u2', 'u3', 'u4']);

/** Each learner's state from the events that had happened by `now`. */
function attendeesAt(now: number) {
  const byUser = new Map<string, LearningEvent[]>();
  for (const e of EVENTS) {
    if (Date.parse(e.occurredAt) > now) continue;
    byUser.set(e.userId, [...(byUser.get(e.userId) ?? []), e]);
  }
  return [...byUser.values()].map((events) => foldAttendee(undefined, events));
}

/** Timeline viewers from runs [from bucket, to bucket, viewers). */
const runs = (...rs: [number, number, number][]) => rs.flatMap(([a, b, v]) => Array<number>(b - a).fill(v));

describe('liveReport: a finished session by hand', () => {
  const now = at(180);
  const r = liveReport(SESSION, REGISTERED, attendeesAt(now), now);

  it('is not live afterwards', () => {
    // u2 never left, but the last activity (65) is far more than 30 min before now (180).
    assert.deepEqual(r.live, { isLive: false, currentViewers: 0 });
  });

  it('counts attendance', () => {
    assert.equal(DEFAULT_GRACE_MIN, 5);
    assert.deepEqual(
      { ...r.attendance, averageAttendedMs: Math.round(r.attendance.averageAttendedMs) },
      {
        registered: 4,
        attended: 3, // u1, u2, u5
        registeredAttended: 2, // u1, u2
        attendanceRate: 0.5, // 2 / 4
        walkIns: 1, // u5
        onTime: 2, // u1 at −2, u5 at 3 (≤ 5)
        late: 1, // u2 at 10
        averageAttendedMs: 51 * MIN, // (57 + 55 + 41) / 3 = 153 / 3 = 51 min
        totalAttendedMs: 153 * MIN,
      },
    );
    assert.equal(r.attendance.averageAttendedMs, 51 * MIN);
  });

  it('moves on-time and late with the grace period', () => {
    const attendees = attendeesAt(now);
    // Grace 2 min: only u1 (−2) is on time; u5 at 3 and u2 at 10 are late.
    const strict = liveReport(SESSION, REGISTERED, attendees, now, 2 * MIN).attendance;
    assert.deepEqual([strict.onTime, strict.late], [1, 2]);
    // Grace 10 min: u2 at exactly 10 is on time (the bound is inclusive).
    const lenient = liveReport(SESSION, REGISTERED, attendees, now, 10 * MIN).attendance;
    assert.deepEqual([lenient.onTime, lenient.late], [3, 0]);
    // Grace 0: only u1, who came early.
    const none = liveReport(SESSION, REGISTERED, attendees, now, 0).attendance;
    assert.deepEqual([none.onTime, none.late], [1, 2]);
  });

  it('finds the peak and its time, and the timeline', () => {
    // Levels: −2: 1 (u1), 3: 2 (u5), 10: 3 (u2), 35: 2 (u1 out), 40: 3, 44: 2 (u5 out), 60: 1, 65: 0.
    assert.equal(r.concurrency.peak, 3);
    assert.equal(r.concurrency.peakAt, at(10));
    // From −2 (first join) to 65 (u2's close): 67 min in 100 buckets of 40.2 s. Level changes,
    // in seconds from −2 and in buckets: 300 s → 7.46, 720 → 17.91, 2220 → 55.22, 2520 → 62.69,
    // 2760 → 68.66, 3720 → 92.54: a bucket holding a change shows the higher level.
    assert.equal(r.concurrency.timeline.length, TIMELINE_POINTS);
    assert.equal(r.concurrency.timeline[0]!.at, at(-2));
    assert.equal(r.concurrency.timeline[50]!.at, at(-2) + 50 * 40_200);
    assert.deepEqual(
      r.concurrency.timeline.map((b) => b.viewers),
      runs([0, 7, 1], [7, 17, 2], [17, 56, 3], [56, 62, 2], [62, 69, 3], [69, 93, 2], [93, 100, 1]),
    );
  });

  it('measures engagement', () => {
    const e = r.engagement;
    assert.equal(e.chatMessages, 4); // u1: 3, u2: 1
    assert.equal(e.uniqueChatters, 2);
    assert.equal(e.questions, 2); // u1's "？", u2's flag ("Really?" is flagged not one)
    // Most first, then by kind: '❤️' (U+2764) before '👏' (U+1F44F).
    assert.deepEqual(e.reactions, [
      { kind: '👍', count: 2 },
      { kind: '❤️', count: 1 },
      { kind: '👏', count: 1 },
    ]);
    assert.equal(e.reactionsTotal, 4);
    assert.equal(e.engagedAttendees, 2); // u1 and u2; u5 neither chatted nor reacted
    close(e.engagementRate, 2 / 3, 'engagementRate');
  });

  it('summarises feedback', () => {
    const f = r.feedback;
    assert.equal(f.responses, 3);
    assert.equal(f.averageRating, 4); // (5 + 3 + 4) / 3; u5's earlier 2 is replaced
    assert.deepEqual(f.distribution, [
      { rating: 1, responses: 0 },
      { rating: 2, responses: 0 },
      { rating: 3, responses: 1 },
      { rating: 4, responses: 1 },
      { rating: 5, responses: 1 },
    ]);
    // u1: great, examples, clear, pacing; u2: pacing, fast, great, examples, though ("too" is a
    // stop word); u5's "meh" was replaced by a rating without a comment.
    assert.deepEqual(f.themes, [
      { term: 'examples', comments: 2 },
      { term: 'great', comments: 2 },
      { term: 'pacing', comments: 2 },
    ]);
  });

  it('scores the session', () => {
    const p = r.score.parts;
    close(p.attendance, 15, 'attendance'); // 2/4 × 30
    close(p.engagement, 80 / 3, 'engagement'); // 2/3 × 40 = 26.667
    close(p.chat, 15, 'chat'); // 4 messages / 3 attendees, capped at 1, × 15
    close(p.retention, 12.75, 'retention'); // 51 / 60 × 15
    close(r.score.score, 15 + 80 / 3 + 15 + 12.75, 'score'); // 69.417
  });

  it('lists every registered or attending learner', () => {
    assert.deepEqual(r.attendees, [
      {
        userId: 'u1',
        registered: true,
        attended: true,
        firstJoinAt: at(-2),
        lastLeaveAt: at(60),
        attendedMs: 57 * MIN,
        onTime: true,
        chatMessages: 3,
        questions: 1,
        reactions: 3,
        rating: 5,
        comment: 'Great examples, clear pacing',
      },
      {
        userId: 'u2',
        registered: true,
        attended: true,
        firstJoinAt: at(10),
        lastLeaveAt: at(65),
        attendedMs: 55 * MIN,
        onTime: false,
        chatMessages: 1,
        questions: 1,
        reactions: 1,
        rating: 3,
        comment: 'Pacing too fast, great examples though',
      },
      ...['u3', 'u4'].map((userId) => ({
        userId,
        registered: true,
        attended: false,
        firstJoinAt: null,
        lastLeaveAt: null,
        attendedMs: 0,
        onTime: null,
        chatMessages: 0,
        questions: 0,
        reactions: 0,
        rating: null,
        comment: null,
      })),
      {
        userId: 'u5',
        registered: false,
        attended: true,
        firstJoinAt: at(3),
        lastLeaveAt: at(44),
        attendedMs: 41 * MIN,
        onTime: true,
        chatMessages: 0,
        questions: 0,
        reactions: 0,
        rating: 4,
        comment: null,
      },
    ]);
  });
});

describe('liveReport: the same session while it runs', () => {
  it('is live with everyone connected at 30 min, and closes open time at now', () => {
    // By 30: u1 has tab b open (a left at 30), u2 open since 10, u5 reconnected at 15.
    const now = at(30);
    const r = liveReport(SESSION, REGISTERED, attendeesAt(now), now);
    assert.deepEqual(r.live, { isLive: true, currentViewers: 3 });
    // u1 [−2, 30) = 32, u2 [10, 30) = 20, u5 [3, 30) = 27 → 79 min.
    assert.deepEqual(
      r.attendees.filter((f) => f.attended).map((f) => [f.userId, f.attendedMs / MIN, f.lastLeaveAt]),
      [
        ['u1', 32, now],
        ['u2', 20, now],
        ['u5', 27, now],
      ],
    );
    assert.equal(r.attendance.totalAttendedMs, 79 * MIN);
    assert.equal(r.concurrency.peak, 3);
    assert.equal(r.concurrency.peakAt, at(10));
    // The timeline spans −2 … 30 (now), not the whole scheduled hour: buckets of 19.2 s.
    assert.equal(r.concurrency.timeline[0]!.at, at(-2));
    assert.equal(r.concurrency.timeline[99]!.at, at(-2) + 99 * 19_200);
    assert.equal(r.feedback.responses, 0);
  });

  it('counts as live from 15 min before the start', () => {
    assert.equal(LIVE_LEAD_MS, 15 * MIN);
    assert.deepEqual(liveReport(SESSION, REGISTERED, [], at(-15)).live, { isLive: true, currentViewers: 0 });
    assert.deepEqual(liveReport(SESSION, REGISTERED, [], at(-15) - 1).live, {
      isLive: false,
      currentViewers: 0,
    });
    assert.equal(liveReport(SESSION, REGISTERED, [], at(60)).live.isLive, true);
    // Nobody connected after the end: over.
    assert.equal(liveReport(SESSION, REGISTERED, [], at(60) + 1).live.isLive, false);
  });

  it('stays live past the end while someone is connected and active in the last 30 min', () => {
    assert.equal(OVERRUN_IDLE_MS, 30 * MIN);
    // At 80: u2 still connected, last activity anyone's 👏 at 65 (15 min ago; feedback is not activity).
    const r80 = liveReport(SESSION, REGISTERED, attendeesAt(at(80)), at(80));
    assert.deepEqual(r80.live, { isLive: true, currentViewers: 1 });
    // u2's open connection closes at now: [10, 80) = 70 min.
    assert.equal(r80.attendees.find((f) => f.userId === 'u2')!.attendedMs, 70 * MIN);
    // Just under 30 min after 65: still live; at exactly 30 min (95) it is over (docs: "under 30 minutes old").
    assert.equal(liveReport(SESSION, REGISTERED, attendeesAt(at(95) - 1), at(95) - 1).live.isLive, true);
    assert.equal(liveReport(SESSION, REGISTERED, attendeesAt(at(95)), at(95)).live.isLive, false);
    // At 96: 31 min after 65 (u2's feedback at 70 would make it 26, but feedback is not activity).
    const r96 = liveReport(SESSION, REGISTERED, attendeesAt(at(96)), at(96));
    assert.deepEqual(r96.live, { isLive: false, currentViewers: 0 });
    // No longer live: u2 closes at max(end 60, own last activity 65) = 65 → 55 min.
    assert.equal(r96.attendees.find((f) => f.userId === 'u2')!.attendedMs, 55 * MIN);
  });
});

describe('liveReport: edge cases', () => {
  it('reports a session nobody came to', () => {
    const r = liveReport(SESSION, new Set(['u1', 'u2']), [], at(180));
    assert.deepEqual(r.attendance, {
      registered: 2,
      attended: 0,
      registeredAttended: 0,
      attendanceRate: 0,
      walkIns: 0,
      onTime: 0,
      late: 0,
      averageAttendedMs: 0,
      totalAttendedMs: 0,
    });
    assert.deepEqual([r.concurrency.peak, r.concurrency.peakAt], [0, null]);
    assert.equal(r.concurrency.timeline.length, 100);
    assert.equal(r.concurrency.timeline[0]!.at, T0);
    assert.equal(r.engagement.engagementRate, 0);
    assert.equal(r.feedback.averageRating, null);
    assert.equal(r.score.score, 0);
    assert.equal(r.attendees.length, 2);
  });

  it('has no attendance rate without registrations, and full attendance score when someone came', () => {
    const a = foldAttendee(undefined, [ev('w1', 'live_join', 0), ev('w1', 'live_leave', 30)]);
    const r = liveReport(SESSION, new Set(), [a], at(180));
    assert.equal(r.attendance.attendanceRate, null);
    assert.equal(r.attendance.walkIns, 1);
    assert.equal(r.score.parts.attendance, 30);
    // 30 of 60 min × 15.
    assert.equal(r.score.parts.retention, 7.5);
  });

  it('shows a "__proto__" reaction among the kinds', () => {
    const a = foldAttendee(undefined, [
      ev('p1', 'live_join', 0),
      ev('p1', 'live_reaction', 1, { kind: '__proto__' }),
      ev('p1', 'live_reaction', 2, { kind: '__proto__' }),
      ev('p1', 'live_reaction', 3, { kind: '👍' }),
    ]);
    const r = liveReport(SESSION, new Set(['p1']), [a], at(180));
    assert.deepEqual(r.engagement.reactions, [
      { kind: '__proto__', count: 2 },
      { kind: '👍', count: 1 },
    ]);
  });

  it('does not show a viewer in the timeline bucket that starts when they left', () => {
    // A 100-min session: buckets of 1 min. u1 watches [0, 30): buckets 0–29 only; bucket 30
    // starts at minute 30, when nobody is there.
    const session = { scheduledStart: T0, scheduledEnd: at(100) };
    const a = foldAttendee(undefined, [ev('b1', 'live_join', 0), ev('b1', 'live_leave', 30)]);
    const r = liveReport(session, new Set(['b1']), [a], at(300));
    assert.deepEqual(
      r.concurrency.timeline.map((b) => b.viewers),
      runs([0, 30, 1], [30, 100, 0]),
    );
  });
});
