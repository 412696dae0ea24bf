import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { LearningEvent } from '../events/types.js';
import { type Attendee, foldAttendee } from './attendee.js';

const T0 = Date.parse('2024-05-07T14:00:00.000Z');
const MIN = 60_000;
const at = (min: number) => T0 + min * MIN;

function ev(id: string, type: string, min: number, data?: Record<string, unknown>): LearningEvent {
  return {
    id,
    type,
    occurredAt: new Date(at(min)).toISOString(),
    userId: 'u1',
    liveSessionId: 's1',
    ...(data ? { data } : {}),
  };
}

describe('foldAttendee (worked examples)', () => {
  it('folds joins, leaves, chat, reactions and feedback', () => {
    const a = foldAttendee(undefined, [
      ev('e1', 'live_join', 0, { connectionId: 'a' }),
      ev('e2', 'live_chat', 2, { text: 'Hello' }),
      ev('e3', 'live_chat', 3, { text: 'Why so?' }),
      ev('e4', 'live_reaction', 4, { kind: '👍' }),
      ev('e5', 'live_join', 5),
      ev('e6', 'live_leave', 30, { connectionId: 'a' }),
      ev('e7', 'live_feedback', 40, { rating: 4, comment: 'Nice' }),
    ]);
    assert.equal(a.sessionId, 's1');
    assert.equal(a.userId, 'u1');
    assert.deepEqual(a.marks, [
      { at: at(0), kind: 'join', connection: 'a' },
      { at: at(5), kind: 'join', connection: '' },
      { at: at(30), kind: 'leave', connection: 'a' },
    ]);
    assert.equal(a.firstJoinAt, at(0));
    assert.equal(a.lastActivityAt, at(30));
    assert.equal(a.chatMessages, 2);
    assert.equal(a.questions, 1);
    assert.deepEqual(a.reactions, new Map([['👍', 1]]));
    assert.deepEqual([a.rating, a.comment, a.feedbackAt, a.feedbackEvent], [4, 'Nice', at(40), 'e7']);
  });

  it('refuses to start from nothing', () => {
    assert.throws(() => foldAttendee(undefined, []), /needs a previous state or an event/);
  });

  it('does not change the previous state it is given', () => {
    const first = foldAttendee(undefined, [
      ev('e1', 'live_join', 0),
      ev('e2', 'live_reaction', 1, { kind: '🔥' }),
    ]);
    const snapshot = structuredClone(first);
    foldAttendee(first, [ev('e3', 'live_leave', 5), ev('e4', 'live_reaction', 6, { kind: '🔥' })]);
    assert.deepEqual(first, snapshot);
  });

  it('keeps the latest feedback: by time, then by event id', () => {
    const fb = (id: string, min: number, rating: number, comment?: string) =>
      ev(id, 'live_feedback', min, comment === undefined ? { rating } : { rating, comment });
    // The one at 50 is later than the one at 45, whatever the arrival order.
    const events = [fb('e9', 50, 2, 'too slow'), fb('e1', 45, 5, 'great')];
    for (const order of [events, [...events].reverse()]) {
      const a = foldAttendee(undefined, order);
      assert.deepEqual([a.rating, a.comment, a.feedbackAt, a.feedbackEvent], [2, 'too slow', at(50), 'e9']);
    }
    // At the same instant the greater event id wins ('e-b' > 'e-a'), in either order and batching.
    const tied = [fb('e-b', 50, 3), fb('e-a', 50, 1, 'meh')];
    const one = foldAttendee(undefined, tied);
    const two = foldAttendee(foldAttendee(undefined, [tied[1]!]), [tied[0]!]);
    for (const a of [one, two]) {
      // The winner has no comment: the loser's comment is not kept.
      assert.deepEqual([a.rating, a.comment, a.feedbackEvent], [3, null, 'e-b']);
    }
  });

  it('does not count feedback as activity', () => {
    const a = foldAttendee(undefined, [
      ev('e1', 'live_join', 0),
      ev('e2', 'live_feedback', 90, { rating: 5 }),
    ]);
    assert.equal(a.lastActivityAt, at(0));
    const onlyFeedback = foldAttendee(undefined, [ev('e3', 'live_feedback', 90, { rating: 1 })]);
    assert.equal(onlyFeedback.lastActivityAt, null);
    assert.equal(onlyFeedback.firstJoinAt, null);
    assert.equal(onlyFeedback.rating, 1);
    // Reactions, chat and leaves are activity.
    const b = foldAttendee(undefined, [
      ev('e4', 'live_join', 0),
      ev('e5', 'live_leave', 10),
      ev('e6', 'live_reaction', 20, { kind: '👏' }),
      ev('e7', 'live_feedback', 25, { rating: 3 }),
    ]);
    assert.equal(b.lastActivityAt, at(20));
  });

  it('counts reactions of any kind, "__proto__" included', () => {
    const a = foldAttendee(undefined, [
      ev('e1', 'live_reaction', 1, { kind: '__proto__' }),
      ev('e2', 'live_reaction', 2, { kind: '__proto__' }),
      ev('e3', 'live_reaction', 3, { kind: 'constructor' }),
      ev('e4', 'live_reaction', 4, { kind: 'toString' }),
    ]);
    const b = foldAttendee(a, [ev('e5', 'live_reaction', 5, { kind: '__proto__' })]);
    assert.equal(b.reactions.get('__proto__'), 3);
    assert.equal(b.reactions.get('constructor'), 1);
    assert.equal(b.reactions.get('toString'), 1);
    assert.equal(b.reactions.size, 3);
  });

  it('counts questions: the explicit flag wins, else a trailing question mark', () => {
    const a = foldAttendee(undefined, [
      ev('e1', 'live_chat', 1, { text: 'Is this recorded?' }),
      ev('e2', 'live_chat', 2, { text: 'これは録画されますか？' }),
      ev('e3', 'live_chat', 3, { text: 'Really?', isQuestion: false }),
      ev('e4', 'live_chat', 4, { text: 'I have a question', isQuestion: true }),
      ev('e5', 'live_chat', 5, { text: 'Thanks!' }),
      ev('e6', 'live_chat', 6),
    ]);
    assert.equal(a.chatMessages, 6);
    assert.equal(a.questions, 3);
  });
});

// ---------------------------------------------------------------------------------------------
// Any order and any batching of the same events give the same state, and that state matches the
// rules read off the events directly.

const CONNECTIONS = [undefined, 'a', 'b'] as const;
const genArb = fc.record({
  n: fc.integer({ min: 0, max: 9999 }),
  minute: fc.integer({ min: 0, max: 8 }),
  body: fc.oneof(
    fc.record({
      type: fc.constantFrom('live_join', 'live_leave'),
      connection: fc.constantFrom(...CONNECTIONS),
    }),
    fc.record(
      {
        type: fc.constant('live_chat'),
        text: fc.constantFrom('hi', 'why?', 'なぜ？', 'ok ?  '),
        isQuestion: fc.boolean(),
      },
      { requiredKeys: ['type', 'text'] },
    ),
    fc.record({
      type: fc.constant('live_reaction'),
      kind: fc.constantFrom('👍', '__proto__', 'constructor', '🔥'),
    }),
    fc.record(
      {
        type: fc.constant('live_feedback'),
        rating: fc.integer({ min: 1, max: 5 }),
        comment: fc.constantFrom('a', 'b'),
      },
      { requiredKeys: ['type', 'rating'] },
    ),
  ),
  /** Where it goes in the shuffled order, and whether a batch ends after it. */
  key: fc.integer(),
  cut: fc.boolean(),
});
type Gen = typeof genArb extends fc.Arbitrary<infer G> ? G : never;

function eventOf(g: Gen): LearningEvent {
  const { type, ...rest } = g.body;
  const data: Record<string, unknown> = {};
  if ('connection' in rest && rest.connection !== undefined) data.connectionId = rest.connection;
  if ('text' in rest) data.text = rest.text;
  if ('isQuestion' in rest && rest.isQuestion !== undefined) data.isQuestion = rest.isQuestion;
  if ('kind' in rest) data.kind = rest.kind;
  if ('rating' in rest) data.rating = rest.rating;
  if ('comment' in rest && rest.comment !== undefined) data.comment = rest.comment;
  return ev(`e${g.n}`, type, g.minute, data);
}

/** The state read off the events one rule at a time (not through foldAttendee). */
function expectedOf(events: readonly LearningEvent[]) {
  const t = (e: LearningEvent) => Date.parse(e.occurredAt);
  const of = (type: string) => events.filter((e) => e.type === type);
  const joins = of('live_join').map(t);
  const active = events.filter((e) => e.type !== 'live_feedback').map(t);
  const chats = of('live_chat');
  const reactions = new Map<string, number>();
  for (const e of of('live_reaction')) {
    const kind = e.data!.kind as string;
    reactions.set(kind, (reactions.get(kind) ?? 0) + 1);
  }
  const latest = of('live_feedback').reduce<LearningEvent | null>(
    (best, e) => (best === null || t(e) > t(best) || (t(e) === t(best) && e.id > best.id) ? e : best),
    null,
  );
  return {
    marks: events
      .filter((e) => e.type === 'live_join' || e.type === 'live_leave')
      .map((e) => `${t(e)}|${e.type}|${(e.data?.connectionId as string | undefined) ?? ''}`)
      .sort(),
    firstJoinAt: joins.length > 0 ? Math.min(...joins) : null,
    lastActivityAt: active.length > 0 ? Math.max(...active) : null,
    chatMessages: chats.length,
    questions: chats.filter((e) =>
      e.data!.isQuestion !== undefined ? e.data!.isQuestion : /[?？]\s*$/.test(e.data!.text as string),
    ).length,
    reactions,
    rating: latest ? (latest.data!.rating as number) : null,
    comment: latest ? ((latest.data!.comment as string | undefined) ?? null) : null,
    feedbackEvent: latest ? latest.id : null,
  };
}

describe('foldAttendee (properties)', () => {
  it('gives the same state for any order and batching of the same events', () => {
    fc.assert(
      fc.property(fc.uniqueArray(genArb, { minLength: 1, maxLength: 25, selector: (g) => g.n }), (gens) => {
        const events = gens.map(eventOf);
        const whole = foldAttendee(undefined, events);

        // Shuffled by key, folded in batches that end at each `cut` (empty batches included).
        const order = gens.map((g, i) => ({ g, i })).sort((x, y) => x.g.key - y.g.key || x.i - y.i);
        let state: Attendee | undefined;
        let batch: LearningEvent[] = [];
        for (const { g, i } of order) {
          batch.push(events[i]!);
          if (g.cut) {
            state = foldAttendee(state, batch);
            state = foldAttendee(state, []);
            batch = [];
          }
        }
        if (batch.length > 0 || state === undefined) state = foldAttendee(state, batch);
        assert.deepEqual(state, whole);

        // One event at a time, in reverse.
        const single = [...events]
          .reverse()
          .reduce<Attendee | undefined>((s, e) => foldAttendee(s, [e]), undefined);
        assert.deepEqual(single, whole);

        const want = expectedOf(events);
        assert.deepEqual(whole.marks.map((m) => `${m.at}|live_${m.kind}|${m.connection}`).sort(), want.marks);
        assert.deepEqual(
          [whole.firstJoinAt, whole.lastActivityAt, whole.chatMessages, whole.questions],
          [want.firstJoinAt, want.lastActivityAt, want.chatMessages, want.questions],
        );
        assert.deepEqual(whole.reactions, want.reactions);
        assert.deepEqual(
          [whole.rating, whole.comment, whole.feedbackEvent],
          [want.rating, want.comment, want.feedbackEvent],
        );
        // Marks are kept in time order, leaves before joins at the same instant.
        for (let k = 1; k < whole.marks.length; k++) {
          const p = whole.marks[k - 1]!;
          const q = whole.marks[k]!;
          assert.ok(p.at < q.at || (p.at === q.at && !(p.kind === 'join' && q.kind === 'leave')));
        }
      }),
      { numRuns: 300 },
    );
  });
});
