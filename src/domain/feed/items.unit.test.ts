// The feed's item rules and sentences, by hand: which milestones a learner's item progress, their
// attempts on an assessment, a certificate and a live attendance imply (SPEC §3), their ids (a
// hash of the milestone's identity, never of its time or position), attempt numbering, which items
// are webhook milestones, and the human sentence of each type.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { RiskReason } from '../engagement/at-risk.js';
import type { Attendee } from '../live/attendee.js';
import type { ItemProgress } from '../progress/item-progress.js';
import {
  attemptFeed,
  attendanceFeed,
  certificateFeed,
  FEED_TYPES,
  type FeedItem,
  isMilestone,
  riskChangeFeed,
  riskChanges,
  type RiskState,
  progressFeed,
  type StoredAttempt,
} from './items.js';
import { feedSentence, type SentenceFacts } from './sentence.js';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const MIN = 60_000;
const at = (min: number) => T0 + min * MIN;

/** A learner's progress on an item, with only the fields the feed reads set on purpose. */
function progress(over: Partial<ItemProgress> = {}): ItemProgress {
  return {
    userId: 'ana',
    itemId: 'les-1',
    courseId: 'c1',
    progressPct: 0,
    startedAt: at(0),
    lastAt: at(0),
    reachedAt: null,
    reportedPct: 0,
    reportedReachedAt: null,
    videoPct: null,
    videoReachedAt: null,
    halfAt: null,
    reportedHalfAt: null,
    videoHalfAt: null,
    passedAt: null,
    failedAttempts: 0,
    manualAt: null,
    completedAt: null,
    completedHow: null,
    resumeSec: null,
    resumeAt: null,
    resumeEvent: null,
    timeSpentMs: 0,
    maxScroll: null,
    ...over,
  };
}

function attempt(attemptId: string, min: number, over: Partial<StoredAttempt> = {}): StoredAttempt {
  return {
    attemptId,
    submittedAt: at(min),
    courseId: 'c1',
    kind: 'quiz',
    score: 5,
    maxScore: 10,
    passed: false,
    ...over,
  };
}

function attendee(over: Partial<Attendee> = {}): Attendee {
  return {
    sessionId: 's1',
    userId: 'ana',
    marks: [],
    firstJoinAt: null,
    lastActivityAt: null,
    chatMessages: 0,
    questions: 0,
    reactions: new Map(),
    rating: null,
    comment: null,
    feedbackAt: null,
    feedbackEvent: null,
    ...over,
  };
}

const ID = /^[A-Za-z0-9_-]{24}$/;
const brief = (items: readonly FeedItem[]) => items.map((i) => [i.type, i.occurredAt]);

describe('progressFeed', () => {
  it('half-way before completion: a progress_update at half, then the completion, with the item facts', () => {
    const f = progressFeed(
      progress({ halfAt: at(10), completedAt: at(20), completedHow: 'threshold' }),
      'lesson',
    );
    assert.equal(f.producer, 'progress');
    assert.match(f.source, ID);
    assert.deepEqual(brief(f.items), [
      ['progress_update', at(10)],
      ['lesson_completed', at(20)],
    ]);
    const [half, done] = f.items as [FeedItem, FeedItem];
    assert.deepEqual(
      { ...half, id: undefined },
      {
        id: undefined,
        type: 'progress_update',
        occurredAt: at(10),
        userId: 'ana',
        courseId: 'c1',
        itemId: 'les-1',
        sessionId: null,
        data: { milestonePct: 50 },
      },
    );
    assert.deepEqual(done.data, { how: 'threshold' });
    assert.equal(done.sessionId, null);
    assert.match(half.id, ID);
    assert.match(done.id, ID);
    assert.notEqual(half.id, done.id);
  });

  it('video items complete as video_completed; every other non-assessment type (and unknown) as lesson_completed', () => {
    const p = progress({ halfAt: at(1), completedAt: at(2), completedHow: 'threshold' });
    assert.deepEqual(
      progressFeed(p, 'video').items.map((i) => i.type),
      ['progress_update', 'video_completed'],
    );
    for (const type of ['lesson', 'page', null, 'x-custom']) {
      assert.deepEqual(
        progressFeed(p, type).items.map((i) => i.type),
        ['progress_update', 'lesson_completed'],
        String(type),
      );
    }
  });

  it('reaching half at the instant of completion (a jump 0 → 100) gives only the completion', () => {
    const f = progressFeed(
      progress({ halfAt: at(5), completedAt: at(5), completedHow: 'threshold' }),
      'lesson',
    );
    assert.deepEqual(brief(f.items), [['lesson_completed', at(5)]]);
  });

  it('half reached only after completing (a manual completion first) gives only the completion', () => {
    const f = progressFeed(progress({ halfAt: at(9), completedAt: at(3), completedHow: 'manual' }), 'video');
    assert.deepEqual(brief(f.items), [['video_completed', at(3)]]);
    assert.deepEqual(f.items[0]!.data, { how: 'manual' });
  });

  it('half reached, not completed: only the progress_update; neither: no items (the source still named)', () => {
    assert.deepEqual(brief(progressFeed(progress({ halfAt: at(4) }), 'video').items), [
      ['progress_update', at(4)],
    ]);
    const none = progressFeed(progress(), 'lesson');
    assert.deepEqual(none.items, []);
    assert.equal(none.source, progressFeed(progress({ halfAt: at(4) }), 'lesson').source);
  });

  it('quiz and assignment items have no progress or completion items (their attempts tell it)', () => {
    const p = progress({ halfAt: at(1), completedAt: at(2), completedHow: 'passed' });
    assert.deepEqual(progressFeed(p, 'quiz').items, []);
    assert.deepEqual(progressFeed(p, 'assignment').items, []);
  });

  it('ids are the milestone’s identity: the same whatever the time, course or how; different per learner and item', () => {
    const a = progressFeed(
      progress({ halfAt: at(1), completedAt: at(2), completedHow: 'threshold' }),
      'video',
    );
    const b = progressFeed(
      progress({ courseId: 'c2', halfAt: at(30), completedAt: at(40), completedHow: 'manual' }),
      'video',
    );
    assert.deepEqual(
      a.items.map((i) => i.id),
      b.items.map((i) => i.id),
    );
    assert.equal(a.source, b.source);
    const other = progressFeed(progress({ userId: 'ben', halfAt: at(1), completedAt: at(2) }), 'video');
    const otherItem = progressFeed(progress({ itemId: 'les-2', halfAt: at(1), completedAt: at(2) }), 'video');
    const ids = new Set([...a.items, ...other.items, ...otherItem.items].map((i) => i.id));
    assert.equal(ids.size, 6);
    assert.equal(new Set([a.source, other.source, otherItem.source]).size, 3);
    // The type is part of the identity: the same item completing as a lesson is another item.
    const asLesson = progressFeed(progress({ completedAt: at(2) }), 'lesson').items[0]!;
    assert.notEqual(asLesson.id, a.items[1]!.id);
  });

  it('host ids holding separators cannot collide: ("a|b", "c") and ("a", "b|c") are different learners’ items', () => {
    const x = progressFeed(progress({ userId: 'a|b', itemId: 'c', completedAt: at(1) }), 'lesson');
    const y = progressFeed(progress({ userId: 'a', itemId: 'b|c', completedAt: at(1) }), 'lesson');
    const z = progressFeed(progress({ userId: 'a","b', itemId: 'c', completedAt: at(1) }), 'lesson');
    assert.equal(new Set([x, y, z].map((f) => f.items[0]!.id)).size, 3);
    assert.equal(new Set([x, y, z].map((f) => f.source)).size, 3);
  });

  it('at most two items, the progress_update exactly when half came strictly first (property)', () => {
    const time = fc.option(fc.integer({ min: 0, max: 1_000 }), { nil: null });
    const type = fc.constantFrom('lesson', 'video', 'page', 'quiz', 'assignment', null);
    fc.assert(
      fc.property(time, time, type, (half, done, itemType) => {
        const p = progress({
          halfAt: half === null ? null : at(half),
          completedAt: done === null ? null : at(done),
          completedHow: done === null ? null : 'threshold',
        });
        const items = progressFeed(p, itemType).items;
        assert.ok(items.length <= 2);
        const assessment = itemType === 'quiz' || itemType === 'assignment';
        const wantHalf = !assessment && half !== null && (done === null || half < done);
        const wantDone = !assessment && done !== null;
        assert.equal(
          items.some((i) => i.type === 'progress_update'),
          wantHalf,
        );
        assert.equal(
          items.some((i) => i.type === 'lesson_completed' || i.type === 'video_completed'),
          wantDone,
        );
        for (const i of items) assert.ok(i.type === 'progress_update' ? i.occurredAt === p.halfAt : true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('attemptFeed', () => {
  it('numbers attempts by submission time whatever the input order, one exam_attempt each with its facts', () => {
    const f = attemptFeed('ana', 'quiz-1', [
      attempt('z', 30, { score: 9, passed: true }),
      attempt('m', 10, { score: 3 }),
      attempt('a', 20, { score: 6, passed: null, kind: 'assignment', maxScore: 20 }),
    ]);
    assert.equal(f.producer, 'assessments');
    assert.deepEqual(
      f.items.map((i) => [i.type, i.occurredAt, i.data.attemptId, i.data.attemptNumber]),
      [
        ['exam_attempt', at(10), 'm', 1],
        ['exam_attempt', at(20), 'a', 2],
        ['exam_attempt', at(30), 'z', 3],
      ],
    );
    assert.deepEqual(f.items[1], {
      id: f.items[1]!.id,
      type: 'exam_attempt',
      occurredAt: at(20),
      userId: 'ana',
      courseId: 'c1',
      itemId: 'quiz-1',
      sessionId: null,
      data: { attemptId: 'a', attemptNumber: 2, kind: 'assignment', score: 6, maxScore: 20, passed: null },
    });
    assert.equal(f.items[2]!.data.passed, true);
  });

  it('ties on submission time go by attempt id', () => {
    const f = attemptFeed('ana', 'q', [attempt('b', 5), attempt('c', 5), attempt('a', 5), attempt('0', 6)]);
    assert.deepEqual(
      f.items.map((i) => [i.data.attemptId, i.data.attemptNumber]),
      [
        ['a', 1],
        ['b', 2],
        ['c', 3],
        ['0', 4],
      ],
    );
  });

  it('a late earlier attempt renumbers the others but keeps their ids (the rows are revised, not new)', () => {
    const before = attemptFeed('ana', 'q', [attempt('a2', 20), attempt('a3', 30)]);
    const after = attemptFeed('ana', 'q', [attempt('a2', 20), attempt('a3', 30), attempt('a1', 10)]);
    assert.equal(before.source, after.source);
    const ids = (f: typeof before) => Object.fromEntries(f.items.map((i) => [i.data.attemptId, i.id]));
    assert.equal(ids(after).a2, ids(before).a2);
    assert.equal(ids(after).a3, ids(before).a3);
    assert.equal(new Set(Object.values(ids(after))).size, 3);
    assert.deepEqual(
      after.items.map((i) => [i.data.attemptId, i.data.attemptNumber]),
      [
        ['a1', 1],
        ['a2', 2],
        ['a3', 3],
      ],
    );
  });

  it('does not reorder its input; no attempts, no items; ids differ per learner and assessment', () => {
    const input = [attempt('b', 20), attempt('a', 10)];
    attemptFeed('ana', 'q', input);
    assert.deepEqual(
      input.map((a) => a.attemptId),
      ['b', 'a'],
    );
    assert.deepEqual(attemptFeed('ana', 'q', []).items, []);
    const one = [attempt('a', 1)];
    const ids = [
      attemptFeed('ana', 'q', one),
      attemptFeed('ben', 'q', one),
      attemptFeed('ana', 'q2', one),
    ].map((f) => f.items[0]!.id);
    assert.equal(new Set(ids).size, 3);
  });

  it('any order of the same attempts gives the same items (property)', () => {
    const attempts = fc
      .uniqueArray(
        fc.record({ id: fc.string({ minLength: 1, maxLength: 4 }), t: fc.integer({ min: 0, max: 5 }) }),
        { selector: (a) => a.id, maxLength: 8 },
      )
      .chain((list) =>
        fc.tuple(
          fc.constant(list),
          fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }),
        ),
      );
    fc.assert(
      fc.property(attempts, ([list, permuted]) => {
        const stored = list.map((a) => attempt(a.id, a.t));
        const shuffled = permuted.map((a) => attempt(a.id, a.t));
        const a = attemptFeed('u', 'i', stored).items;
        assert.deepEqual(attemptFeed('u', 'i', shuffled).items, a);
        assert.deepEqual(
          a.map((i) => i.data.attemptNumber),
          a.map((_, k) => k + 1),
        );
        for (let k = 1; k < a.length; k++) {
          const p = a[k - 1]!;
          const q = a[k]!;
          assert.ok(
            p.occurredAt < q.occurredAt ||
              (p.occurredAt === q.occurredAt && (p.data.attemptId as string) < (q.data.attemptId as string)),
          );
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('certificateFeed', () => {
  it('one certification_issued per learner and certificate id, at its issue, with its course', () => {
    const f = certificateFeed({ userId: 'ana', certificateId: 'cert-1', courseId: 'c1', issuedAt: at(7) });
    assert.equal(f.producer, 'assessments');
    assert.equal(f.items.length, 1);
    assert.deepEqual(
      { ...f.items[0]!, id: 'x' },
      {
        id: 'x',
        type: 'certification_issued',
        occurredAt: at(7),
        userId: 'ana',
        courseId: 'c1',
        itemId: null,
        sessionId: null,
        data: { certificateId: 'cert-1' },
      },
    );
    const again = certificateFeed({
      userId: 'ana',
      certificateId: 'cert-1',
      courseId: null,
      issuedAt: at(1),
    });
    assert.equal(again.items[0]!.id, f.items[0]!.id);
    assert.equal(again.source, f.source);
    assert.equal(again.items[0]!.courseId, null);
    const others = [
      certificateFeed({ userId: 'ben', certificateId: 'cert-1', courseId: 'c1', issuedAt: at(7) }),
      certificateFeed({ userId: 'ana', certificateId: 'cert-2', courseId: 'c1', issuedAt: at(7) }),
    ];
    assert.equal(new Set([f, ...others].map((x) => x.items[0]!.id)).size, 3);
  });
});

describe('attendanceFeed', () => {
  it('one live_session_attended at the first join, with the session’s course', () => {
    const f = attendanceFeed(attendee({ firstJoinAt: at(3), lastActivityAt: at(50), chatMessages: 4 }), 'c9');
    assert.equal(f.producer, 'live');
    assert.deepEqual(
      { ...f.items[0]!, id: 'x' },
      {
        id: 'x',
        type: 'live_session_attended',
        occurredAt: at(3),
        userId: 'ana',
        courseId: 'c9',
        itemId: null,
        sessionId: 's1',
        data: {},
      },
    );
    assert.match(f.items[0]!.id, ID);
    assert.equal(attendanceFeed(attendee({ firstJoinAt: at(3) }), null).items[0]!.courseId, null);
  });

  it('no join (only chat or feedback): no item; an earlier join moves the item, same id', () => {
    const none = attendanceFeed(attendee({ chatMessages: 2, rating: 5 }), 'c9');
    assert.deepEqual(none.items, []);
    const later = attendanceFeed(attendee({ firstJoinAt: at(10) }), 'c9');
    const earlier = attendanceFeed(attendee({ firstJoinAt: at(2) }), 'c9');
    assert.equal(none.source, later.source);
    assert.equal(later.items[0]!.id, earlier.items[0]!.id);
    assert.equal(earlier.items[0]!.occurredAt, at(2));
    const ids = [
      later,
      attendanceFeed(attendee({ userId: 'ben', firstJoinAt: at(10) }), 'c9'),
      attendanceFeed(attendee({ sessionId: 's2', firstJoinAt: at(10) }), 'c9'),
    ].map((f) => f.items[0]!.id);
    assert.equal(new Set(ids).size, 3);
  });
});

describe('isMilestone', () => {
  it('completions and certificates always; exam attempts only when passed is exactly true', () => {
    assert.equal(isMilestone('lesson_completed', {}), true);
    assert.equal(isMilestone('video_completed', { how: 'manual' }), true);
    assert.equal(isMilestone('certification_issued', { certificateId: 'c' }), true);
    assert.equal(isMilestone('exam_attempt', { passed: true, score: 9 }), true);
    assert.equal(isMilestone('exam_attempt', { passed: false }), false);
    assert.equal(isMilestone('exam_attempt', { passed: null }), false);
    assert.equal(isMilestone('exam_attempt', {}), false);
    assert.equal(isMilestone('exam_attempt', { passed: 'true' }), false);
    assert.equal(isMilestone('progress_update', { milestonePct: 50 }), false);
    assert.equal(isMilestone('live_session_attended', {}), false);
    assert.equal(isMilestone('at_risk_changed', { level: 'none' }), true);
    assert.equal(isMilestone('something_else', { passed: true }), false);
  });

  it('every feed type is classified', () => {
    assert.deepEqual(
      FEED_TYPES.filter((t) => isMilestone(t, { passed: true })),
      ['lesson_completed', 'video_completed', 'exam_attempt', 'certification_issued', 'at_risk_changed'],
    );
  });
});

describe('feedSentence', () => {
  const facts = (over: Partial<SentenceFacts>): SentenceFacts => ({
    type: 'lesson_completed',
    learner: 'Ana',
    course: 'Go',
    item: 'Intro',
    session: null,
    progressPct: null,
    data: {},
    ...over,
  });

  it('video_completed: the item, the course and the percent watched (rounded)', () => {
    assert.equal(
      feedSentence(facts({ type: 'video_completed', progressPct: 96.4 })),
      'Ana completed the video “Intro” in “Go” (96 % watched).',
    );
    assert.equal(
      feedSentence(facts({ type: 'video_completed', progressPct: 99.5 })),
      'Ana completed the video “Intro” in “Go” (100 % watched).',
    );
    assert.equal(
      feedSentence(facts({ type: 'video_completed', progressPct: null, course: null })),
      'Ana completed the video “Intro”.',
    );
  });

  it('lesson_completed: the percent only when there is one above zero', () => {
    assert.equal(feedSentence(facts({ progressPct: 100 })), 'Ana completed “Intro” in “Go” (100 %).');
    assert.equal(feedSentence(facts({ progressPct: 0 })), 'Ana completed “Intro” in “Go”.');
    assert.equal(feedSentence(facts({ progressPct: null, course: null })), 'Ana completed “Intro”.');
  });

  it('progress_update: half-way', () => {
    assert.equal(
      feedSentence(facts({ type: 'progress_update', progressPct: 60 })),
      'Ana is halfway through “Intro” in “Go”.',
    );
  });

  it('exam_attempt: passed, did not pass, or submitted (no verdict), with score and attempt number', () => {
    const exam = (passed: unknown) =>
      feedSentence(
        facts({
          type: 'exam_attempt',
          item: 'Quiz 1',
          data: { score: 7, maxScore: 10, attemptNumber: 2, passed },
        }),
      );
    assert.equal(exam(true), 'Ana passed “Quiz 1” in “Go” with 7/10 (attempt 2).');
    assert.equal(exam(false), 'Ana did not pass “Quiz 1” in “Go” with 7/10 (attempt 2).');
    assert.equal(exam(null), 'Ana submitted “Quiz 1” in “Go” with 7/10 (attempt 2).');
  });

  it('certification_issued and live_session_attended', () => {
    assert.equal(
      feedSentence(facts({ type: 'certification_issued', item: null, data: { certificateId: 'CERT-9' } })),
      'Ana earned certificate CERT-9 in “Go”.',
    );
    assert.equal(
      feedSentence(
        facts({ type: 'certification_issued', item: null, course: null, data: { certificateId: 'CERT-9' } }),
      ),
      'Ana earned certificate CERT-9.',
    );
    assert.equal(
      feedSentence(facts({ type: 'live_session_attended', item: null, session: 'Tuesday Q&A' })),
      'Ana joined the live session “Tuesday Q&A”.',
    );
  });

  it('at_risk_changed: the level with its reasons, or no longer at risk', () => {
    const risk = (data: Record<string, unknown>) =>
      feedSentence(facts({ type: 'at_risk_changed', item: null, data }));
    assert.equal(
      risk({
        level: 'high',
        previousLevel: 'none',
        reasons: [
          { code: 'inactive', message: 'no activity for 9 days' },
          { code: 'behind', message: 'progress 40 points behind the course median (10 % vs 50 %)' },
        ],
      }),
      'Ana is at high risk in “Go”: no activity for 9 days; progress 40 points behind the course median (10 % vs 50 %).',
    );
    assert.equal(
      risk({ level: 'none', previousLevel: 'medium', reasons: [] }),
      'Ana is no longer at risk in “Go”.',
    );
  });

  it('every feed type has a sentence starting with the learner and ending with a full stop', () => {
    for (const type of FEED_TYPES) {
      const s = feedSentence(
        facts({ type, session: 'S', data: { score: 1, maxScore: 2, attemptNumber: 1, certificateId: 'C' } }),
      );
      assert.ok(s.startsWith('Ana ') && s.endsWith('.'), `${type}: ${s}`);
    }
  });
});

describe('riskChanges and riskChangeFeed', () => {
  const r = (code: RiskReason['code']): RiskReason => ({ code, message: code });
  const now = (userId: string, level: RiskState['level'], codes: RiskReason['code'][]) => ({
    userId,
    level,
    codes: [...codes].sort(),
    reasons: codes.map(r),
  });
  const announced = new Map<string, RiskState>([
    ['steady', { userId: 'steady', level: 'medium', codes: ['behind'] }],
    ['worse', { userId: 'worse', level: 'medium', codes: ['behind'] }],
    ['other-reason', { userId: 'other-reason', level: 'medium', codes: ['behind'] }],
    ['recovered', { userId: 'recovered', level: 'high', codes: ['inactive'] }],
  ]);

  it('announces new risk, a new level, other reasons at the same level, and recovery; nothing else', () => {
    const changes = riskChanges(announced, [
      now('steady', 'medium', ['behind']),
      now('worse', 'high', ['behind', 'failing']),
      now('other-reason', 'medium', ['failing']),
      now('recovered', 'none', []),
      now('fine', 'none', []),
      now('new', 'medium', ['declining']),
    ]);
    assert.deepEqual(
      changes.map((c) => [c.after.userId, c.before.level, c.after.level, c.after.codes]),
      [
        ['worse', 'medium', 'high', ['behind', 'failing']],
        ['other-reason', 'medium', 'medium', ['failing']],
        ['recovered', 'high', 'none', []],
        ['new', 'none', 'medium', ['declining']],
      ],
    );
  });

  it('one item per change, at the check’s time: another check makes another item', () => {
    const [change] = riskChanges(new Map(), [now('u1', 'high', ['inactive'])]);
    const a = riskChangeFeed('c1', at(5), change!);
    const b = riskChangeFeed('c1', at(6), change!);
    assert.deepEqual(a.items[0], {
      id: a.items[0]!.id,
      type: 'at_risk_changed',
      occurredAt: at(5),
      userId: 'u1',
      courseId: 'c1',
      itemId: null,
      sessionId: null,
      data: { level: 'high', previousLevel: 'none', reasons: [r('inactive')] },
    });
    assert.equal(a.producer, 'at_risk');
    assert.notEqual(a.source, b.source);
    assert.notEqual(a.items[0]!.id, b.items[0]!.id);
  });
});
