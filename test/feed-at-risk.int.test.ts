// At-risk changes in the feed, on both engines, against a clock the test moves: a learner who
// goes quiet for the course's inactivity days is announced once (high risk, with the reason in
// words), a second check at the same state announces nothing, activity announces the recovery;
// the learner concerned never sees these items, their instructors do; a course without
// engagement tracking is never checked; two checks racing announce a change once; a learner who
// leaves the course is forgotten without an item. Expected items are worked by hand from the
// at-risk rules (docs/metrics.md, At risk).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AtRiskWatch } from '../src/feed/at-risk-watch.js';
import { getCourse } from '../src/store/catalog/courses.js';
import { count, event, startTestApp, type TestApp } from './support/app.js';
import { forEachEngine } from './support/engines.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field
type Json = Record<string, any>;

const MIN = 60_000;
const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();

forEachEngine((engine) => {
  describe('feed: at-risk changes', () => {
    let t: TestApp;
    // Enrollment times are the database's clock, so the test's clock starts at the real now.
    const T0 = Date.now();
    let clock = T0;
    const now = () => new Date(clock);
    let watch: AtRiskWatch;

    const ok = async (method: 'PUT' | 'POST' | 'DELETE', url: string, payload?: Json) => {
      const r = await t.request({ method, url: `/api/v1${url}`, ...(payload ? { payload } : {}) });
      assert.equal(r.statusCode, method === 'DELETE' ? 204 : 200, `${method} ${url}: ${r.body}`);
      return method === 'DELETE' ? {} : (r.json() as Json);
    };
    const heartbeat = async (userId: string, courseId: string, at: number) => {
      const r = await ok('POST', '/events', {
        events: [event({ userId, courseId, occurredAt: iso(at), data: { activeSec: 30 } })],
      });
      assert.deepEqual(r.rejected, []);
    };
    const feed = async (query: string, auth?: string) => {
      const r = await t.request({
        method: 'GET',
        url: `/api/v1/feed?limit=200${query}`,
        ...(auth ? { auth } : {}),
      });
      assert.equal(r.statusCode, 200, r.body);
      return (r.json() as Json).items as Json[];
    };
    const risky = () => feed('&types=at_risk_changed');
    const check = async (courseId: string) => {
      const course = await getCourse(t.server.db, courseId);
      return watch.checkCourse(course!);
    };

    before(async () => {
      t = await startTestApp(engine, {}, { now });
      watch = new AtRiskWatch(t.server.db, now, (err) => {
        throw err;
      });
      await ok('PUT', '/users/ra', { displayName: 'Rae' });
      await ok('PUT', '/users/rb', { displayName: 'Rob' });
      await ok('PUT', '/courses/rk', { title: 'Risky', instructorIds: ['ins-r'] });
      await ok('PUT', '/courses/quiet', {
        title: 'Untracked',
        instructorIds: ['ins-r'],
        settings: { engagementTracking: false },
      });
      for (const u of ['ra', 'rb']) {
        await ok('PUT', `/courses/rk/enrollments/${u}`, { role: 'student' });
        await ok('PUT', `/courses/quiet/enrollments/${u}`, { role: 'student' });
      }
      await heartbeat('ra', 'rk', T0 - 10 * MIN);
      await heartbeat('rb', 'rk', T0 - 10 * MIN);
    });
    after(() => t?.close());

    it('nobody at risk: a check announces nothing', async () => {
      assert.equal(await check('rk'), 0);
      assert.deepEqual(await risky(), []);
    });

    it('a learner quiet for 8 days (rule: 7) is announced once, at high risk, at the check’s time', async () => {
      clock = T0 + 8 * DAY;
      await heartbeat('rb', 'rk', clock - 10 * MIN);
      assert.equal(await check('rk'), 1);
      const items = await risky();
      assert.deepEqual(
        items.map((i) => [i.learner.id, i.course.id, i.occurredAt, i.data.level, i.data.previousLevel]),
        [['ra', 'rk', iso(clock), 'high', 'none']],
      );
      assert.deepEqual(items[0]!.data.reasons, [{ code: 'inactive', message: 'no activity for 8 days' }]);
      assert.equal(items[0]!.sentence, 'Rae is at high risk in “Risky”: no activity for 8 days.');
      // The same state checked again (later the same day: still 8 whole days) announces nothing.
      clock += 5 * MIN;
      assert.equal(await check('rk'), 0);
      assert.equal((await risky()).length, 1);
    });

    it('only teachers and admins see it: not the learner, even filtering on themselves', async () => {
      const teacher = await t.token('ins-r', 'instructor');
      assert.equal((await feed('&types=at_risk_changed', teacher)).length, 1);
      const admin = await t.token('someone', 'admin');
      assert.equal((await feed('&types=at_risk_changed', admin)).length, 1);
      const rae = await t.token('ra', 'student');
      assert.deepEqual(await feed('&types=at_risk_changed&userId=ra', rae), []);
      assert.ok((await feed('', rae)).every((i) => i.type !== 'at_risk_changed'));
      const outsider = await t.token('ins-other', 'instructor');
      assert.deepEqual(await feed('&types=at_risk_changed', outsider), []);
    });

    it('a course without engagement tracking is never checked', async () => {
      assert.equal(await watch.checkAll(), 0);
      assert.deepEqual(
        (await risky()).filter((i) => i.course.id === 'quiet'),
        [],
      );
    });

    it('activity again: the recovery is announced', async () => {
      clock += MIN;
      await heartbeat('ra', 'rk', clock - 30_000);
      const before = (await risky()).length;
      assert.equal(await check('rk'), 1);
      const [latest] = await risky();
      assert.deepEqual(
        [
          latest!.learner.id,
          latest!.occurredAt,
          latest!.data.level,
          latest!.data.previousLevel,
          latest!.data.reasons,
        ],
        ['ra', iso(clock), 'none', 'high', []],
      );
      assert.equal(latest!.sentence, 'Rae is no longer at risk in “Risky”.');
      assert.equal((await risky()).length, before + 1);
      assert.equal(await count(t, `SELECT count(*)::int AS n FROM at_risk_state WHERE course_id = 'rk'`), 0);
    });

    it('two checks racing announce a change once', async () => {
      clock += 8 * DAY;
      const other = new AtRiskWatch(t.server.db, now, (err) => {
        throw err;
      });
      const course = (await getCourse(t.server.db, 'rk'))!;
      const [a, b] = await Promise.all([watch.checkCourse(course), other.checkCourse(course)]);
      // Both learners have been quiet for 8 days now.
      assert.equal(a + b, 2);
      const latest = (await risky()).filter((i) => i.occurredAt === iso(clock));
      assert.deepEqual(latest.map((i) => i.learner.id).sort(), ['ra', 'rb']);
      assert.equal(await check('rk'), 0);
    });

    it('a learner who leaves the course is forgotten, without an item', async () => {
      await ok('DELETE', '/courses/rk/enrollments/rb');
      const before = (await risky()).length;
      assert.equal(await check('rk'), 0);
      assert.equal((await risky()).length, before);
      assert.deepEqual(
        (
          await t.server.db.query<{ user_id: string }>(
            `SELECT user_id FROM at_risk_state WHERE course_id = 'rk'`,
          )
        ).map((r) => r.user_id),
        ['ra'],
      );
    });
  });
});
