// Item and course progress at the edges: thresholds, catalog changes, the quiz gate, assessments,
// engagement tracking turned off, local days across DST, and the students view's query count.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { apiClient, count, type Reply, startTestApp, type TestApp } from './support/app.js';
import { type Engine, forEachEngine } from './support/engines.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field
type Json = Record<string, any>;

/** A test app with a pinned clock, its API client, and a course of items with enrolled learners. */
function setup(engine: Engine, now: string) {
  const ctx = { t: undefined as unknown as TestApp };
  const api = apiClient(() => ctx.t);
  before(async () => {
    ctx.t = await startTestApp(engine, {}, { now: () => new Date(now) });
  });
  after(() => ctx.t.close());
  const ok = async (reply: Promise<Reply>, status = 200): Promise<Json> => {
    const r = await reply;
    assert.equal(r.statusCode, status, r.body);
    return r.json() as Json;
  };
  async function course(id: string, items: Json[], learners: Json[], settings: Json = {}) {
    await ok(api.put(`/courses/${id}`, { title: id, instructorIds: [`${id}-teacher`], settings }));
    await ok(api.put(`/courses/${id}/items`, { items }));
    for (const l of learners) {
      await ok(api.put(`/users/${l.id}`, { displayName: l.id, timezone: l.timezone ?? 'UTC' }));
      await ok(api.put(`/courses/${id}/enrollments/${l.id}`, {}));
    }
  }
  const send = (events: Json[]) => ok(api.post('/events', { events }));
  const ev = (userId: string, courseId: string, type: string, occurredAt: string, extra: Json = {}) => ({
    id: randomUUID(),
    userId,
    courseId,
    type,
    occurredAt,
    ...extra,
  });
  const progress = async (userId: string, courseId: string) =>
    ok(api.get(`/me/courses/${courseId}/progress`, await ctx.t.token(userId)));
  const itemOf = (p: Json, itemId: string) => (p.items as Json[]).find((i) => i.itemId === itemId)!;
  return { ctx, api, ok, course, send, ev, progress, itemOf };
}

forEachEngine((engine) => {
  describe('completion thresholds', () => {
    const s = setup(engine, '2026-06-10T12:00:00Z');
    const items = [
      { id: 'th-l1', type: 'lesson', title: 'L1', position: 1 },
      { id: 'th-l2', type: 'lesson', title: 'L2', position: 2, completionThreshold: 70 },
      { id: 'th-v1', type: 'video', title: 'V1', position: 3, durationSec: 200 },
    ];
    before(() => s.course('th', items, [{ id: 'th-a' }, { id: 'th-b' }]));

    it('counts 89.9 % as in progress and 90 % as completed, at the time 90 % was reached', async () => {
      await s.send([
        s.ev('th-a', 'th', 'lesson_progress', '2026-06-01T10:00:00Z', { itemId: 'th-l1', value: 89.9 }),
      ]);
      assert.equal(s.itemOf(await s.progress('th-a', 'th'), 'th-l1').status, 'in_progress');
      // Sent out of order: the 90 % event arrives after a later, lower one.
      await s.send([
        s.ev('th-a', 'th', 'lesson_progress', '2026-06-03T10:00:00Z', { itemId: 'th-l1', value: 40 }),
        s.ev('th-a', 'th', 'lesson_progress', '2026-06-02T10:00:00Z', { itemId: 'th-l1', value: 90 }),
      ]);
      const item = s.itemOf(await s.progress('th-a', 'th'), 'th-l1');
      assert.equal(item.status, 'completed');
      assert.equal(item.progressPercent, 90);
      assert.equal(item.completedAt, '2026-06-02T10:00:00.000Z');
      assert.equal(item.completedHow, 'threshold');
    });

    it('never un-completes an item on a late, lower lesson_progress', async () => {
      await s.send([
        s.ev('th-a', 'th', 'lesson_progress', '2026-06-09T10:00:00Z', { itemId: 'th-l1', value: 5 }),
      ]);
      const item = s.itemOf(await s.progress('th-a', 'th'), 'th-l1');
      assert.deepEqual(
        [item.status, item.progressPercent, item.completedAt],
        ['completed', 90, '2026-06-02T10:00:00.000Z'],
      );
    });

    it("lets an item's own threshold of 70 % win over the course's", async () => {
      await s.send([
        s.ev('th-a', 'th', 'lesson_progress', '2026-06-04T10:00:00Z', { itemId: 'th-l2', value: 70 }),
        s.ev('th-b', 'th', 'lesson_progress', '2026-06-04T10:00:00Z', { itemId: 'th-l2', value: 69.99 }),
      ]);
      assert.equal(s.itemOf(await s.progress('th-a', 'th'), 'th-l2').status, 'completed');
      assert.equal(s.itemOf(await s.progress('th-b', 'th'), 'th-l2').status, 'in_progress');
    });

    it('completes a video from the seconds watched, not the position, and resumes at the latest position', async () => {
      const vh = (userId: string, sec: number, segments: [number, number][]) =>
        s.ev(
          userId,
          'th',
          'video_heartbeat',
          new Date(Date.parse('2026-06-05T10:00:00Z') + sec * 1000).toISOString(),
          {
            itemId: 'th-v1',
            data: { positionSec: segments[segments.length - 1]![1], durationSec: 200, segments },
          },
        );
      // th-b plays 0–180 of 200 s (90 %), a heartbeat every 20 s, sent out of order.
      const honest = Array.from({ length: 9 }, (_, i) => vh('th-b', 20 * (i + 1), [[20 * i, 20 * (i + 1)]]));
      await s.send([...honest.slice(5), ...honest.slice(0, 5)]);
      const item = s.itemOf(await s.progress('th-b', 'th'), 'th-v1');
      assert.equal(item.status, 'completed');
      assert.equal(item.completedAt, '2026-06-05T10:03:00.000Z');
      assert.equal(item.progressPercent, 90);
      assert.equal(item.resumePositionSec, 180);
      assert.equal(item.timeOnTaskSec, 180);
      // th-a's player claims the whole video in one heartbeat, and jumps to the end: not completed.
      await s.send([vh('th-a', 10, [[0, 200]])]);
      const forged = s.itemOf(await s.progress('th-a', 'th'), 'th-v1');
      assert.equal(forged.status, 'in_progress');
      assert.ok(forged.progressPercent < 35, String(forged.progressPercent));
    });

    it('reflects a threshold change and a new item without losing history', async () => {
      const before = await s.progress('th-b', 'th');
      assert.equal(before.itemsCompleted, 1);
      assert.equal(before.totalItems, 3);
      // th-b reached 69.99 on th-l2: a course threshold of 60 does not apply (the item says 70)...
      await s.ok(
        s.api.put('/courses/th', {
          title: 'th',
          instructorIds: ['th-teacher'],
          settings: { completionThreshold: 60 },
        }),
      );
      // ...but lowering the item's own threshold to 65 does, at the time 69.99 was reached.
      await s.ok(
        s.api.put('/courses/th/items/th-l2', {
          type: 'lesson',
          title: 'L2',
          position: 2,
          completionThreshold: 65,
        }),
      );
      await s.ok(s.api.put('/courses/th/items/th-l3', { type: 'page', title: 'L3', position: 4 }));
      const after = await s.progress('th-b', 'th');
      assert.equal(s.itemOf(after, 'th-l2').completedAt, '2026-06-04T10:00:00.000Z');
      assert.equal(after.itemsCompleted, 2);
      assert.equal(after.totalItems, 4);
      assert.equal(after.completionPercent, 50);
      // Raising the threshold above what was reached takes the completion back; the percent stays.
      await s.ok(
        s.api.put('/courses/th/items/th-l2', {
          type: 'lesson',
          title: 'L2',
          position: 2,
          completionThreshold: 99,
        }),
      );
      const raised = s.itemOf(await s.progress('th-b', 'th'), 'th-l2');
      assert.deepEqual([raised.status, raised.progressPercent], ['in_progress', 69.99]);
    });

    it('counts progress on an item that reaches the catalog after its events', async () => {
      await s.send([
        s.ev('th-a', 'th', 'lesson_progress', '2026-06-06T10:00:00Z', { itemId: 'th-late', value: 100 }),
      ]);
      // th-a has th-l1 completed (th-l2's threshold is now 99): the unknown item does not count yet.
      assert.equal((await s.progress('th-a', 'th')).itemsCompleted, 1);
      await s.ok(s.api.put('/courses/th/items/th-late', { type: 'lesson', title: 'Late', position: 5 }));
      const p = await s.progress('th-a', 'th');
      assert.equal(p.itemsCompleted, 2);
      assert.equal(s.itemOf(p, 'th-late').completedAt, '2026-06-06T10:00:00.000Z');
    });
  });

  describe('manual completion, the quiz gate and assessments', () => {
    const s = setup(engine, '2026-06-10T12:00:00Z');
    before(() =>
      s.course(
        'qg',
        [
          { id: 'qg-quiz', type: 'quiz', title: 'Quiz', position: 1 },
          { id: 'qg-lesson', type: 'lesson', title: 'Gated', position: 2, requiredQuizId: 'qg-quiz' },
          { id: 'qg-free', type: 'lesson', title: 'Free', position: 3 },
        ],
        [{ id: 'qg-a' }, { id: 'qg-b' }],
      ),
    );
    const attempt = (userId: string, at: string, attemptId: string, score: number, passed?: boolean) =>
      s.ev(userId, 'qg', 'quiz_submit', at, {
        itemId: 'qg-quiz',
        data: {
          attemptId,
          score,
          maxScore: 10,
          timeSpentSec: 60,
          ...(passed === undefined ? {} : { passed }),
        },
      });

    it('refuses to complete a gated item before its quiz is passed, and stores nothing', async () => {
      const token = await s.ctx.t.token('qg-a');
      const eventsBefore = await count(s.ctx.t, 'SELECT count(*)::int AS n FROM events');
      const r = await s.api.post('/items/qg-lesson/complete', {}, token);
      assert.equal(r.statusCode, 422);
      assert.deepEqual((r.json() as Json).error.code, 'quiz_required');
      assert.deepEqual((r.json() as Json).error.details, { quizItemId: 'qg-quiz' });
      const onBehalf = await s.api.post('/items/qg-lesson/complete', { userId: 'qg-a' });
      assert.equal(onBehalf.statusCode, 422);
      // A learner's own lesson_complete event is refused the same way.
      const direct = await s.ok(
        s.api.post(
          '/events',
          [s.ev('qg-a', 'qg', 'lesson_complete', '2026-06-01T10:00:00Z', { itemId: 'qg-lesson' })],
          token,
        ),
      );
      assert.deepEqual(
        direct.rejected.map((x: Json) => x.code),
        ['quiz_required'],
      );
      await s.send([attempt('qg-a', '2026-06-01T09:00:00Z', 'a1', 3, false)]);
      assert.equal((await s.api.post('/items/qg-lesson/complete', {}, token)).statusCode, 422);
      assert.equal(await count(s.ctx.t, 'SELECT count(*)::int AS n FROM events'), eventsBefore + 1);
      assert.equal(s.itemOf(await s.progress('qg-a', 'qg'), 'qg-lesson').status, 'not_started');
    });

    it('completes it by hand once the quiz is passed, idempotently by event id', async () => {
      const token = await s.ctx.t.token('qg-a');
      await s.send([attempt('qg-a', '2026-06-02T09:00:00Z', 'a2', 9, true)]);
      const eventId = randomUUID();
      const body = { eventId, occurredAt: '2026-06-02T10:00:00Z' };
      const done = await s.ok(s.api.post('/items/qg-lesson/complete', body, token));
      assert.deepEqual(
        [done.status, done.completed, done.completedAt, done.duplicate],
        ['completed', true, '2026-06-02T10:00:00.000Z', false],
      );
      assert.equal((await s.ok(s.api.post('/items/qg-lesson/complete', body, token))).duplicate, true);
      const item = s.itemOf(await s.progress('qg-a', 'qg'), 'qg-lesson');
      assert.equal(item.completedHow, 'manual');
      const quiz = s.itemOf(await s.progress('qg-a', 'qg'), 'qg-quiz');
      assert.deepEqual(
        [quiz.status, quiz.completedHow, quiz.attempts, quiz.bestScorePercent, quiz.passed],
        ['completed', 'passed', 2, 90, true],
      );
    });

    it('answers the progress call as the reference design does, from an ordinary event', async () => {
      const token = await s.ctx.t.token('qg-b');
      const half = await s.ok(
        s.api.post('/items/qg-free/progress', { watchPercentage: 50, positionSec: 30 }, token),
      );
      assert.deepEqual(half, { status: 'in_progress', completed: false, watchPercentage: 50 });
      const full = await s.ok(s.api.post('/items/qg-free/progress', { watchPercentage: 95 }, token));
      assert.deepEqual(full, { status: 'completed', completed: true, watchPercentage: 95 });
      assert.equal(
        await count(
          s.ctx.t,
          "SELECT count(*)::int AS n FROM events WHERE user_id = 'qg-b' AND type = 'lesson_progress'",
        ),
        2,
      );
      const other = await s.api.post(
        '/items/qg-free/progress',
        { watchPercentage: 5, userId: 'qg-a' },
        token,
      );
      assert.equal(other.statusCode, 403);
    });

    it('numbers attempts by submission time, keeps a resent attempt once, and lists certificates', async () => {
      await s.send([
        attempt('qg-b', '2026-06-03T09:00:00Z', 'b2', 6, false),
        // Attempt b1 happened first but arrives late, twice (the later copy does not count).
        attempt('qg-b', '2026-06-02T09:00:00Z', 'b1', 8, false),
        attempt('qg-b', '2026-06-04T09:00:00Z', 'b1', 1, false),
        s.ev('qg-b', 'qg', 'certification_issued', '2026-06-05T09:00:00Z', {
          data: { certificateId: 'cert-1' },
        }),
      ]);
      const token = await s.ctx.t.token('qg-b');
      const list = await s.ok(s.api.get('/courses/qg/students/qg-b/attempts', token));
      assert.deepEqual(
        list.items.map((a: Json) => [a.attemptId, a.attemptNumber, a.score, a.best]),
        [
          ['b1', 1, 8, true],
          ['b2', 2, 6, false],
        ],
      );
      const mine = await s.ok(s.api.get('/me/courses', token));
      assert.deepEqual(mine.courses[0].certificate, {
        certificateId: 'cert-1',
        issuedAt: '2026-06-05T09:00:00.000Z',
      });
      // Another learner may not read qg-b's attempts.
      assert.equal(
        (await s.api.get('/courses/qg/students/qg-b/attempts', await s.ctx.t.token('qg-a'))).statusCode,
        403,
      );
    });
  });

  describe('engagement tracking turned off', () => {
    const s = setup(engine, '2026-06-10T12:00:00Z');
    before(() =>
      s.course('off', [{ id: 'off-l1', type: 'lesson', title: 'L1', position: 1 }], [{ id: 'off-a' }], {
        engagementTracking: false,
      }),
    );

    it('answers 404 engagement_disabled on the engagement views', async () => {
      const teacher = await s.ctx.t.token('off-teacher', 'instructor');
      for (const url of [
        '/courses/off/students',
        '/courses/off/students.csv',
        '/courses/off/at-risk',
        '/courses/off/students/off-a/engagement',
      ]) {
        const r = await s.api.get(url, teacher);
        assert.equal(r.statusCode, 404, url);
        assert.equal((r.json() as Json).error.code, 'engagement_disabled', url);
      }
    });

    it('refuses engagement events and keeps progress and assessments going', async () => {
      const answer = await s.send([
        s.ev('off-a', 'off', 'heartbeat', '2026-06-09T10:00:00Z'),
        s.ev('off-a', 'off', 'course_visit', '2026-06-09T10:00:00Z'),
        s.ev('off-a', 'off', 'lesson_progress', '2026-06-09T10:01:00Z', { itemId: 'off-l1', value: 100 }),
        s.ev('off-a', 'off', 'scroll_depth', '2026-06-09T10:02:00Z', { itemId: 'off-l1', value: 50 }),
      ]);
      assert.deepEqual([answer.accepted, answer.duplicates], [1, 0]);
      assert.deepEqual(
        answer.rejected.map((r: Json) => [r.index, r.code]),
        [
          [0, 'engagement_disabled'],
          [1, 'engagement_disabled'],
          [3, 'engagement_disabled'],
        ],
      );
      assert.equal(await count(s.ctx.t, "SELECT count(*)::int AS n FROM events WHERE user_id = 'off-a'"), 1);
      assert.equal((await s.progress('off-a', 'off')).completionPercent, 100);
      const teacher = await s.ctx.t.token('off-teacher', 'instructor');
      assert.equal((await s.ok(s.api.get('/courses/off/analytics', teacher))).completedLearners, 1);
    });
  });

  describe('local days across DST: Auckland', () => {
    // Auckland left daylight time on 2026-04-05 at 03:00 (UTC+13 → UTC+12). Now is 08:00 on
    // 7 April there. Activity at local 23:30 on 4 April, 00:30 on 6 April and 07:00 on 7 April
    // falls on UTC days 4, 5 and 6 April: a UTC streak of 3, a local one of 2.
    const s = setup(engine, '2026-04-06T20:00:00Z');
    before(() => s.course('nz', [], [{ id: 'nz-a', timezone: 'Pacific/Auckland' }]));

    it('gives streaks and daily charts by the learner’s own days', async () => {
      await s.send([
        s.ev('nz-a', 'nz', 'heartbeat', '2026-04-04T10:30:00Z', { data: { activeSec: 60 } }),
        s.ev('nz-a', 'nz', 'heartbeat', '2026-04-05T12:30:00Z', { data: { activeSec: 120 } }),
        s.ev('nz-a', 'nz', 'course_visit', '2026-04-06T19:00:00Z'),
      ]);
      const stats = await s.ok(s.api.get('/me/stats', await s.ctx.t.token('nz-a')));
      assert.equal(stats.today, '2026-04-07');
      assert.deepEqual([stats.currentStreakDays, stats.longestStreakDays], [2, 2]);
      const active = (stats.last7Days as Json[])
        .filter((d) => d.active)
        .map((d) => [d.day, d.timeOnTaskSec, d.visits]);
      assert.deepEqual(active, [
        ['2026-04-04', 60, 0],
        ['2026-04-06', 120, 0],
        ['2026-04-07', 0, 1],
      ]);
    });
  });

  describe('local days across DST: Los Angeles', () => {
    // Los Angeles entered daylight time on 2026-03-08 at 02:00 (UTC−8 → UTC−7). Activity at local
    // 23:30 on 7 and 8 March and 08:00 on 9 March: local days 7, 8, 9 (a streak of 3), UTC days 8
    // and 9 only.
    const s = setup(engine, '2026-03-09T18:00:00Z');
    before(() => s.course('la', [], [{ id: 'la-a', timezone: 'America/Los_Angeles' }, { id: 'la-utc' }]));

    it('gives streaks, daily charts and the course trend by each learner’s own days', async () => {
      const at = ['2026-03-08T07:30:00Z', '2026-03-09T06:30:00Z', '2026-03-09T15:00:00Z'];
      await s.send(
        at.flatMap((t) => [s.ev('la-a', 'la', 'heartbeat', t), s.ev('la-utc', 'la', 'heartbeat', t)]),
      );
      const la = await s.ok(s.api.get('/me/stats', await s.ctx.t.token('la-a')));
      assert.deepEqual([la.today, la.currentStreakDays, la.longestStreakDays], ['2026-03-09', 3, 3]);
      const utc = await s.ok(s.api.get('/me/stats', await s.ctx.t.token('la-utc')));
      assert.deepEqual([utc.today, utc.currentStreakDays], ['2026-03-09', 2]);
      const teacher = await s.ctx.t.token('la-teacher', 'instructor');
      const trend = (await s.ok(s.api.get('/courses/la/analytics?timezone=America/Los_Angeles', teacher)))
        .trend as Json[];
      assert.deepEqual(
        trend.filter((d) => d.activeLearners > 0).map((d) => [d.day, d.activeLearners, d.timeOnTaskSec]),
        [
          ['2026-03-07', 1, 30],
          ['2026-03-08', 2, 60],
          ['2026-03-09', 2, 90],
        ],
      );
    });
  });

  describe('course views reused between requests', () => {
    const s = setup(engine, '2026-06-10T12:00:00Z');
    before(() => s.course('cc', [{ id: 'cc-l', type: 'lesson', title: 'L' }], [{ id: 'cc-a' }]));

    it('show new events, new learners and new settings at once', async () => {
      const teacher = await s.ctx.t.token('cc-teacher', 'instructor');
      const students = async () => s.ok(s.api.get('/courses/cc/students', teacher));
      const overview = async () => s.ok(s.api.get('/courses/cc/analytics', teacher));
      assert.equal((await students()).items[0].visits7d, 0);
      assert.equal((await overview()).itemFunnel[0].started, 0);
      await s.send([
        s.ev('cc-a', 'cc', 'course_visit', '2026-06-10T09:00:00Z'),
        s.ev('cc-a', 'cc', 'lesson_start', '2026-06-10T09:01:00Z', { itemId: 'cc-l' }),
      ]);
      assert.equal((await students()).items[0].visits7d, 1);
      assert.equal((await overview()).itemFunnel[0].started, 1);
      await s.ok(s.api.put('/users/cc-b', { displayName: 'B' }));
      await s.ok(s.api.put('/courses/cc/enrollments/cc-b', {}));
      assert.equal((await students()).total, 2);
      assert.equal((await overview()).enrolledLearners, 2);
      const before = (await students()).items.find((l: Json) => l.userId === 'cc-a').engagementScore;
      await s.ok(
        s.api.put('/courses/cc', {
          title: 'cc',
          instructorIds: ['cc-teacher'],
          settings: { engagementWeights: { visits: 100, timeOnTask: 0, videoWatched: 0, scrollDepth: 0 } },
        }),
      );
      const after = (await students()).items.find((l: Json) => l.userId === 'cc-a').engagementScore;
      assert.deepEqual([before, after], [8, 20]);
    });
  });

  describe('the students view uses a constant number of queries', () => {
    const s = setup(engine, '2026-06-10T12:00:00Z');

    it('runs as many queries for 200 learners as for 20', async () => {
      const queriesFor = async (courseId: string, learners: number) => {
        await s.ok(s.api.put(`/courses/${courseId}`, { title: courseId, instructorIds: ['nq-teacher'] }));
        await s.ok(
          s.api.put(`/courses/${courseId}/items`, {
            items: [{ id: `${courseId}-v`, type: 'video', title: 'V', durationSec: 60 }],
          }),
        );
        const ids = Array.from({ length: learners }, (_, i) => `${courseId}-u${i}`);
        await s.ok(s.api.put('/users', { items: ids.map((id) => ({ id, displayName: id })) }));
        await s.ok(
          s.api.put(`/courses/${courseId}/enrollments`, { items: ids.map((userId) => ({ userId })) }),
        );
        const events = ids.flatMap((u) => [
          s.ev(u, courseId, 'course_visit', '2026-06-09T10:00:00Z'),
          s.ev(u, courseId, 'video_heartbeat', '2026-06-09T10:01:00Z', {
            itemId: `${courseId}-v`,
            data: { positionSec: 30, durationSec: 60, segments: [[0, 30]] },
          }),
          s.ev(u, courseId, 'quiz_submit', '2026-06-09T10:02:00Z', {
            itemId: `${courseId}-v`,
            data: { attemptId: 'x', score: 1, maxScore: 2, passed: false },
          }),
        ]);
        for (let i = 0; i < events.length; i += 500) await s.send(events.slice(i, i + 500));
        const db = s.ctx.t.server.db;
        const query = db.query;
        let n = 0;
        db.query = ((...args: Parameters<typeof query>) => {
          // The feed hub reads new feed items after each commit, concurrently: not this view's.
          if (!/\bfeed_(items|sequence)\b/.test(String(args[0]))) n++;
          return query.apply(db, args);
        }) as typeof query;
        try {
          const teacher = await s.ctx.t.token('nq-teacher', 'instructor');
          const page = await s.ok(s.api.get(`/courses/${courseId}/students?limit=50`, teacher));
          assert.equal(page.total, learners);
          return n;
        } finally {
          db.query = query;
        }
      };
      const small = await queriesFor('nq-small', 20);
      const large = await queriesFor('nq-large', 200);
      assert.equal(large, small);
      assert.ok(small <= 10, `${small} queries`);
    });
  });
});
