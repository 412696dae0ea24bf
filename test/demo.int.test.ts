// The demo platform end to end, on both engines: a small generated platform seeded through the
// real catalog and ingest paths, then read back through the HTTP API as the dashboard will read
// it — every course with progress, learners at risk for several reasons, a video whose audience
// thins out, finished live sessions with ratings and one live now, certificates in the feed — and
// the live activity producer adding to the feed and to the live session while it runs.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateDemo } from '../src/demo/generate.js';
import { startLiveActivity } from '../src/demo/live-activity.js';
import { earlierDemo, resumeLiveSession } from '../src/demo/rerun.js';
import { seedDemo } from '../src/demo/seed.js';
import { createEventValidator } from '../src/domain/events/validate.js';
import type { LearningEvent } from '../src/domain/events/types.js';
import { PROJECTIONS } from '../src/projections/registry.js';
import { apiClient, startTestApp, type TestApp } from './support/app.js';
import { forEachEngine } from './support/engines.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field
type Json = Record<string, any>;

const LEARNERS = 60;

forEachEngine((engine) => {
  let t: TestApp;
  const api = apiClient(() => t);
  const get = async (url: string): Promise<Json> => {
    const r = await api.get(url);
    assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
    return r.json() as Json;
  };
  const demo = generateDemo(LEARNERS, new Date());

  before(async () => {
    t = await startTestApp(engine, { LEARNPULSE_AT_RISK_CHECK_MS: '0' });
    const r = await seedDemo(t.server.db, PROJECTIONS, t.server.committer, demo);
    assert.equal(r.accepted, demo.events.length, 'every generated event is stored');
  });
  after(async () => {
    await t?.close();
  });

  it('seeding again stores nothing new', async () => {
    const r = await seedDemo(t.server.db, PROJECTIONS, t.server.committer, demo);
    assert.equal(r.accepted, 0);
  });

  it('every course has learners, and learners with progress', async () => {
    assert.ok(demo.courses.length >= 5);
    for (const course of demo.courses) {
      const a = await get(`/courses/${course.id}/analytics`);
      assert.equal(a.enrolledLearners, course.students.length, course.id);
      assert.ok(a.enrolledLearners > 0, course.id);
      assert.ok(a.averageProgressPercent > 0, `${course.id} has progress`);
      assert.ok(
        a.itemFunnel.some((i: Json) => i.started > 0),
        `${course.id}: items are started`,
      );
    }
    const first = await get(`/courses/${demo.courses[0]!.id}/analytics`);
    assert.ok(first.trend.filter((d: Json) => d.activeLearners > 0).length >= 10, 'activity on most days');
    const funnel = first.itemFunnel as Json[];
    assert.ok(funnel[0]!.completed > funnel[funnel.length - 1]!.completed, 'fewer reach the last item');
  });

  it('learners are at risk for several reasons, failing among them', async () => {
    const codes = new Set<string>();
    for (const course of demo.courses) {
      const r = await get(`/courses/${course.id}/at-risk`);
      for (const l of r.items) for (const reason of l.reasons) codes.add(reason.code);
    }
    for (const code of ['inactive', 'behind', 'failing'])
      assert.ok(codes.has(code), `${code} in ${[...codes]}`);
  });

  it('certificates are issued to learners who finish, and show in the feed', async () => {
    const feed = await get('/feed?types=certification_issued&limit=5');
    assert.ok(feed.items.length > 0);
    const a = await get(`/courses/${feed.items[0].course.id}/analytics`);
    assert.ok(a.certificatesIssued > 0 && a.completedLearners > 0);
  });

  it('a video loses viewers along the way, and its hard passage is replayed', async () => {
    const course = demo.courses[0]!;
    const videos = (await get(`/courses/${course.id}/videos`)).videos as Json[];
    assert.ok(videos.length >= 3 && videos.every((v) => v.viewers > 0));
    const v = await get(`/courses/${course.id}/videos/${videos[1]!.id}/analytics`);
    const points = v.curve.points as Json[];
    assert.ok(points[0]!.retention > 0.9, `nearly everyone sees the start (${points[0]!.retention})`);
    assert.ok(
      points[points.length - 1]!.retention < points[0]!.retention - 0.15,
      `fewer see the end (${points[points.length - 1]!.retention})`,
    );
    assert.ok(
      points.some((p) => p.rewatch > p.retention + 0.05),
      'some passage is played more often than once per viewer',
    );
    assert.ok(v.completionRate > 0 && v.completionRate < 1);
  });

  it('finished live sessions have attendance, chat and ratings, and compare with trends', async () => {
    const finished = demo.liveSessions.filter((s) => s.id.startsWith('demo-live-ds-'));
    assert.ok(finished.length >= 3);
    let recordingViewers = 0;
    for (const s of finished) {
      const a = await get(`/live-sessions/${s.id}/analytics`);
      assert.equal(a.live.isLive, false);
      assert.ok(a.attendance.attended > 0 && a.attendance.attendanceRate > 0, s.id);
      assert.ok(a.engagement.chatMessages > 0 && a.engagement.reactionsTotal > 0, s.id);
      assert.ok(a.feedback.responses > 0 && a.feedback.averageRating >= 1, s.id);
      assert.ok(a.recording, `${s.id} has a recording`);
      recordingViewers += a.recording.viewers;
    }
    assert.ok(recordingViewers > 0, 'recordings are watched');
    const cmp = await api.post('/live-sessions/compare', { sessionIds: finished.map((s) => s.id) });
    assert.equal(cmp.statusCode, 200, cmp.body);
    assert.ok((cmp.json() as Json).trends.averageRating, 'a rating trend');
  });

  it('one live session is live now, with viewers', async () => {
    const a = await get(`/live-sessions/${demo.liveNow.sessionId}/analytics`);
    assert.equal(a.live.isLive, true);
    assert.ok(a.live.currentViewers > 0);
    assert.equal(a.live.currentViewers, Object.keys(demo.liveNow.connected).length);
  });

  it('the live activity adds valid events: feed items, and viewers and chat in the live session', async () => {
    const validate = createEventValidator();
    const top = async () => (await get('/feed?limit=1')).items[0]?.seq ?? 0;
    const figures = async () => (await get(`/live-sessions/${demo.liveNow.sessionId}/analytics`)) as Json;
    const [seqBefore, before] = [await top(), await figures()];
    const invalid: unknown[] = [];
    const activity = startLiveActivity({
      db: t.server.db,
      demo,
      intervalMs: 25,
      studying: 6,
      committer: {
        submit(events: LearningEvent[]) {
          for (const e of events) {
            const r = validate(e);
            if (!r.ok) invalid.push({ e, r });
          }
          return t.server.committer.submit(events);
        },
      },
      onError: (err) => invalid.push(err),
    });
    await sleep(3_000);
    await activity.stop();
    assert.deepEqual(invalid, []);
    assert.ok(activity.sent > 10, `${activity.sent} events sent`);
    const latest = await get('/feed?limit=50');
    assert.ok(latest.items.filter((i: Json) => i.seq > seqBefore).length > 0, 'new items in the feed');
    const after = await figures();
    assert.ok(after.attendance.attended > before.attendance.attended, 'newcomers joined');
    assert.ok(
      after.engagement.chatMessages + after.engagement.reactionsTotal >
        before.engagement.chatMessages + before.engagement.reactionsTotal,
      'chat or reactions',
    );
    assert.equal(after.live.isLive, true);
  });

  it('a folder holding an earlier demo is kept; its live session, or a new one once it is over', async () => {
    const later = generateDemo(LEARNERS, new Date(Date.now() + 5 * 60_000));
    const previous = await earlierDemo(t.server.db, later);
    assert.ok(previous, 'the seeded demo is found');
    // Still 40 minutes to go: the live activity carries on with it.
    assert.equal(await resumeLiveSession(t.server.db, later, previous, new Date()), demo.liveNow.sessionId);
    const planned = later.liveSessions.find((s) => s.id === demo.liveNow.sessionId)!;
    assert.equal(planned.input.scheduledStart, previous.scheduledStart);
    // Days later, it is over: a new session starts, registered as the first one was.
    const daysLater = new Date(Date.now() + 2 * 86_400_000);
    const next = generateDemo(LEARNERS, daysLater);
    const registered = next.liveSessions.find((x) => x.id === next.liveNow.sessionId)!.registered;
    const fresh = await resumeLiveSession(t.server.db, next, previous, daysLater);
    assert.notEqual(fresh, demo.liveNow.sessionId);
    assert.equal(next.liveNow.sessionId, fresh);
    const s = await get(`/live-sessions/${fresh}`);
    assert.equal(s.scheduledStart, daysLater.toISOString());
    const regs = await get(`/live-sessions/${fresh}/registrations?limit=200`);
    assert.equal(regs.items.length, registered.length);
  });

  it('every generated event passes the ingest validator', () => {
    const validate = createEventValidator();
    const bad = demo.events.map((e) => validate(e)).filter((r) => !r.ok);
    assert.deepEqual(bad, []);
  });
});
