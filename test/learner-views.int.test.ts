// An instructor's view of one learner, on both engines: their progress item by item (the very
// answer the learner gets from /me/courses/{id}/progress) and their last 28 local days in that one
// course (time on task, visits, completions, worked by hand in the learner's time zone, other
// courses left out); who may look (the course's instructors and the learner; not other learners,
// not other courses' instructors; an unknown learner is 404).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { event, startTestApp, type TestApp } from './support/app.js';
import { forEachEngine } from './support/engines.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field
type Json = Record<string, any>;

/** 2026-03-10 10:00 in Tokyo is 01:00 UTC: local days differ from UTC ones by the evening. */
const NOW = Date.parse('2026-03-10T01:00:00.000Z');
const iso = (t: number) => new Date(t).toISOString();
const H = 3_600_000;

forEachEngine((engine) => {
  describe('a learner seen by their instructor', () => {
    let t: TestApp;
    const get = async (url: string, auth?: string) => {
      const r = await t.request({ method: 'GET', url: `/api/v1${url}`, ...(auth ? { auth } : {}) });
      return { status: r.statusCode, body: r.json() as Json };
    };
    const put = async (url: string, payload: Json) => {
      const r = await t.request({ method: 'PUT', url: `/api/v1${url}`, payload });
      assert.equal(r.statusCode, 200, r.body);
    };

    before(async () => {
      t = await startTestApp(engine, {}, { now: () => new Date(NOW) });
      await put('/users/ken', { displayName: 'Ken', timezone: 'Asia/Tokyo' });
      await put('/users/other', { displayName: 'Other' });
      await put('/courses/lv', { title: 'Viewed', instructorIds: ['ins-lv'] });
      await put('/courses/elsewhere', { title: 'Elsewhere', instructorIds: ['ins-else'] });
      await put('/courses/lv/items', {
        items: [
          { id: 'lv-1', type: 'lesson', title: 'One', position: 1 },
          { id: 'lv-2', type: 'lesson', title: 'Two', position: 2 },
        ],
      });
      for (const [c, u] of [
        ['lv', 'ken'],
        ['lv', 'other'],
        ['elsewhere', 'ken'],
      ]) {
        await put(`/courses/${c}/enrollments/${u}`, { role: 'student' });
      }
      const r = await t.request({
        method: 'POST',
        url: '/api/v1/events',
        payload: {
          events: [
            // 2026-03-09 23:30 UTC is 03-10 08:30 in Tokyo: today there, yesterday in UTC.
            event({ userId: 'ken', courseId: 'lv', occurredAt: iso(NOW - 1.5 * H), data: { activeSec: 30 } }),
            event({ userId: 'ken', courseId: 'lv', occurredAt: iso(NOW - 1.4 * H), data: { activeSec: 45 } }),
            event({
              type: 'course_visit',
              userId: 'ken',
              courseId: 'lv',
              occurredAt: iso(NOW - 1.5 * H),
              data: {},
            }),
            // 2026-03-08 14:00 UTC is 03-08 23:00 in Tokyo.
            event({
              type: 'lesson_progress',
              userId: 'ken',
              courseId: 'lv',
              itemId: 'lv-1',
              occurredAt: iso(NOW - 35 * H),
              value: 100,
              data: undefined,
            }),
            event({ userId: 'ken', courseId: 'lv', occurredAt: iso(NOW - 35 * H), data: { activeSec: 60 } }),
            // Another course: never in this course's days.
            event({
              userId: 'ken',
              courseId: 'elsewhere',
              occurredAt: iso(NOW - 1.5 * H),
              data: { activeSec: 600 },
            }),
          ],
        },
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual((r.json() as Json).rejected, []);
    });
    after(() => t?.close());

    it('progress item by item: what the learner sees of themselves', async () => {
      const teacher = await t.token('ins-lv', 'instructor');
      const ken = await t.token('ken', 'student');
      const seen = await get('/courses/lv/students/ken/progress', teacher);
      assert.equal(seen.status, 200);
      assert.deepEqual(seen.body, (await get('/me/courses/lv/progress', ken)).body);
      assert.deepEqual(
        seen.body.items.map((i: Json) => [i.itemId, i.status]),
        [
          ['lv-1', 'completed'],
          ['lv-2', 'not_started'],
        ],
      );
    });

    it('the last 28 days in the learner’s zone, this course only', async () => {
      const teacher = await t.token('ins-lv', 'instructor');
      const { status, body } = await get('/courses/lv/students/ken/activity', teacher);
      assert.equal(status, 200);
      assert.deepEqual([body.timezone, body.today, body.last28Days.length], ['Asia/Tokyo', '2026-03-10', 28]);
      assert.equal(body.last28Days[0].day, '2026-02-11');
      const busy = body.last28Days.filter((d: Json) => d.active);
      assert.deepEqual(busy, [
        { day: '2026-03-08', timeOnTaskSec: 60, visits: 0, itemsCompleted: 1, active: true },
        { day: '2026-03-10', timeOnTaskSec: 75, visits: 1, itemsCompleted: 0, active: true },
      ]);
      assert.ok(
        body.last28Days
          .filter((d: Json) => !d.active)
          .every((d: Json) => d.timeOnTaskSec === 0 && d.visits === 0 && d.itemsCompleted === 0),
      );
    });

    it('who may look: the course’s instructors, admins and the learner; nobody else', async () => {
      const paths = ['/courses/lv/students/ken/progress', '/courses/lv/students/ken/activity'];
      for (const p of paths) {
        assert.equal((await get(p, await t.token('ken', 'student'))).status, 200, p);
        assert.equal((await get(p, await t.token('boss', 'admin'))).status, 200, p);
        assert.equal((await get(p)).status, 200, p);
        assert.equal((await get(p, await t.token('other', 'student'))).status, 403, p);
        assert.equal((await get(p, await t.token('ins-else', 'instructor'))).status, 403, p);
      }
      const teacher = await t.token('ins-lv', 'instructor');
      assert.equal((await get('/courses/lv/students/nobody/progress', teacher)).status, 404);
      assert.equal((await get('/courses/lv/students/nobody/activity', teacher)).status, 404);
    });

    // Last: it moves Ken to Los Angeles (UTC-8 in March), where his days are a day earlier.
    it('a learner sets their own time zone (the tracker’s userTimezone): days follow at once', async () => {
      const ken = await t.token('ken', 'student');
      const put = (body: Json, auth?: string) =>
        t.request({ method: 'PUT', url: '/api/v1/me/timezone', payload: body, ...(auth ? { auth } : {}) });
      const bad = await put({ timezone: 'Mars/Olympus' }, ken);
      assert.equal(bad.statusCode, 400, bad.body);
      assert.equal((bad.json() as Json).error.code, 'validation_failed');
      assert.equal((await put({ timezone: 'Europe/Paris' })).statusCode, 403, 'an API key is not a learner');
      assert.equal(
        (await put({ timezone: 'Europe/Paris' }, await t.token('ghost', 'student'))).statusCode,
        404,
      );
      const ok = await put({ timezone: 'America/Los_Angeles' }, ken);
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal((ok.json() as Json).timezone, 'America/Los_Angeles');
      const { body } = await get('/courses/lv/students/ken/activity', await t.token('ins-lv', 'instructor'));
      assert.equal(body.today, '2026-03-09');
      assert.deepEqual(
        body.last28Days.filter((d: Json) => d.active),
        [
          { day: '2026-03-08', timeOnTaskSec: 60, visits: 0, itemsCompleted: 1, active: true },
          { day: '2026-03-09', timeOnTaskSec: 75, visits: 1, itemsCompleted: 0, active: true },
        ],
      );
    });
  });
});
