// Who may see which progress and analytics view: learners only themselves, instructors and TAs
// only their courses, admins and the platform everything; and no answer about one course ever
// names a learner of another.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { apiClient, startTestApp, type TestApp } from './support/app.js';
import { forEachEngine } from './support/engines.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field
type Json = Record<string, any>;

forEachEngine((engine) => {
  let t: TestApp;
  const api = apiClient(() => t);
  const tokens: Record<string, string> = {};

  before(async () => {
    t = await startTestApp(engine, {}, { now: () => new Date('2026-06-10T12:00:00Z') });
    const put = async (url: string, body: unknown) =>
      assert.equal((await api.put(url, body)).statusCode, 200, url);
    await put('/courses/az-a', { title: 'A', instructorIds: ['az-ia'] });
    await put('/courses/az-b', { title: 'B', instructorIds: ['az-ib'] });
    await put('/courses/az-a/items/az-a-l1', { type: 'lesson', title: 'A1' });
    await put('/courses/az-b/items/az-b-l1', { type: 'lesson', title: 'B1' });
    for (const [course, user, role] of [
      ['az-a', 'az-la1', 'student'],
      ['az-a', 'az-la2', 'student'],
      ['az-a', 'az-ta', 'ta'],
      ['az-b', 'az-lb1', 'student'],
    ] as const) {
      await put(`/courses/${course}/enrollments/${user}`, { role });
    }
    const ev = (userId: string, courseId: string, itemId: string) => ({
      id: randomUUID(),
      type: 'lesson_progress',
      occurredAt: '2026-06-09T10:00:00Z',
      userId,
      courseId,
      itemId,
      value: 50,
    });
    await api.post('/events', [
      ev('az-la1', 'az-a', 'az-a-l1'),
      ev('az-la2', 'az-a', 'az-a-l1'),
      ev('az-lb1', 'az-b', 'az-b-l1'),
    ]);
    for (const id of ['az-la1', 'az-la2', 'az-lb1']) tokens[id] = await t.token(id);
    for (const id of ['az-ia', 'az-ib', 'az-ta']) tokens[id] = await t.token(id, 'instructor');
    tokens.admin = await t.token('az-admin', 'admin');
  });
  after(() => t.close());

  const status = async (url: string, who: string | null | undefined) =>
    (await api.get(url, who === undefined ? undefined : who === null ? null : tokens[who])).statusCode;

  describe('course views', () => {
    const views = ['analytics', 'students', 'students.csv', 'at-risk'];

    it('are for the course’s instructors and TAs, admins and the platform', async () => {
      for (const view of views) {
        const url = `/courses/az-a/${view}`;
        assert.equal(await status(url, 'az-ia'), 200, `instructor ${url}`);
        assert.equal(await status(url, 'az-ta'), 200, `TA ${url}`);
        assert.equal(await status(url, 'admin'), 200, `admin ${url}`);
        assert.equal(await status(url, undefined), 200, `API key ${url}`);
        assert.equal(await status(url, 'az-ib'), 403, `another course's instructor ${url}`);
        assert.equal(await status(url, 'az-la1'), 403, `a learner ${url}`);
        assert.equal(await status(url, null), 401, `no token ${url}`);
        assert.equal(await status(`/courses/az-none/${view}`, 'admin'), 404, `unknown course ${url}`);
      }
    });

    it('never name anyone but the course’s learners', async () => {
      for (const view of views) {
        const body = (await api.get(`/courses/az-a/${view}`, tokens['az-ia'])).body;
        for (const outsider of ['az-lb1', 'az-ta', 'az-ia', 'az-ib']) {
          assert.ok(!body.includes(outsider), `${view} mentions ${outsider}`);
        }
      }
      const students = (await api.get('/courses/az-a/students', tokens['az-ia'])).json() as Json;
      assert.deepEqual(students.items.map((s: Json) => s.userId).sort(), ['az-la1', 'az-la2']);
      const analytics = (await api.get('/courses/az-a/analytics', tokens['az-ia'])).json() as Json;
      assert.equal(analytics.enrolledLearners, 2);
    });
  });

  describe("one learner's engagement and attempts", () => {
    it('are for that learner and the course’s teachers', async () => {
      for (const view of ['engagement', 'attempts']) {
        const url = `/courses/az-a/students/az-la1/${view}`;
        assert.equal(await status(url, 'az-la1'), 200, `self ${url}`);
        assert.equal(await status(url, 'az-ia'), 200, `instructor ${url}`);
        assert.equal(await status(url, 'az-ta'), 200, `TA ${url}`);
        assert.equal(await status(url, 'admin'), 200, `admin ${url}`);
        assert.equal(await status(url, 'az-la2'), 403, `classmate ${url}`);
        assert.equal(await status(url, 'az-lb1'), 403, `other course's learner ${url}`);
        assert.equal(await status(url, 'az-ib'), 403, `other course's instructor ${url}`);
        // A learner of another course is not found in this one, even for those who may look.
        assert.equal(await status(`/courses/az-a/students/az-lb1/${view}`, 'az-ia'), 404, `outsider ${view}`);
        assert.equal(await status(`/courses/az-a/students/az-lb1/${view}`, 'admin'), 404, `outsider ${view}`);
      }
    });
  });

  describe('the learner’s own views', () => {
    it('show only the caller’s courses and need a user token', async () => {
      const a = (await api.get('/me/courses', tokens['az-la1'])).json() as Json;
      assert.deepEqual(
        a.courses.map((c: Json) => c.courseId),
        ['az-a'],
      );
      const b = (await api.get('/me/courses', tokens['az-lb1'])).json() as Json;
      assert.deepEqual(
        b.courses.map((c: Json) => c.courseId),
        ['az-b'],
      );
      assert.equal(await status('/me/courses/az-b/progress', 'az-la1'), 404);
      assert.equal(await status('/me/courses/az-a/progress', 'az-la1'), 200);
      const key = await api.get('/me/stats');
      assert.equal(key.statusCode, 403);
      assert.equal((key.json() as Json).error.code, 'not_a_learner');
      assert.equal(await status('/me/stats', null), 401);
      const stats = (await api.get('/me/stats', tokens['az-la1'])).body;
      assert.ok(!stats.includes('az-la2'), 'stats name a classmate');
    });

    it('refuse forged and expired tokens', async () => {
      const forged = `${tokens['az-la1']!.slice(0, -4)}AAAA`;
      assert.equal((await api.get('/me/courses', forged)).statusCode, 401);
      const expired = await t.token('az-la1', 'student', -10);
      assert.equal((await api.get('/me/courses', expired)).statusCode, 401);
    });
  });

  describe('progress writes', () => {
    it('let learners act only on their own progress in their own courses', async () => {
      const own = await api.post('/items/az-a-l1/progress', { watchPercentage: 60 }, tokens['az-la1']);
      assert.equal(own.statusCode, 200);
      const otherCourse = await api.post(
        '/items/az-b-l1/progress',
        { watchPercentage: 60 },
        tokens['az-la1'],
      );
      assert.equal(otherCourse.statusCode, 403);
      const otherUser = await api.post('/items/az-a-l1/complete', { userId: 'az-la2' }, tokens['az-la1']);
      assert.equal(otherUser.statusCode, 403);
      const missing = await api.post('/items/az-a-l1/complete', {});
      assert.equal(missing.statusCode, 400, 'the platform must name the learner');
      assert.equal((await api.post('/items/az-none/complete', {}, tokens['az-la1'])).statusCode, 404);
    });
  });
});
