// The video engine end to end, on both engines: analytics, date ranges, watch sessions, forged
// heartbeats, the heartbeat endpoint's errors, the course's video list, catalog changes and replay.
// Expected figures come from hand-worked cases or from the brute-force oracle below, written from
// the engine's rules (one boolean per viewer per second, one play count per second) with nothing
// borrowed from src/domain/video, src/analytics or src/store.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { replay } from '../src/projections/replay.js';
import { PROJECTIONS } from '../src/projections/registry.js';
import { apiClient, count, type Reply, startTestApp, type TestApp } from './support/app.js';
import { forEachEngine } from './support/engines.js';
import { shuffled } from './support/shuffle.js';
import { prng, projectionSnapshot } from './support/spawn-server.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field
type Json = Record<string, any>;

const SEED = 20_260_501;
const NOW = '2026-05-10T12:00:00.000Z';
const MIN = 60_000;
const DAY = 86_400_000;
const COURSE = 'vc';
const MAIN = 'vc-main';
const MAIN_D = 300;
const VIEWERS = 40;

// ---------- the oracle ----------

interface Hb {
  id: string;
  userId: string;
  at: number;
  pos: number;
  dur: number;
  segs?: [number, number][];
  rate?: number;
  ended?: boolean;
}

interface OSession {
  startAt: number;
  watched: boolean[];
  plays: number[];
  maxPos: number;
}

interface OViewer {
  userId: string;
  sessions: OSession[];
  unique: number;
  completedAt: number | null;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** One learner's viewing by the rules, second by second. */
function oracleViewer(userId: string, heartbeats: Hb[], D: number, threshold: number): OViewer {
  const hbs = [...heartbeats].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const L = Math.ceil(D);
  const all = new Array<boolean>(L).fill(false);
  const sessions: OSession[] = [];
  let completedAt: number | null = null;
  let prev: Hb | undefined;
  let lastEnd: number | null = null;
  for (const h of hbs) {
    const fresh = prev === undefined || h.at - prev.at >= 30 * MIN;
    if (fresh) {
      sessions.push({
        startAt: h.at,
        watched: new Array<boolean>(L).fill(false),
        plays: new Array<number>(L).fill(0),
        maxPos: 0,
      });
      lastEnd = null;
    }
    const s = sessions[sessions.length - 1]!;
    const elapsed = fresh ? 60 : (h.at - prev!.at) / 1000;
    let allowance = (h.rate ?? 1) * elapsed + 2;
    const pos = Math.min(h.pos, D);
    let claimed: [number, number][] = [];
    if (h.segs) {
      claimed = h.segs.map(([a, b]) => [Math.min(a, D), Math.min(b, D)]);
    } else if (!fresh && h.at - prev!.at <= MIN) {
      const prevPos = Math.min(prev!.pos, D);
      if (pos > prevPos && pos - prevPos <= allowance) claimed = [[prevPos, pos]];
    }
    s.maxPos = Math.max(s.maxPos, pos);
    for (const [a, b] of claimed) {
      const end = Math.min(b, a + allowance);
      if (end <= a) continue;
      allowance -= end - a;
      const start = lastEnd !== null && a >= lastEnd && a - lastEnd < 1 ? lastEnd : a;
      lastEnd = end;
      s.maxPos = Math.max(s.maxPos, end);
      for (let t = 0; t < L; t++) {
        if (start <= t + 0.5 && t + 0.5 < end) {
          s.watched[t] = true;
          s.plays[t]!++;
          all[t] = true;
        }
      }
    }
    const unique = all.filter(Boolean).length;
    if (completedAt === null && unique * 100 >= threshold * D) completedAt = h.at;
    prev = h;
  }
  return { userId, sessions, unique: all.filter(Boolean).length, completedAt };
}

interface Judged {
  views: number;
  watched: boolean[];
  plays: number[];
  unique: number;
  completed: boolean;
  stop: number;
}

/** A viewer judged on some of their sessions only; undefined when none is kept. */
function judge(v: OViewer, keep: (s: OSession) => boolean, D: number, threshold: number): Judged | undefined {
  const ss = v.sessions.filter(keep);
  if (ss.length === 0) return undefined;
  const L = Math.ceil(D);
  const watched = range(L).map((t) => ss.some((s) => s.watched[t]));
  const plays = range(L).map((t) => sum(ss.map((s) => s.plays[t]!)));
  const unique = watched.filter(Boolean).length;
  return {
    views: ss.length,
    watched,
    plays,
    unique,
    completed: unique * 100 >= threshold * D,
    stop: Math.floor(Math.max(...ss.map((s) => s.maxPos))),
  };
}

function oracleReport(judged: Judged[], D: number) {
  const n = judged.length;
  const L = Math.ceil(D);
  const div = (a: number, b: number) => (b > 0 ? a / b : 0);
  const stops = judged.map((j) => j.stop).sort((a, b) => a - b);
  const medianStopSec =
    n === 0 ? null : n % 2 === 1 ? stops[(n - 1) / 2]! : (stops[n / 2 - 1]! + stops[n / 2]!) / 2;
  const completions = judged.filter((j) => j.completed).length;
  const replays = judged.filter((j) => j.views >= 2).length;
  return {
    viewers: n,
    uniqueViewers: judged.filter((j) => j.unique > 0).length,
    views: sum(judged.map((j) => j.views)),
    totalWatchTimeSec: sum(judged.map((j) => sum(j.plays))),
    uniqueWatchTimeSec: sum(judged.map((j) => j.unique)),
    averagePercentViewed: div(
      sum(judged.map((j) => Math.round(Math.min(100, (j.unique / D) * 100) * 100) / 100)),
      n,
    ),
    completions,
    completionRate: div(completions, n),
    replays,
    replayRate: div(replays, n),
    medianStopSec,
    points: range(L).map((t) => {
      const exits = judged.filter((j) => j.stop === t || (t === L - 1 && j.stop >= L)).length;
      return {
        startSec: t,
        endSec: t + 1,
        retention: div(judged.filter((j) => j.watched[t]).length, n),
        rewatch: div(sum(judged.map((j) => j.plays[t]!)), n),
        exits,
        hazard: div(exits, judged.filter((j) => j.stop >= t).length),
      };
    }),
  };
}

const EXACT = [
  'viewers',
  'uniqueViewers',
  'views',
  'totalWatchTimeSec',
  'uniqueWatchTimeSec',
  'completions',
  'replays',
  'medianStopSec',
] as const;
const DIVIDED = ['averagePercentViewed', 'completionRate', 'replayRate'] as const;
const close = (a: unknown, b: number) => typeof a === 'number' && Math.abs(a - b) <= 1e-9;

/** Every figure and every curve point of an analytics answer against the oracle's. */
function assertReport(actual: Json, expected: ReturnType<typeof oracleReport>, label: string) {
  const diffs: string[] = [];
  for (const k of EXACT) if (actual[k] !== expected[k]) diffs.push(`${k}: ${actual[k]} ≠ ${expected[k]}`);
  for (const k of DIVIDED)
    if (!close(actual[k], expected[k])) diffs.push(`${k}: ${actual[k]} ≠ ${expected[k]}`);
  const points = actual.curve.points as Json[];
  if (actual.curve.resolutionSec !== 1) diffs.push(`resolutionSec ${actual.curve.resolutionSec}`);
  if (points.length !== expected.points.length)
    diffs.push(`curve length ${points.length} ≠ ${expected.points.length}`);
  expected.points.forEach((e, t) => {
    const p = points[t] ?? {};
    if (p.startSec !== e.startSec || p.endSec !== e.endSec || p.exits !== e.exits)
      diffs.push(`t=${t} span/exits ${JSON.stringify([p.startSec, p.endSec, p.exits])} ≠ ${e.exits}`);
    for (const k of ['retention', 'rewatch', 'hazard'] as const)
      if (!close(p[k], e[k])) diffs.push(`t=${t} ${k}: ${p[k]} ≠ ${e[k]}`);
  });
  assert.deepEqual(diffs.slice(0, 15), [], `${label}: ${diffs.length} differences`);
}

// ---------- random honest viewing ----------

const rand = prng(SEED);
const chance = (p: number) => rand() < p;
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
/** Quarter seconds keep every sum exact in binary floating point: no rounding can tell two codes apart. */
const quarter = (x: number) => Math.floor(x * 4) / 4;

/** One watch session of a player that sends its played segments. */
function segmentSession(
  userId: string,
  start: number,
  startPos: number,
  target: number,
  rate: number,
  overrun: boolean,
  diligent: boolean,
  out: Hb[],
): { end: number; pos: number } {
  let w = start;
  let p = startPos;
  for (let n = 0; n < 70 && p < target; n++) {
    let E = int(8, 12);
    if (chance(0.03)) E = int(61, 400); // paused a while
    if (chance(0.01)) E = int(25 * 60, 29 * 60); // a long pause, still the same session
    w += E * 1000;
    // Honest: no more than the wall clock allowed (a paused player played at most 12 s of the gap);
    // now and then a sloppy player claims a few seconds more, which the allowance truncates.
    let budget = rate * Math.min(E, 12) + (chance(0.05) ? int(1, 8) : 0);
    const segs: [number, number][] = [];
    while (budget >= 0.25 && p < MAIN_D && p < target) {
      const r = rand();
      if (r < 0.07 && segs.length > 0) {
        // Overlapping, nested or duplicated segments inside one heartbeat.
        const [a, b] = pick(segs);
        const a2 = quarter(a + rand() * (b - a) * (chance(0.3) ? 0 : 0.5));
        const b2 = chance(0.3) ? b : quarter(a2 + rand() * (b - a2 + 3));
        const len = Math.min(budget, b2 - a2);
        if (len >= 0.25) {
          segs.push([a2, a2 + len]);
          budget -= len;
        }
        continue;
      }
      // A seek forward (a diligent viewer's skips only a few seconds), a rewind, a hiccup.
      if (r < 0.13) p = quarter(Math.min(MAIN_D - 1, p + (diligent ? 1 + rand() * 3 : 5 + rand() * 60)));
      else if (r < 0.19) p = quarter(Math.max(0, p - 5 - rand() * 30));
      else if (r < 0.27) p = Math.min(MAIN_D - 1, p + pick([0.25, 0.5, 0.75, 1, 1.25])); // a hiccup
      const len = quarter(Math.min(budget, MAIN_D - p, 0.25 + rand() * budget * 1.5));
      if (len <= 0) break;
      segs.push([p, p + len]);
      p += len;
      budget -= len;
    }
    let pos = p;
    if (overrun && p >= MAIN_D && segs.length > 0) {
      // The player's idea of the end runs past the catalog's duration.
      segs[segs.length - 1]![1] += 0.5;
      pos = MAIN_D + 0.5;
    }
    if (!diligent && chance(0.04)) {
      p = quarter(rand() * MAIN_D); // a seek after playing: the position moves, nothing played
      pos = p;
    }
    out.push({
      id: randomUUID(),
      userId,
      at: w,
      pos,
      dur: overrun ? MAIN_D + 0.5 : MAIN_D,
      segs,
      ...(rate !== 1 || chance(0.2) ? { rate } : {}),
      ...(p >= MAIN_D ? { ended: true } : {}),
    });
  }
  return { end: w, pos: p };
}

/** One watch session of a player that reports its position only. */
function positionSession(
  userId: string,
  start: number,
  startPos: number,
  target: number,
  rate: number,
  out: Hb[],
): { end: number; pos: number } {
  let w = start;
  let p = startPos;
  for (let n = 0; n < 70 && p < target; n++) {
    const paused = chance(0.05);
    const E = paused ? int(61, 200) : int(8, 12);
    w += E * 1000;
    const r = rand();
    if (r < 0.08)
      p = quarter(Math.min(MAIN_D, p + 40 + rand() * 60)); // a seek: nothing played
    else if (r < 0.14)
      p = quarter(Math.max(0, p - 10 - rand() * 40)); // a rewind: nothing played
    else if (r < 0.18)
      p = Math.min(MAIN_D, p + rate * E + pick([1.75, 2, 2.25])); // at the allowance's edge
    else p = Math.min(MAIN_D, p + quarter(rate * Math.min(E, 12) * (0.5 + rand() / 2)));
    out.push({
      id: randomUUID(),
      userId,
      at: w,
      pos: p,
      dur: MAIN_D,
      ...(rate !== 1 ? { rate } : {}),
      ...(p >= MAIN_D ? { ended: true } : {}),
    });
  }
  return { end: w, pos: p };
}

const DAY0 = Date.parse('2026-05-01T00:00:00Z');
const DAYS = ['2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04', '2026-05-05'];

/** Every viewer's heartbeats: 1–3 sessions ≥ 31 min apart, on one or several UTC days. */
function world(): Map<string, Hb[]> {
  const out = new Map<string, Hb[]>();
  for (let i = 0; i < VIEWERS; i++) {
    const userId = `vc-u${String(i).padStart(2, '0')}`;
    const hbs: Hb[] = [];
    if (i >= VIEWERS - 2) {
      // Opened the player and left: one heartbeat, nothing played (no segments, or an empty list).
      const at = DAY0 + DAY + int(6 * 3600, 21 * 3600) * 1000;
      hbs.push({
        id: randomUUID(),
        userId,
        at,
        pos: i % 2 === 0 ? 0 : 4,
        dur: MAIN_D,
        ...(i % 2 === 0 ? { segs: [] } : {}),
      });
      out.set(userId, hbs);
      continue;
    }
    const positionOnly = i % 7 === 3;
    const rate = chance(0.2) ? pick([1.5, 2]) : 1;
    const overrun = chance(0.15);
    const diligent = chance(0.4);
    const sessions = chance(0.55) ? 1 : chance(0.65) ? 2 : 3;
    // Some sessions start minutes before midnight and run into the next UTC day.
    let start =
      DAY0 +
      int(0, 2) * DAY +
      (chance(0.2) ? (23 * 60 + int(48, 58)) * MIN : int(6 * 3600, 21 * 3600) * 1000);
    let pos = 0;
    for (let k = 0; k < sessions; k++) {
      const from = k === 0 ? 0 : pick([0, pos, quarter(rand() * 250)]);
      const target = diligent || chance(0.3) ? MAIN_D : Math.min(MAIN_D, from + int(5, 200));
      const r = positionOnly
        ? positionSession(userId, start, from, target, rate, hbs)
        : segmentSession(userId, start, from, target, rate, overrun, diligent, hbs);
      pos = r.pos >= MAIN_D ? 0 : r.pos;
      const gap = pick([
        31 * MIN + int(0, 600) * 1000,
        2 * 3600_000,
        DAY - int(0, 4 * 3600) * 1000,
        DAY + 3600_000,
      ]);
      start = Math.min(r.end + gap, DAY0 + 5 * DAY - 2 * 3600_000);
      if (start - r.end < 31 * MIN) break; // out of days
    }
    out.set(userId, hbs);
  }
  return out;
}

const wire = (h: Hb, itemId = MAIN) => ({
  id: h.id,
  type: 'video_heartbeat',
  userId: h.userId,
  courseId: COURSE,
  itemId,
  occurredAt: new Date(h.at).toISOString(),
  data: {
    positionSec: h.pos,
    durationSec: h.dur,
    ...(h.segs ? { segments: h.segs } : {}),
    ...(h.rate !== undefined ? { playbackRate: h.rate } : {}),
    ...(h.ended ? { ended: true } : {}),
  },
});

/** The world and how it is sent (shuffled, 10 % twice, random batch sizes): the same on both engines. */
const VIEWINGS = world();
const EVENTS = [...VIEWINGS.values()].flat().map((h) => wire(h));
const RESENT = EVENTS.filter(() => chance(0.1));
const SENT = shuffled([...EVENTS, ...RESENT], SEED);
const BATCHES: number[] = [];
for (let i = 0; i < SENT.length; ) {
  const n = pick([1, 3, 17, 60, 150, 300]);
  BATCHES.push(n);
  i += n;
}

const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);
const inRange = (from?: string, to?: string) => (s: OSession) => {
  const d = dayOf(s.startAt);
  return (from === undefined || d >= from) && (to === undefined || d <= to);
};

forEachEngine((engine) => {
  describe('video engine', () => {
    let t: TestApp;
    const api = apiClient(() => t);
    const ok = async (reply: Promise<Reply>, status = 200): Promise<Json> => {
      const r = await reply;
      assert.equal(r.statusCode, status, r.body);
      return r.json() as Json;
    };
    const viewings = VIEWINGS;
    const users = [...viewings.keys()];
    const teacher = () => t.token(`${COURSE}-teacher`, 'instructor');
    const analytics = async (itemId: string, query = 'resolution=full') =>
      ok(api.get(`/courses/${COURSE}/videos/${itemId}/analytics?${query}`, await teacher()));
    const progressItem = async (userId: string, itemId: string) => {
      const p = await ok(api.get(`/me/courses/${COURSE}/progress`, await t.token(userId)));
      return (p.items as Json[]).find((i) => i.itemId === itemId)!;
    };
    const oracle = (D: number, threshold: number) =>
      users.map((u) => oracleViewer(u, viewings.get(u)!, D, threshold));
    const reportOf = (vs: OViewer[], D: number, threshold: number, from?: string, to?: string) =>
      oracleReport(
        vs.map((v) => judge(v, inRange(from, to), D, threshold)).filter((j) => j !== undefined),
        D,
      );
    /** Each learner's own item progress: the oracle's watched % and completion (and when). */
    async function assertProgress(vs: OViewer[], D: number) {
      const diffs: string[] = [];
      for (const v of vs) {
        const item = await progressItem(v.userId, MAIN);
        const pct = Math.min(100, (v.unique / D) * 100);
        const status = v.completedAt !== null ? 'completed' : 'in_progress';
        const completedAt = v.completedAt === null ? null : new Date(v.completedAt).toISOString();
        if (!close(item.progressPercent, pct))
          diffs.push(`${v.userId} percent ${item.progressPercent} ≠ ${pct}`);
        if (item.status !== status) diffs.push(`${v.userId} status ${item.status} ≠ ${status}`);
        if (item.completedAt !== completedAt)
          diffs.push(`${v.userId} completedAt ${item.completedAt} ≠ ${completedAt}`);
      }
      assert.deepEqual(diffs, []);
    }

    before(async () => {
      t = await startTestApp(engine, {}, { now: () => new Date(NOW) });
      await ok(
        api.put(`/courses/${COURSE}`, { title: 'Video course', instructorIds: [`${COURSE}-teacher`] }),
      );
      await ok(
        api.put(`/courses/${COURSE}/items`, {
          items: [
            { id: 'vc-lesson', type: 'lesson', title: 'Lesson', position: 1 },
            { id: MAIN, type: 'video', title: 'Main', position: 2, durationSec: MAIN_D },
            { id: 'vc-s29', type: 'video', title: '29', position: 3, durationSec: 120 },
            { id: 'vc-s31', type: 'video', title: '31', position: 4, durationSec: 120 },
            { id: 'vc-s29r', type: 'video', title: '29r', position: 5, durationSec: 120 },
            { id: 'vc-s31r', type: 'video', title: '31r', position: 6, durationSec: 120 },
            { id: 'vc-forged', type: 'video', title: 'Forged', position: 7, durationSec: 300 },
            { id: 'vc-err', type: 'video', title: 'Errors', position: 8, durationSec: 60 },
            { id: 'vc-nodur', type: 'video', title: 'No duration', position: 9 },
            { id: 'vc-edge', type: 'video', title: 'Edges', position: 10, durationSec: 40 },
            { id: 'vc-tie', type: 'video', title: 'Ties', position: 11, durationSec: 60 },
            { id: 'vc-long', type: 'video', title: 'Long', position: 12, durationSec: 1001 },
          ],
        }),
      );
      await ok(api.put('/courses/other', { title: 'Other', instructorIds: ['other-teacher'] }));
      await ok(
        api.put('/courses/other/items', {
          items: [{ id: 'other-v', type: 'video', title: 'Other', durationSec: 60 }],
        }),
      );
      const learners = [...users, 'vc-a', 'vc-b', 'vc-c', 'vc-d', 'vc-e', 'vc-f', 'vc-g', 'vc-h'];
      await ok(api.put('/users', { items: learners.map((id) => ({ id, displayName: id })) }));
      await ok(api.put(`/courses/${COURSE}/enrollments`, { items: learners.map((userId) => ({ userId })) }));

      // The main video's heartbeats, shuffled, 10 % sent twice, in batches of random sizes.
      let accepted = 0;
      let duplicates = 0;
      let i = 0;
      for (const n of BATCHES) {
        const r = await ok(api.post('/events', { events: SENT.slice(i, i + n) }));
        assert.deepEqual(r.rejected, []);
        accepted += r.accepted;
        duplicates += r.duplicates;
        i += n;
      }
      assert.deepEqual([accepted, duplicates], [EVENTS.length, RESENT.length]);
    });
    after(() => t?.close());

    it('matches the brute-force oracle: every figure, every curve point, and each learner’s progress', async () => {
      const vs = oracle(MAIN_D, 90);
      const expected = reportOf(vs, MAIN_D, 90);
      // The world exercises what it should: replays, completions, quitters, unplayed viewers.
      assert.ok(expected.replays >= 5 && expected.completions >= 5, JSON.stringify(expected.replays));
      assert.ok(expected.completions < VIEWERS - 5 && expected.uniqueViewers === VIEWERS - 2);
      const a = await analytics(MAIN);
      assert.deepEqual(
        [a.id, a.durationSec, a.completionThreshold, a.from, a.to],
        [MAIN, MAIN_D, 90, null, null],
      );
      assertReport(a, expected, 'all time');
      // The auto resolution of a 300 s video is one point per second too.
      assertReport(await analytics(MAIN, 'resolution=auto'), expected, 'auto');
      await assertProgress(vs, MAIN_D);
    });

    it('restricts every figure to the sessions that started in a date range, each viewer counted once', async () => {
      const vs = oracle(MAIN_D, 90);
      const multiDay = vs.filter((v) => new Set(v.sessions.map((s) => dayOf(s.startAt))).size > 1);
      assert.ok(multiDay.length >= 4, `${multiDay.length} viewers on several days`);
      const ranges: [string | undefined, string | undefined][] = [
        [DAYS[1], DAYS[1]],
        [DAYS[0], DAYS[0]],
        [DAYS[0], DAYS[1]],
        [DAYS[1], DAYS[2]],
        [DAYS[1], undefined],
        [undefined, DAYS[1]],
        [DAYS[0], DAYS[4]],
        ['2026-06-01', '2026-06-30'],
      ];
      for (const [from, to] of ranges) {
        const q = [from && `from=${from}`, to && `to=${to}`, 'resolution=full'].filter(Boolean).join('&');
        const a = await analytics(MAIN, q);
        assert.deepEqual([a.from, a.to], [from ?? null, to ?? null]);
        assertReport(a, reportOf(vs, MAIN_D, 90, from, to), q);
      }
      const twoDays = reportOf(vs, MAIN_D, 90, DAYS[0], DAYS[1]);
      const split = [reportOf(vs, MAIN_D, 90, DAYS[0], DAYS[0]), reportOf(vs, MAIN_D, 90, DAYS[1], DAYS[1])];
      assert.ok(twoDays.viewers < split[0]!.viewers + split[1]!.viewers, 'some viewer watched on both days');
      const bad = await api.get(
        `/courses/${COURSE}/videos/${MAIN}/analytics?from=2026-05-03&to=2026-05-02`,
        await teacher(),
      );
      assert.equal(bad.statusCode, 400);
    });

    it('starts a new watch session after 30 minutes, whatever order the heartbeats come in', async () => {
      const T0 = Date.parse('2026-05-06T10:00:00Z');
      const beats = (gapMin: number) => [
        { at: T0, positionSec: 10, segments: [[0, 10]] },
        { at: T0 + gapMin * MIN, positionSec: 15, segments: [[5, 15]] },
        { at: T0 + gapMin * MIN + 10_000, positionSec: 25, segments: [[15, 25]] },
      ];
      const post = async (itemId: string, userId: string, b: Json, eventId: string) =>
        ok(
          api.post(`/videos/${itemId}/heartbeat`, {
            userId,
            eventId,
            occurredAt: new Date(b.at).toISOString(),
            positionSec: b.positionSec,
            durationSec: 120,
            segments: b.segments,
          }),
        );
      const ids = () => [randomUUID(), randomUUID(), randomUUID()];
      const sessionsOf = async (itemId: string, userId: string, gap: number, order: number[]) => {
        const id = ids();
        const replies: Json[] = [];
        for (const k of order) replies.push(await post(itemId, userId, beats(gap)[k]!, id[k]!));
        return { id, replies: replies.map((r) => [r.sessionNumber, r.watchSessionId, r.duplicate]) };
      };

      const s29 = await sessionsOf('vc-s29', 'vc-a', 29, [0, 1, 2]);
      assert.deepEqual(s29.replies, [
        [1, s29.id[0], false],
        [1, s29.id[0], false],
        [1, s29.id[0], false],
      ]);
      const s31 = await sessionsOf('vc-s31', 'vc-b', 31, [0, 1, 2]);
      assert.deepEqual(s31.replies, [
        [1, s31.id[0], false],
        [2, s31.id[1], false],
        [2, s31.id[1], false],
      ]);
      const r29 = await sessionsOf('vc-s29r', 'vc-c', 29, [2, 1, 0]);
      assert.deepEqual(r29.replies, [
        [1, r29.id[2], false],
        [1, r29.id[1], false],
        [1, r29.id[0], false],
      ]);
      const r31 = await sessionsOf('vc-s31r', 'vc-d', 31, [2, 1, 0]);
      assert.deepEqual(r31.replies, [
        [1, r31.id[2], false],
        [1, r31.id[1], false],
        [1, r31.id[0], false],
      ]);
      // Resent now, the last heartbeat belongs to session 2, whose id is its first heartbeat's.
      const again = await post('vc-s31r', 'vc-d', beats(31)[2]!, r31.id[2]!);
      assert.deepEqual([again.sessionNumber, again.watchSessionId, again.duplicate], [2, r31.id[1], true]);

      // Hand-worked: [0,10] then [5,15] and [15,25]: 30 s played, 25 s unique, furthest position 25.
      const figures = (a: Json) => [
        a.viewers,
        a.views,
        a.replays,
        a.replayRate,
        a.totalWatchTimeSec,
        a.uniqueWatchTimeSec,
        a.medianStopSec,
      ];
      const one = await analytics('vc-s29');
      const two = await analytics('vc-s31');
      assert.deepEqual(figures(one), [1, 1, 0, 0, 30, 25, 25]);
      assert.deepEqual(figures(two), [1, 2, 1, 1, 30, 25, 25]);
      const strip = ({ id: _i, title: _t, position: _p, ...rest }: Json) => rest;
      assert.deepEqual(strip(await analytics('vc-s29r')), strip(one));
      assert.deepEqual(strip(await analytics('vc-s31r')), strip(two));
      // Seconds 5–9 were played twice, 10–14 once in each session.
      const rewatch = (one.curve.points as Json[]).slice(0, 26).map((p) => p.rewatch);
      assert.deepEqual(rewatch, [...Array(5).fill(1), ...Array(5).fill(2), ...Array(15).fill(1), 0]);
      assert.equal(two.curve.points[25].exits, 1);
    });

    it('counts a second by its midpoint, joins a gap under 1 s within a session only, and completes at exactly the threshold', async () => {
      const T = Date.parse('2026-05-06T14:00:00Z');
      const hb = (userId: string, sec: number, segments: number[][], positionSec: number) => ({
        id: randomUUID(),
        type: 'video_heartbeat',
        userId,
        courseId: COURSE,
        itemId: 'vc-edge',
        occurredAt: new Date(T + sec * 1000).toISOString(),
        data: { positionSec, durationSec: 40, segments },
      });
      // 40 s at 90 %: 36 seconds complete, 35 do not. [20, 35.5) covers seconds 20–34 (34.5 < 35.5),
      // [20, 35.4) too; [35.5, 36) covers second 35.
      const events = [
        // a: 0–35 watched at +30 s: completed then.
        hb('vc-a', 0, [[0, 20]], 20),
        hb('vc-a', 20, [[20, 35.5]], 35.5),
        hb('vc-a', 30, [[35.5, 36]], 36),
        // b: [35.75, 36) starts 0.25 s after the last end, so it is joined to [35.5, 36): second 35.
        hb('vc-b', 0, [[0, 20]], 20),
        hb('vc-b', 20, [[20, 35.5]], 35.5),
        hb('vc-b', 30, [[35.75, 36]], 36),
        // c: [36, 37) starts 1 s after the last end: not joined, second 35 stays unwatched (36 s).
        hb('vc-c', 0, [[0, 20]], 20),
        hb('vc-c', 20, [[20, 35]], 35),
        hb('vc-c', 30, [[36, 37]], 37),
        // d: 0–34, then [35.6, 36) in a new session 31 min later: no joining across sessions (35 s).
        hb('vc-d', 0, [[0, 20]], 20),
        hb('vc-d', 20, [[20, 35.4]], 35.4),
        hb('vc-d', 20 + 31 * 60, [[35.6, 36]], 36),
      ];
      const r = await ok(api.post('/events', { events: shuffled(events, 7) }));
      assert.equal(r.accepted, events.length);
      const a = await analytics('vc-edge');
      assert.deepEqual(
        [
          a.viewers,
          a.views,
          a.replays,
          a.completions,
          a.uniqueWatchTimeSec,
          a.totalWatchTimeSec,
          a.medianStopSec,
        ],
        [4, 5, 1, 3, 36 + 36 + 36 + 35, 36 + 36 + 36 + 35, 36],
      );
      const retention = (a.curve.points as Json[]).map((p) => p.retention * 4);
      assert.deepEqual(retention, [...Array(35).fill(4), 2, 1, ...Array(3).fill(0)]);
      for (const u of ['vc-a', 'vc-b', 'vc-c']) {
        const item = await progressItem(u, 'vc-edge');
        assert.deepEqual(
          [u, item.status, item.completedAt],
          [u, 'completed', new Date(T + 30_000).toISOString()],
        );
      }
      const d = await progressItem('vc-d', 'vc-edge');
      assert.deepEqual([d.status, d.progressPercent], ['in_progress', 87.5]);
    });

    it('reads heartbeats of the same instant in event id order', async () => {
      // Same time: the second by id may claim only the 2 s tolerance. Sent in the other order.
      const at = '2026-05-06T15:00:00.000Z';
      const beat = (id: string, segments: number[][], positionSec: number) => ({
        id,
        type: 'video_heartbeat',
        userId: 'vc-e',
        courseId: COURSE,
        itemId: 'vc-tie',
        occurredAt: at,
        data: { positionSec, durationSec: 60, segments },
      });
      await ok(
        api.post('/events', { events: [beat('00000000-0000-4000-8000-000000000002', [[30, 40]], 40)] }),
      );
      await ok(
        api.post('/events', { events: [beat('00000000-0000-4000-8000-000000000001', [[0, 30]], 30)] }),
      );
      const a = await analytics('vc-tie');
      // [0, 30) kept, then [30, 32) of [30, 40): 32 s; the furthest position is 40.
      assert.deepEqual(
        [a.views, a.uniqueWatchTimeSec, a.totalWatchTimeSec, a.medianStopSec],
        [1, 32, 32, 40],
      );
    });

    it('averages the curve over buckets of ceil(L / 500) seconds at the auto resolution', async () => {
      const beat = (userId: string, segment: number[], positionSec: number) => ({
        id: randomUUID(),
        type: 'video_heartbeat',
        userId,
        courseId: COURSE,
        itemId: 'vc-long',
        occurredAt: '2026-05-06T16:00:00.000Z',
        data: { positionSec, durationSec: 1001, segments: [segment] },
      });
      await ok(api.post('/events', { events: [beat('vc-g', [0, 10], 10), beat('vc-h', [995, 1001], 1001)] }));
      const a = await analytics('vc-long', 'resolution=auto');
      const points = a.curve.points as Json[];
      // 1001 s: buckets of 3 s, the last one [999, 1001) of 2 s; 2 viewers.
      assert.equal(a.curve.resolutionSec, 3);
      assert.equal(points.length, 334);
      const at = (start: number) => {
        const p = points.find((x) => x.startSec === start)!;
        return [p.endSec, p.retention, p.rewatch, p.exits, p.hazard];
      };
      assert.deepEqual(at(0), [3, 0.5, 0.5, 0, 0]);
      // g watched second 9 of [9, 12) and stopped at 10: 1 exit of the 2 viewers who got that far.
      assert.deepEqual(at(9), [12, 1 / 6, 1 / 6, 1, 0.5]);
      assert.deepEqual(at(993), [996, 1 / 6, 1 / 6, 0, 0]);
      assert.deepEqual(at(996), [999, 0.5, 0.5, 0, 0]);
      // h reached the end (stop 1001 ≥ L): its exit is in the last point, where it is the only one left.
      assert.deepEqual(at(999), [1001, 0.5, 0.5, 1, 1]);
      assert.equal(sum(points.map((p) => p.exits)), 2);
      assert.equal((await analytics('vc-long')).curve.points.length, 1001);
    });

    it('does not let a forged heartbeat claiming the whole video complete it', async () => {
      const T0 = Date.parse('2026-05-06T12:00:00Z');
      const forge = (at: number, segments: number[][]) =>
        ok(
          api.post('/videos/vc-forged/heartbeat', {
            userId: 'vc-e',
            occurredAt: new Date(at).toISOString(),
            positionSec: 300,
            durationSec: 300,
            segments,
            ended: true,
          }),
        );
      // A session's first heartbeat may claim 60 + 2 s: [0, 62] kept, 238 s clipped.
      const first = await forge(T0, [[0, 300]]);
      assert.deepEqual([first.completed, first.clippedSec, first.sessionNumber], [false, 238, 1]);
      assert.ok(close(first.watchedPercent, (62 / 300) * 100), String(first.watchedPercent));
      // Ten seconds later, 10 + 2 s more: [62, 74] kept, 226 s clipped (464 in the session).
      const second = await forge(T0 + 10_000, [[62, 300]]);
      assert.deepEqual([second.completed, second.clippedSec], [false, 464]);
      const a = await analytics('vc-forged');
      assert.deepEqual(
        [a.completions, a.completionRate, a.uniqueWatchTimeSec, a.totalWatchTimeSec, a.views],
        [0, 0, 74, 74, 1],
      );
      const item = await progressItem('vc-e', 'vc-forged');
      assert.equal(item.status, 'in_progress');
      assert.ok(close(item.progressPercent, (74 / 300) * 100), String(item.progressPercent));
    });

    it('refuses bad heartbeats and counts a resent one once', async () => {
      const body = (extra: Json = {}) => ({
        userId: 'vc-f',
        occurredAt: '2026-05-07T10:00:00Z',
        positionSec: 10,
        durationSec: 60,
        segments: [[0, 10]],
        ...extra,
      });
      const events = () => count(t, "SELECT count(*)::int AS n FROM events WHERE user_id = 'vc-f'");
      const error = async (url: string, payload: Json, status: number, auth?: string) => {
        const r = await api.post(url, payload, auth);
        assert.equal(r.statusCode, status, r.body);
        return (r.json() as Json).error;
      };
      assert.equal((await error('/videos/vc-nothing/heartbeat', body(), 404)).code, 'not_found');
      assert.equal((await error('/videos/vc-lesson/heartbeat', body(), 422)).code, 'not_a_video');
      for (const segments of [
        [[10, 5]],
        [
          [0, 5],
          [-1, 3],
        ],
      ]) {
        const e = await error('/videos/vc-err/heartbeat', body({ segments }), 400);
        assert.deepEqual([e.code, e.details?.code], ['validation_failed', 'invalid_segment']);
      }
      const other = await error('/videos/vc-err/heartbeat', body(), 403, await t.token('vc-g'));
      assert.equal(other.code, 'event_user_mismatch');
      assert.equal(await events(), 0);

      // Through the events endpoint a reversed segment is refused and nothing is stored.
      const reversed = await ok(
        api.post('/events', {
          events: [
            {
              id: randomUUID(),
              type: 'video_heartbeat',
              userId: 'vc-f',
              courseId: COURSE,
              itemId: 'vc-err',
              occurredAt: '2026-05-07T09:00:00Z',
              data: { positionSec: 10, durationSec: 60, segments: [[10, 5]] },
            },
          ],
        }),
      );
      assert.deepEqual(
        [reversed.accepted, reversed.rejected.map((x: Json) => [x.index, x.code])],
        [0, [[0, 'invalid_segment']]],
      );
      assert.equal(await events(), 0);
      assert.equal((await analytics('vc-err')).viewers, 0);

      // A learner's own heartbeat, then the same event id again.
      const eventId = randomUUID();
      const own = { ...body({ eventId }), userId: undefined };
      const token = await t.token('vc-f');
      const first = await ok(api.post('/videos/vc-err/heartbeat', own, token));
      const again = await ok(api.post('/videos/vc-err/heartbeat', own, token));
      assert.deepEqual([first.duplicate, again.duplicate], [false, true]);
      assert.deepEqual([again.watchSessionId, again.sessionNumber], [eventId, 1]);
      assert.equal(await events(), 1);
      const a = await analytics('vc-err');
      assert.deepEqual(
        [a.viewers, a.views, a.totalWatchTimeSec, a.uniqueWatchTimeSec, a.medianStopSec],
        [1, 1, 10, 10, 10],
      );
      const item = await progressItem('vc-f', 'vc-err');
      assert.ok(close(item.progressPercent, (10 / 60) * 100), String(item.progressPercent));
    });

    it("lists the course's videos with the analytics' headline figures, to its teachers only", async () => {
      // A video without a catalog duration: each learner's is what their own player reported.
      const nodur = (userId: string, durationSec: number) =>
        ok(
          api.post('/videos/vc-nodur/heartbeat', {
            userId,
            occurredAt: '2026-05-07T11:00:00Z',
            positionSec: 50,
            durationSec,
            segments: [[0, 50]],
          }),
        );
      await nodur('vc-g', 100);
      await nodur('vc-h', 200);
      assert.ok(close((await progressItem('vc-g', 'vc-nodur')).progressPercent, 50));
      assert.ok(close((await progressItem('vc-h', 'vc-nodur')).progressPercent, 25));
      const nd = await analytics('vc-nodur');
      assert.deepEqual([nd.viewers, nd.uniqueWatchTimeSec], [2, 100]);
      assert.ok(close(nd.averagePercentViewed, 37.5), String(nd.averagePercentViewed));

      const list = (await ok(api.get(`/courses/${COURSE}/videos`, await teacher()))).videos as Json[];
      assert.deepEqual(
        list.map((v) => v.id),
        [
          MAIN,
          'vc-s29',
          'vc-s31',
          'vc-s29r',
          'vc-s31r',
          'vc-forged',
          'vc-err',
          'vc-nodur',
          'vc-edge',
          'vc-tie',
          'vc-long',
        ],
      );
      const headline = [
        'id',
        'title',
        'position',
        'durationSec',
        'completionThreshold',
        'viewers',
        'uniqueViewers',
        'views',
        'totalWatchTimeSec',
        'uniqueWatchTimeSec',
        'averagePercentViewed',
        'completionRate',
        'replayRate',
        'medianStopSec',
      ];
      for (const v of list) {
        const a = await analytics(v.id, 'resolution=auto');
        assert.deepEqual(
          headline.map((k) => [k, v[k]]),
          headline.map((k) => [k, a[k]]),
        );
      }
      const main = list[0]!;
      const expected = reportOf(oracle(MAIN_D, 90), MAIN_D, 90);
      assert.deepEqual(
        [main.viewers, main.views, main.uniqueWatchTimeSec, main.medianStopSec],
        [expected.viewers, expected.views, expected.uniqueWatchTimeSec, expected.medianStopSec],
      );

      const stranger = await t.token('other-teacher', 'instructor');
      const learner = await t.token(users[0]!);
      for (const auth of [stranger, learner]) {
        assert.equal((await api.get(`/courses/${COURSE}/videos`, auth)).statusCode, 403);
        assert.equal((await api.get(`/courses/${COURSE}/videos/${MAIN}/analytics`, auth)).statusCode, 403);
      }
      for (const itemId of ['vc-nothing', 'other-v']) {
        const r = await api.get(`/courses/${COURSE}/videos/${itemId}/analytics`, await teacher());
        assert.equal(r.statusCode, 404, itemId);
        assert.equal((r.json() as Json).error.code, 'not_found');
      }
    });

    it('re-judges every viewer when the catalog changes the threshold or the duration', async () => {
      const put = (extra: Json) =>
        ok(
          api.put(`/courses/${COURSE}/items/${MAIN}`, {
            type: 'video',
            title: 'Main',
            position: 2,
            durationSec: MAIN_D,
            ...extra,
          }),
        );
      const before90 = reportOf(oracle(MAIN_D, 90), MAIN_D, 90);
      await put({ completionThreshold: 99 });
      const vs99 = oracle(MAIN_D, 99);
      const expected99 = reportOf(vs99, MAIN_D, 99);
      assert.ok(
        expected99.completions < before90.completions,
        'raising the threshold takes completions back',
      );
      const a99 = await analytics(MAIN);
      assert.equal(a99.completionThreshold, 99);
      assertReport(a99, expected99, 'threshold 99');
      assertReport(
        await analytics(MAIN, `from=${DAYS[1]}&to=${DAYS[2]}&resolution=full`),
        reportOf(vs99, MAIN_D, 99, DAYS[1], DAYS[2]),
        'threshold 99, two days',
      );
      await assertProgress(vs99, MAIN_D);

      // A shorter video: segments and positions are clipped to 240 s, the curve has 240 points.
      await put({ completionThreshold: 99, durationSec: 240 });
      const vs240 = oracle(240, 99);
      const a240 = await analytics(MAIN);
      assert.equal(a240.durationSec, 240);
      assertReport(a240, reportOf(vs240, 240, 99), 'duration 240');
      assertReport(
        await analytics(MAIN, `from=${DAYS[0]}&to=${DAYS[0]}&resolution=full`),
        reportOf(vs240, 240, 99, DAYS[0], DAYS[0]),
        'duration 240, one day',
      );
      await assertProgress(vs240, 240);

      // A duration for a video that had none: each viewer is measured against it (50 s of 80).
      await ok(
        api.put(`/courses/${COURSE}/items/vc-nodur`, {
          type: 'video',
          title: 'No duration',
          position: 9,
          durationSec: 80,
        }),
      );
      const nd = await analytics('vc-nodur');
      assert.deepEqual([nd.durationSec, nd.averagePercentViewed, nd.uniqueWatchTimeSec], [80, 62.5, 100]);
      assert.equal((await progressItem('vc-h', 'vc-nodur')).progressPercent, 62.5);

      // The course's threshold applies to videos without their own: 20 % of 40 s is 8 s.
      await ok(
        api.put(`/courses/${COURSE}`, {
          title: 'Video course',
          instructorIds: [`${COURSE}-teacher`],
          settings: { completionThreshold: 20 },
        }),
      );
      const s29 = await analytics('vc-s29');
      assert.deepEqual([s29.completionThreshold, s29.completions], [20, 1]);
      const item = await progressItem('vc-a', 'vc-s29');
      // 10 s, then 15 s, then 25 s of 120: 20 % (24 s) is reached at the third heartbeat.
      assert.deepEqual([item.status, item.completedAt], ['completed', '2026-05-06T10:29:10.000Z']);
      assert.equal((await analytics(MAIN)).completionThreshold, 99);
      assertReport(await analytics(MAIN), reportOf(vs240, 240, 99), 'duration 240, course threshold 20');
    });

    it('gives the same projections when replayed from the log', async () => {
      const db = t.server.db;
      const live = await projectionSnapshot(db);
      assert.ok(live.includes('video_sessions'));
      await replay(db, PROJECTIONS);
      assert.equal(await projectionSnapshot(db), live);
    });
  });
});
