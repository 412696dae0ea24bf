// The stream's in-memory visibility rule must match the SQL one (test/feed.int.test.ts checks
// that end to end); here its edges: at-risk items are never the learner's own to see.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { admits, type FeedEntry } from './feed.js';

const entry = (type: string, userId: string, courseId: string | null): FeedEntry =>
  ({
    id: 'i',
    seq: 1,
    type,
    occurredAt: '2026-03-02T09:00:00.000Z',
    learner: { id: userId, name: null },
    course: courseId === null ? null : { id: courseId, title: null },
    item: null,
    session: null,
    progressPct: null,
    data: {},
    sentence: '',
  }) as FeedEntry;

describe('admits', () => {
  const learner = { all: false as const, userId: 'ra', courses: [], sessions: [] };
  const teacher = { all: false as const, userId: 'ins', courses: ['c1'], sessions: [] };

  it('a learner sees their own items but not their own at-risk changes', () => {
    assert.equal(admits(learner, {}, entry('lesson_completed', 'ra', 'c1')), true);
    assert.equal(admits(learner, {}, entry('at_risk_changed', 'ra', 'c1')), false);
    assert.equal(admits(learner, {}, entry('lesson_completed', 'rb', 'c1')), false);
  });

  it('a teacher sees at-risk changes in the courses they teach only; the platform all', () => {
    assert.equal(admits(teacher, {}, entry('at_risk_changed', 'ra', 'c1')), true);
    assert.equal(admits(teacher, {}, entry('at_risk_changed', 'ra', 'c2')), false);
    assert.equal(admits({ all: true }, {}, entry('at_risk_changed', 'ra', 'c2')), true);
  });
});
