// The browser tracker end to end: the built IIFE, served by the server at /sdk/learnpulse.js,
// runs in real headless Chromium on a page of another origin (a platform's site: CORS), against
// the real server over HTTP with a real database. A real video (generated with ffmpeg) is played,
// seeked forward, paused, rewound, sped up and finished: the server's watched seconds, plays and
// retention for that learner match what was played. The events endpoint is cut while events are
// made and the page reloaded: once it is back every event arrives exactly once. Closing a page
// sends its buffer. The minified build stays under 8 kB gzipped.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SDK_SCRIPT } from '../src/http/sdk-script.js';
import { apiClient, startTestApp, type TestApp } from './support/app.js';
import { hasChromium, launchChromium } from './support/browser.js';
import { engines } from './support/engines.js';
import { repoDir } from './support/spawn-server.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field
type Json = Record<string, any>;

const FFMPEG = process.env.FFMPEG_PATH ?? '/usr/bin/ffmpeg';
const OUT = path.join(repoDir, '.test-output', 'sdk-e2e');
const CLIP = path.join(OUT, 'clip.webm');
const CLIP_SEC = 24;
const report: Json = {};

/**
 * The platform's lesson page: a video, a long text, the tracker script from the learnpulse
 * server, and the tracker sending to `endpoint` (the cuttable way to the same server).
 */
const lessonPage = (api: string, endpoint: string) => `<!doctype html>
<meta charset="utf-8"><title>Lesson</title>
<video id="v" muted playsinline preload="auto" src="/clip.webm" width="160" height="90"></video>
<div id="text" style="height: 4000px">A long lesson text.</div>
<script src="${api}/sdk/learnpulse.js"></script>
<script>
  const q = new URLSearchParams(location.search);
  learnpulse.init({
    endpoint: ${JSON.stringify(endpoint)},
    token: q.get('token'),
    courseId: 'c1',
    itemId: 'l1',
    // Kept in sessionStorage (synchronous, survives a reload): events made while a page unloads count too.
    onEvent: (e) => sessionStorage.setItem('made', (sessionStorage.getItem('made') || '') + e.id + ':' + e.type + ','),
    onDrop: (d) => window.lpDrop && window.lpDrop(JSON.stringify(d)),
  });
</script>`;

/** Serves the page and the clip (with byte ranges, as media elements ask) on its own origin. */
function startPlatform(api: () => string, endpoint: () => string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/lesson.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(lessonPage(api(), endpoint()));
    } else if (url.pathname === '/clip.webm') {
      const size = statSync(CLIP).size;
      const m = /bytes=(\d*)-(\d*)/.exec(req.headers.range ?? '');
      const start = m?.[1] ? Number(m[1]) : 0;
      const end = m?.[2] ? Number(m[2]) : size - 1;
      res.writeHead(m ? 206 : 200, {
        'content-type': 'video/webm',
        'accept-ranges': 'bytes',
        'content-length': end - start + 1,
        ...(m ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
      });
      createReadStream(CLIP, { start, end }).pipe(res);
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * A TCP relay to the server that can be cut like a network: while cut, connections are closed as
 * they open and open ones are dropped. Cutting below the browser catches every request, keepalive
 * ones made while a page unloads included (the browser sends those itself, past page routing).
 */
async function cuttableRelay(port: () => number) {
  const open = new Set<net.Socket>();
  const relay = { cut: false, refused: 0, server: net.createServer(), port: 0 };
  relay.server.on('connection', (client) => {
    if (relay.cut) {
      relay.refused++;
      client.destroy();
      return;
    }
    const upstream = net.connect(port(), '127.0.0.1');
    for (const sock of [client, upstream]) {
      open.add(sock);
      sock.on('error', () => {});
      sock.on('close', () => {
        open.delete(sock);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => relay.server.listen(0, '127.0.0.1', r));
  relay.port = (relay.server.address() as AddressInfo).port;
  return Object.assign(relay, {
    setCut(cut: boolean) {
      relay.cut = cut;
      if (cut) for (const sock of open) sock.destroy();
    },
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, probe: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Seconds covered by played stretches, by the server's rule (t when s ≤ t + 0.5 < e). */
function covered(stretches: [number, number][]) {
  const seconds = new Set<number>();
  let plays = 0;
  for (const [s, e] of stretches) {
    for (let t = Math.ceil(s - 0.5); t < Math.ceil(e - 0.5); t++) {
      seconds.add(t);
      plays++;
    }
  }
  return { seconds, plays };
}

const skipReason = !hasChromium()
  ? 'no Chromium at /usr/bin/chromium (apt-get install chromium)'
  : !existsSync(FFMPEG)
    ? `no ffmpeg at ${FFMPEG} (apt-get install ffmpeg)`
    : undefined;

if (skipReason) {
  it('runs the tracker in headless Chromium (not possible here)', () => {
    console.log(`# tracker e2e: not run: ${skipReason}`);
    assert.ok(skipReason);
  });
} else {
  describe('the tracker in headless Chromium against the server', () => {
    let t: TestApp;
    let apiUrl: string;
    let platform: http.Server;
    let platformUrl: string;
    let relay: Awaited<ReturnType<typeof cuttableRelay>>;
    let browser: Browser;
    const api = apiClient(() => t);

    /** A fresh browser profile (its own IndexedDB) with a page of the lesson open for a learner. */
    const openLesson = async (userId: string, context?: BrowserContext) => {
      const ctx = context ?? (await browser.newContext());
      const page = await ctx.newPage();
      const dropped: string[] = [];
      await page.exposeFunction('lpDrop', (d: string) => dropped.push(d));
      page.on('pageerror', (err) => {
        throw err;
      });
      await page.goto(`${platformUrl}/lesson.html?token=${encodeURIComponent(await t.token(userId))}`);
      await page.waitForFunction('window.learnpulse && learnpulse.pending() >= 0');
      return { ctx, page, dropped };
    };
    /** The events the page made so far (this tab, across reloads). */
    const madeBy = async (page: Page) =>
      ((await page.evaluate(`sessionStorage.getItem('made') || ''`)) as string)
        .split(',')
        .filter(Boolean)
        .map((s) => {
          const [id, type] = s.split(':');
          return { id: id!, type: type! };
        });
    const pending = (page: Page) => page.evaluate('learnpulse.pending()') as Promise<number>;
    const flushed = (page: Page) =>
      until(
        'the tracker to have sent everything',
        async () => (await page.evaluate('learnpulse.flush()')) === 0,
      );
    /** The learner's events in the log: id → how many times it is there. */
    const logged = async (userId: string) => {
      const rows = await t.server.db.query<{ id: string; type: string; n: number }>(
        'SELECT id::text AS id, min(type) AS type, count(*)::int AS n FROM events WHERE user_id = $1 GROUP BY id',
        [userId],
      );
      return new Map(rows.map((r) => [r.id, r]));
    };

    before(async () => {
      const build = spawnSync('npm', ['run', 'build', '-w', 'sdk'], { cwd: repoDir, encoding: 'utf8' });
      assert.equal(build.status, 0, `sdk build failed:\n${build.stdout}\n${build.stderr}`);
      mkdirSync(OUT, { recursive: true });
      // VP8 in WebM (Debian's Chromium plays it), a keyframe every second so seeks land where asked.
      const ff = spawnSync(FFMPEG, [
        ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi'],
        ...['-i', `testsrc=size=160x90:rate=10`, '-t', String(CLIP_SEC)],
        ...['-c:v', 'libvpx', '-b:v', '100k', '-g', '10', CLIP],
      ]);
      assert.equal(ff.status, 0, `ffmpeg failed: ${ff.stderr}`);

      relay = await cuttableRelay(() => Number(new URL(apiUrl).port));
      platform = await startPlatform(
        () => apiUrl,
        () => `http://127.0.0.1:${relay.port}`,
      );
      platformUrl = `http://127.0.0.1:${(platform.address() as AddressInfo).port}`;
      // The server under test is the real app (in this process, so the test can read its log),
      // listening on its own port: the page's origin differs, so CORS is exercised.
      t = await startTestApp(engines()[0]!, { LEARNPULSE_CORS_ORIGINS: platformUrl });
      apiUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
      await api.put('/courses/c1', { title: 'Course', instructorIds: ['t1'] });
      await api.put('/courses/c1/items', {
        items: [
          { id: 'l1', type: 'lesson', title: 'Lesson', position: 1 },
          // No duration in the catalog: the engine takes the player's, as it would for a new upload.
          { id: 'v1', type: 'video', title: 'Clip', position: 2 },
        ],
      });
      for (const u of ['viewer', 'offline', 'closer']) {
        await api.put(`/users/${u}`, { displayName: u });
        await api.put(`/courses/c1/enrollments/${u}`, { role: 'student' });
      }
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await t?.close();
      await new Promise((r) => platform?.close(r));
      relay?.server.close();
      console.log(`# tracker e2e report: ${JSON.stringify(report)}`);
    });

    it('the minified build is under 8 kB gzipped, and the server serves exactly it', async () => {
      const built = readFileSync(SDK_SCRIPT);
      report.minifiedBytes = built.length;
      report.gzippedBytes = gzipSync(built, { level: 9 }).length;
      assert.ok(report.gzippedBytes < 8192, `${report.gzippedBytes} bytes gzipped`);
      const res = await fetch(`${apiUrl}/sdk/learnpulse.js`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /javascript/);
      assert.equal(await res.text(), built.toString('utf8'));
    });

    it('a played, seeked, paused, rewound, sped-up and finished video: watched seconds and retention match', async () => {
      const { page, ctx, dropped } = await openLesson('viewer');
      await page.evaluate(`learnpulse.trackVideo(document.getElementById('v'), { itemId: 'v1' })`);
      // The page plays the video and writes down, from the element itself, each stretch it played.
      const played = (await page.evaluate(`(async () => {
        const v = document.getElementById('v');
        const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
        const stretches = [];
        let from = 0;
        const cut = () => stretches.push([from, v.currentTime]);
        const seek = (to) => new Promise((r) => { v.addEventListener('seeked', r, { once: true }); v.currentTime = to; });
        if (v.readyState < 1) await new Promise((r) => v.addEventListener('loadedmetadata', r, { once: true }));
        await v.play(); from = v.currentTime;
        await sleep(4000);
        cut(); await seek(10); from = v.currentTime;        // skip ahead
        await sleep(3000);
        v.pause(); cut();
        await sleep(1000);
        await v.play(); from = v.currentTime;
        await sleep(2000);
        cut(); await seek(2); from = v.currentTime;         // rewind: seconds 2-4 again
        await sleep(3000);
        v.playbackRate = 2;                                 // the rest at double speed
        await sleep(2000);
        cut(); await seek(17); from = v.currentTime;
        await new Promise((r) => v.addEventListener('ended', r, { once: true }));
        stretches.push([from, v.duration]);
        window.scrollTo(0, document.body.scrollHeight);
        return { stretches, duration: v.duration };
      })()`)) as { stretches: [number, number][]; duration: number };
      await flushed(page);
      report.videoStretches = played.stretches.map(([a, b]) => [+a.toFixed(2), +b.toFixed(2)]);

      const viewer = (await api.get('/courses/c1/videos/v1/viewers/viewer')).json() as Json;
      const curve = (await api.get('/courses/c1/videos/v1/analytics?resolution=full')).json() as Json;
      const want = covered(played.stretches);
      report.video = {
        expectedSec: want.seconds.size,
        watchedSec: viewer.watchedSec,
        playedSec: viewer.playedSec,
      };
      const beats = await t.server.db.query<{ at: string; data: Json }>(
        "SELECT occurred_at::text AS at, data FROM events WHERE user_id = 'viewer' AND type = 'video_heartbeat' ORDER BY occurred_at, id",
      );
      report.videoHeartbeats = beats.length;
      const context = JSON.stringify({ video: report.video, beats });
      assert.ok(Math.abs(viewer.watchedSec - want.seconds.size) <= 1, context);
      assert.equal(beats.filter((b) => b.data.ended).length, 1, `one heartbeat says ended: ${context}`);
      assert.ok(beats.at(-1)!.data.ended, 'and it is the last');
      assert.ok(Math.abs(viewer.playedSec - want.plays) <= 1, `plays ${viewer.playedSec} vs ${want.plays}`);
      assert.equal(viewer.clippedSec, 0, 'nothing claimed beyond what the clock allows');
      assert.equal(viewer.completed, want.seconds.size * 100 >= 90 * Math.ceil(played.duration - 0.5));
      assert.equal(viewer.sessions.length, 1);
      assert.equal(viewer.sessions[0].ended, true);
      // Retention of this (only) viewer, second by second: 1 where watched, 0 elsewhere — and
      // every second where it differs from what was played lies within a second of an edge.
      const edges = played.stretches.flat();
      const retained = new Set<number>(
        curve.curve.points.filter((p: Json) => p.retention === 1).map((p: Json) => p.startSec),
      );
      for (let s = 0; s < Math.ceil(played.duration - 0.5); s++) {
        if (retained.has(s) !== want.seconds.has(s)) {
          assert.ok(
            edges.some((e) => Math.abs(e - (s + 0.5)) <= 1),
            `second ${s}: retention ${retained.has(s) ? 1 : 0}, played ${want.seconds.has(s)}`,
          );
        }
      }
      for (const [a, b] of viewer.watchedRanges as [number, number][]) {
        assert.ok(
          edges.some((e) => Math.abs(e - a) <= 1) && edges.some((e) => Math.abs(e - b) <= 1),
          `watched range ${a}-${b} has edges where the video was seeked, paused or ended`,
        );
      }
      const scroll = [...(await logged('viewer')).values()].filter((r) => r.type === 'scroll_depth');
      assert.equal(scroll.length, 0, 'scroll depth is sent when the page is hidden, not before');
      await page.close({ runBeforeUnload: true });
      await until('the scroll depth sent on close', async () =>
        [...(await logged('viewer')).values()].some((r) => r.type === 'scroll_depth'),
      );
      const depth = await t.server.db.query<{ value: number }>(
        "SELECT value FROM events WHERE user_id = 'viewer' AND type = 'scroll_depth'",
      );
      assert.equal(depth[0]?.value, 100);
      assert.deepEqual(dropped, []);
      await ctx.close();
    });

    it('events made while the endpoint is cut, across a reload, all arrive exactly once when it is back', async () => {
      const { page, ctx, dropped } = await openLesson('offline');
      await flushed(page); // the course_visit
      relay.setCut(true);
      await page.evaluate(`(() => {
        for (let i = 0; i < 20; i++) learnpulse.track('x-offline', { value: i });
        learnpulse.track('lesson_complete', { itemId: 'l1' });
        learnpulse.track('quiz_submit', { itemId: 'l1', data: { attemptId: 'a1', score: 3, maxScore: 4 } });
      })()`);
      await sleep(2500); // a send at once (important events), then retries with backoff
      await page.reload();
      await page.waitForFunction('window.learnpulse && learnpulse.pending() > 0');
      await page.evaluate(
        `(() => { for (let i = 0; i < 5; i++) learnpulse.track('x-after-reload', { value: i }); })()`,
      );
      await sleep(1500);
      const made = await madeBy(page);
      const during = await logged('offline');
      const blocked = relay.refused;
      assert.ok(
        blocked >= 3,
        `${blocked} connections refused: tried, retried, and tried again after the reload`,
      );
      assert.ok(
        made.every((e) => e.type === 'course_visit' || !during.has(e.id)),
        'nothing arrived while cut',
      );
      assert.equal(await pending(page), made.length - 1, 'the reloaded page holds every unsent event');

      relay.setCut(false);
      await until('every event to arrive', async () => (await logged('offline')).size >= made.length);
      await flushed(page);
      const all = await madeBy(page); // the same, plus any heartbeat made since
      const log = await logged('offline');
      assert.deepEqual([...log.keys()].sort(), all.map((e) => e.id).sort(), 'every event made, and no other');
      assert.ok(
        [...log.values()].every((r) => r.n === 1),
        'each exactly once',
      );
      assert.equal(all.filter((e) => e.type === 'course_visit').length, 1, 'a reload is not a new visit');
      report.offline = { events: all.length, blockedRequests: blocked };
      assert.deepEqual(dropped, []);
      await ctx.close();
    });

    it('closing the page sends its buffer (keepalive), with the time on task and scroll depth of its last moments', async () => {
      const { page, ctx } = await openLesson('closer');
      await flushed(page);
      await page.mouse.move(50, 50);
      await page.mouse.wheel(0, 800);
      await sleep(1500);
      const ids = (await page.evaluate(`(() => {
        const ids = [];
        for (let i = 0; i < 6; i++) ids.push(learnpulse.track('x-before-close', { value: i }));
        return ids;
      })()`)) as string[];
      assert.equal(await pending(page), 6, 'still buffered: no size, time or importance trigger yet');
      await page.close({ runBeforeUnload: true });
      await until(
        'the closed page’s events',
        async () => {
          const log = await logged('closer');
          return ids.every((id) => log.has(id)) && [...log.values()].some((r) => r.type === 'scroll_depth');
        },
        10_000,
      );
      const rows = await t.server.db.query<{ type: string; value: number | null; active: number | null }>(
        "SELECT type, value, (data->>'activeSec')::int AS active FROM events WHERE user_id = 'closer' AND type IN ('heartbeat', 'scroll_depth')",
      );
      const beat = rows.find((r) => r.type === 'heartbeat');
      assert.ok(beat && beat.active! >= 1 && beat.active! <= 5, `time on task ${beat?.active} s`);
      const depth = rows.find((r) => r.type === 'scroll_depth')!;
      assert.ok(depth.value! > 20 && depth.value! < 100, `scroll depth ${depth.value}`);
      await ctx.close();
    });
  });
}
