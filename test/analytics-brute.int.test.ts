import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { prng } from '../src/demo/random.js';
import { replay } from '../src/projections/replay.js';
import { PROJECTIONS } from '../src/projections/registry.js';
import { apiClient, startTestApp, type TestApp } from './support/app.js';
import { forEachEngine } from './support/engines.js';

// Every figure of the progress and analytics answers, recomputed by brute force from the raw events
// and the catalog following docs/metrics.md, with nothing borrowed from src/domain, src/analytics or
// src/store: a shared helper would make a wrong definition agree with itself.

// Inside the 2027 DST changes of the US (Mar 14), EU (Mar 28) and New Zealand (Apr 4), and at an
// hour where Los Angeles is still on the previous day.
const NOW = new Date('2027-04-05T06:30:00.000Z');
const NOW_MS = NOW.getTime();
const DAY = 86_400_000;
const ZONES = ['UTC', 'Pacific/Auckland', 'America/Los_Angeles', 'Europe/Berlin'];

// ---------- the world: catalog and events from a fixed seed ----------

interface Item {
  id: string;
  courseId: string;
  type: string;
  title: string;
  position: number;
  durationSec?: number;
  completionThreshold?: number;
  requiredQuizId?: string;
}
interface Course {
  id: string;
  title: string;
  code: string | null;
  instructorIds: string[];
  settings: Record<string, unknown>;
  items: Item[];
}
interface User {
  id: string;
  displayName: string;
  timezone: string;
  inCatalog: boolean;
}
interface Enrollment {
  courseId: string;
  userId: string;
  role: string;
  active: boolean;
}
interface Ev {
  id: string;
  type: string;
  occurredAt: string;
  userId: string;
  courseId: string;
  itemId?: string;
  value?: number;
  data?: Record<string, unknown>;
  t: number; // occurredAt in ms; stripped before sending
}
/** `minGapMs`: the step comes at least this long after the one before (a heartbeat after its playing). */
type Step = Pick<Ev, 'type' | 'itemId' | 'value' | 'data'> & {
  echo?: Record<string, unknown>;
  minGapMs?: number;
};
type Profile = 'none' | 'inactive' | 'declining' | 'streak' | 'completer' | 'regular';

const rand = prng(20_270_405);
const chance = (p: number, r = rand) => r() < p;
const int = (lo: number, hi: number, r = rand) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(xs: readonly T[], r = rand): T => xs[Math.floor(r() * xs.length)]!;
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
const mean = (xs: number[]) => (xs.length === 0 ? 0 : sum(xs) / xs.length);
function shuffle<T>(xs: T[], r: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}
function uuid(): string {
  const h = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${pick([...'89ab'])}${h.slice(17, 20)}-${h.slice(20)}`;
}

const course = (
  id: string,
  title: string,
  code: string | null,
  settings: Record<string, unknown>,
  items: [string, string, number, Partial<Item>?][],
): Course => ({
  id,
  title,
  code,
  instructorIds: [`teacher-${id}`],
  settings,
  items: items.map(([itemId, type, position, extra]) => ({
    id: itemId,
    courseId: id,
    type,
    title: `${type} ${itemId}`,
    position,
    ...extra,
  })),
});
const COURSES: Course[] = [
  course('course-a', 'Data literacy', 'DL-101', {}, [
    ['a-intro', 'lesson', 1],
    ['a-video1', 'video', 2, { durationSec: 240, completionThreshold: 70 }],
    ['a-reading', 'page', 3],
    ['a-quiz', 'quiz', 4],
    ['a-lab', 'lesson', 5, { requiredQuizId: 'a-quiz' }],
    ['a-video2', 'video', 6, { durationSec: 150 }],
    ['a-notes', 'page', 7], // same position as a-essay: the id orders them
    ['a-essay', 'assignment', 7],
  ]),
  course(
    'course-b',
    'Statistics',
    null,
    {
      completionThreshold: 80,
      atRiskInactivityDays: 10,
      atRiskProgressGap: 25,
      engagementWeights: { visits: 20, timeOnTask: 20, videoWatched: 10, scrollDepth: 0 },
    },
    [
      ['b-lesson', 'lesson', 1],
      ['b-video', 'video', 2, { durationSec: 360 }],
      ['b-quiz', 'quiz', 3],
      ['b-page', 'page', 4],
    ],
  ),
  course('course-c', 'Seminar', 'SEM', {}, [
    ['c-lesson', 'lesson', 1],
    ['c-page', 'page', 2],
  ]),
];
const [A, B, C] = COURSES as [Course, Course, Course];
const ITEMS = new Map(COURSES.flatMap((c) => c.items.map((i) => [i.id, i] as const)));
const ordered = (c: Course) => [...c.items].sort((a, b) => a.position - b.position || cmp(a.id, b.id));
const settingsOf = (c: Course) => {
  const s = c.settings as Record<string, number | undefined>;
  return {
    threshold: s.completionThreshold ?? 90,
    inactivityDays: s.atRiskInactivityDays ?? 7,
    gap: s.atRiskProgressGap ?? 30,
    failed: s.atRiskFailedAttempts ?? 2,
    drop: s.atRiskActivityDrop ?? 50,
    weights: (c.settings.engagementWeights as Record<string, number> | undefined) ?? {
      visits: 40,
      timeOnTask: 30,
      videoWatched: 15,
      scrollDepth: 15,
    },
  };
};
const thresholdOf = (it: Item) =>
  it.completionThreshold ?? settingsOf(COURSES.find((c) => c.id === it.courseId)!).threshold;

function lessonSteps(it: Item, done: boolean): Step[] {
  const thr = thresholdOf(it);
  const progress = (value: number): Step => ({
    type: 'lesson_progress',
    itemId: it.id,
    value,
    ...(chance(0.7) ? { data: { positionSec: int(0, 1200) + pick([0, 0.25]) } } : {}),
  });
  const justBelow = Math.round(thr * 10 - 1) / 10; // 89.9 under a threshold of 90: not completed
  const steps: Step[] = [{ type: 'lesson_start', itemId: it.id }];
  for (let v = int(5, 30); v < thr - 10; v += int(15, 40)) steps.push(progress(v));
  if (!done) return [...steps, progress(chance(0.4) ? justBelow : int(0, thr - 1))];
  const r = rand();
  if (r < 0.35) steps.push(progress(thr));
  else if (r < 0.6) steps.push(progress(int(thr, 100)));
  else steps.push(...(chance(0.5) ? [progress(justBelow)] : []), { type: 'lesson_complete', itemId: it.id });
  if (chance(0.3)) steps.push(progress(int(0, 50))); // a later, lower value
  return steps;
}

function videoSteps(it: Item, done: boolean): Step[] {
  const dur = it.durationSec!;
  const mark = (dur * thresholdOf(it)) / 100;
  const full = done && chance(0.5);
  const stop = full
    ? dur - pick([0, 0.4])
    : done
      ? Math.min(dur, Math.ceil(mark) + int(1, 10))
      : int(0, mark - 2);
  const steps: Step[] = [];
  // Honest heartbeats: at most 60 s played each (what a session's first heartbeat may claim), each
  // sent no sooner than its playing took, so the video engine's wall-clock rule clips nothing.
  for (let pos = 0; pos < stop || steps.length === 0; ) {
    const rewind = chance(0.2) && pos > 10;
    const next = Math.min(stop, pos + int(20, rewind ? 50 : 60) + pick([0, 0.5, 0.0004]));
    const segments = rewind
      ? [
          [pos - 10, pos],
          [pos, next],
        ]
      : [[pos, next]];
    const ended = full && next >= stop ? { ended: true } : {};
    const rate = chance(0.1) ? { playbackRate: 1.5 } : {};
    const played = sum(segments.map(([a, b]) => b! - a!));
    steps.push({
      type: 'video_heartbeat',
      itemId: it.id,
      data: { positionSec: next, durationSec: dur, segments, ...ended, ...rate },
      minGapMs: Math.ceil(played) * 1000,
    });
    pos = next;
  }
  // A replay of the opening: progress keeps its maximum, the resume position moves back.
  if (chance(0.2))
    steps.push({
      type: 'video_heartbeat',
      itemId: it.id,
      data: { positionSec: 30, durationSec: dur, segments: [[0, 30]] },
      minGapMs: 30_000,
    });
  return steps;
}

function assessmentSteps(it: Item, done: boolean): Step[] {
  const type = it.type === 'quiz' ? 'quiz_submit' : 'assignment_submit';
  const plan = done
    ? pick([['pass'], ['fail', 'pass'], ['none', 'pass'], ['fail', 'fail', 'pass']])
    : pick([
        ['fail'],
        ['fail', 'fail'],
        ['fail', 'fail', 'fail'],
        ['none'],
        ['none', 'fail'],
        ['fail', 'none', 'fail'],
      ]);
  return plan.map((outcome) => {
    const maxScore = pick([10, 7]);
    const score =
      outcome === 'pass' ? int(Math.ceil(maxScore * 0.6), maxScore) : int(0, Math.floor(maxScore / 2));
    const data = {
      attemptId: `att-${uuid().slice(0, 13)}`,
      score,
      maxScore,
      ...(outcome === 'none' ? {} : { passed: outcome === 'pass' }),
      ...(chance(0.8) ? { timeSpentSec: int(30, 1500) } : {}),
    };
    // The same attempt resent later under another event id, claiming a pass: the first submission wins.
    return {
      type,
      itemId: it.id,
      data,
      ...(chance(0.15) ? { echo: { ...data, score: maxScore, passed: true } } : {}),
    };
  });
}

function script(it: Item, done: boolean): Step[] {
  if (it.type === 'video') return videoSteps(it, done);
  if (it.type === 'quiz' || it.type === 'assignment') return assessmentSteps(it, done);
  const scrolls: Step[] =
    it.type === 'page'
      ? [int(10, 40), int(40, 100)].map((value) => ({ type: 'scroll_depth', itemId: it.id, value }))
      : [];
  return [...scrolls, ...lessonSteps(it, done)];
}

function noise(c: Course): Step {
  const r = rand();
  if (r < 0.15)
    return { type: 'scroll_depth', itemId: pick(c.items).id, value: int(0, 99) + pick([0, 0.5, 0.333]) };
  const data = pick([
    { activeSec: 30 },
    { activeSec: 12.5 },
    { activeSec: 7.0004 },
    { activeSec: 7.0006 },
    { activeSec: 61.25 },
    {},
    undefined,
  ]);
  return { type: 'heartbeat', ...(r < 0.3 ? { itemId: pick(c.items).id } : {}), ...(data ? { data } : {}) };
}

/** Day offsets before NOW with activity, oldest first, shaped so that every at-risk rule fires for someone. */
function activeDays(p: Profile): number[] {
  const span = (lo: number, hi: number, prob: number) =>
    Array.from({ length: hi - lo + 1 }, (_, i) => lo + i).filter(() => chance(prob));
  const from = int(0, 1);
  const len = int(2, 12);
  const days: Record<Profile, () => number[]> = {
    none: () => [],
    inactive: () => [int(9, 39), ...span(9, 39, 0.25)],
    declining: () => [...span(14, 39, 0.2), ...span(7, 13, 0.9), ...span(0, 6, 0.12)],
    streak: () => [...span(from + len + 1, 39, 0.2), ...Array.from({ length: len }, (_, i) => from + i)],
    completer: () => span(0, 39, 0.35),
    regular: () => span(0, 39, 0.17),
  };
  return [...new Set(days[p]())].sort((a, b) => b - a);
}

// Gaps between steps; 29:59.999 stays in the session, 30:00 starts a new one, 0 ties timestamps.
const GAPS = [0, 15_000, 30_000, 45_000, 60_000, 90_000, 120_000, 240_000, 600_000, 1_799_999, 1_800_000];

function learnerEvents(userId: string, c: Course, profile: Profile): Ev[] {
  const out: Ev[] = [];
  const emit = (s: Step, t: number) => {
    if (t >= NOW_MS) return;
    const { echo, minGapMs: _, ...step } = s;
    const e: Ev = { id: uuid(), occurredAt: new Date(t).toISOString(), userId, courseId: c.id, ...step, t };
    out.push(e);
    const later = Math.min(t + int(1, 72) * 3_600_000, NOW_MS - 1000);
    if (echo && later > t)
      out.push({ ...e, id: uuid(), occurredAt: new Date(later).toISOString(), data: echo, t: later });
  };
  const reach = profile === 'completer' ? c.items.length : int(0, c.items.length);
  const queue = ordered(c).flatMap((it, i) =>
    i < reach ? script(it, true) : i === reach ? script(it, false) : [],
  );
  const focus = profile === 'completer' ? 0.8 : 0.5;
  let t = 0;
  for (const d of activeDays(profile)) {
    t = Math.max(t, NOW_MS - d * DAY - int(3 * 3600, 22 * 3600) * 1000 - int(0, 999));
    for (let s = chance(0.25) ? 2 : 1; s > 0; s--) {
      if (chance(0.85)) emit({ type: 'course_visit' }, t);
      for (let k = int(2, 8); k > 0; k--) {
        const step = queue.length > 0 && chance(focus) ? queue.shift()! : noise(c);
        t += Math.max(pick(GAPS), step.minGapMs ?? 0);
        emit(step, t);
      }
      t += pick([1_800_000, 7_200_000, 14_400_000]);
    }
  }
  const cert = { type: 'certification_issued', data: { certificateId: `cert-${c.id}-${userId}` } };
  if (profile === 'completer' && queue.length === 0 && chance(0.9)) emit(cert, Math.min(t, NOW_MS - 60_000));
  // Certificates are issued by the platform, not learning activity: this learner stays inactive.
  if (profile === 'inactive' && chance(0.3)) emit(cert, NOW_MS - int(1, 3) * DAY);
  return out;
}

const users = new Map<string, User>();
const enrollments: Enrollment[] = [];
const events: Ev[] = [];
const PROFILES: [number, Profile][] = [
  [0.05, 'none'],
  [0.2, 'inactive'],
  [0.32, 'declining'],
  [0.44, 'streak'],
  [0.62, 'completer'],
  [1, 'regular'],
];
// Names that need CSV quoting or Excel's formula guard.
const ODD_NAMES = ['=HYPERLINK("x")', 'Smith, "Jo"', '+plus', '-minus', '@at'];
function person(id: string, n: number, c: Course | null, role = 'student', active = true, profile?: Profile) {
  if (!users.has(id)) {
    const inCatalog = n % 20 !== 7; // the others stay in UTC, named by their id
    const displayName = inCatalog ? (ODD_NAMES[n] ?? `Learner ${n}`) : id;
    users.set(id, { id, displayName, timezone: inCatalog ? pick(ZONES) : 'UTC', inCatalog });
  }
  if (!c) return;
  if (role !== 'none') enrollments.push({ courseId: c.id, userId: id, role, active });
  const r = rand();
  const p = profile ?? PROFILES.find(([upTo]) => r < upTo)![1];
  events.push(...learnerEvents(id, c, p));
}
const pad = (n: number) => String(n).padStart(3, '0');
for (let n = 0; n < 300; n++) person(`a-${pad(n)}`, n, A);
for (let n = 0; n < 32; n++) person(`b-${pad(n)}`, n + 300, B);
for (let n = 10; n < 18; n++) person(`a-${pad(n)}`, n, B); // learners of both courses
for (let n = 20; n < 23; n++) person(`a-${pad(n)}`, n, C); // a course too small for averages
for (let n = 0; n < 6; n++) person(`stranger-${n}`, n + 400, A, 'none', true, 'regular');
for (let n = 0; n < 6; n++) person(`ended-${n}`, n + 410, A, 'student', false, 'regular');
person('ta-a', 420, A, 'ta', true, 'regular');
person('inst-a', 421, A, 'instructor', true, 'completer');
const STRANGER = 'stranger-0';
const ENDED = 'ended-0';

// ---------- brute force over the distinct events, following docs/metrics.md ----------

// Native types but certification_issued, which the platform issues: no learning activity.
const LEARNING = new Set([
  ...['course_visit', 'heartbeat', 'scroll_depth', 'lesson_start', 'lesson_progress', 'lesson_complete'],
  ...['video_heartbeat', 'quiz_submit', 'assignment_submit', 'live_join', 'live_leave', 'live_chat'],
  ...['live_reaction', 'live_feedback'],
]);
const isLearning = (e: Ev) => LEARNING.has(e.type);
const byTime = (a: Ev, b: Ev) => a.t - b.t || cmp(a.id, b.id);
const zoneOf = (userId: string) => users.get(userId)?.timezone ?? 'UTC';

const formats = new Map<string, Intl.DateTimeFormat>();
function localDay(t: number, zone: string): string {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    formats.set(zone, f);
  }
  return f.format(t);
}
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const daysEnding = (today: string, n: number) =>
  Array.from({ length: n }, (_, i) => addDays(today, i - n + 1));
const dayCache = new Map<Ev, string>();
function dayOf(e: Ev): string {
  let d = dayCache.get(e);
  if (d === undefined) {
    d = localDay(e.t, zoneOf(e.userId));
    dayCache.set(e, d);
  }
  return d;
}

/** Time on task of one event in whole milliseconds, as the definition rounds each event's share. */
function taskMs(e: Ev): number {
  if (e.type === 'heartbeat') return Math.round(((e.data?.activeSec as number | undefined) ?? 30) * 1000);
  if (e.type !== 'video_heartbeat') return 0;
  const segments = (e.data?.segments as [number, number][] | undefined) ?? [];
  return Math.round(sum(segments.map(([s, end]) => end - s)) * 1000);
}

/**
 * Progress after each event: a lesson's reported percent, or a video's seconds watched so far
 * (second k counts once a segment covers k + 0.5) over its duration.
 */
function percentsOf(it: Item, evs: Ev[], threshold: number): ({ pct: number; reached: boolean } | null)[] {
  const dur = it.durationSec ?? 0;
  const watched = new Array<boolean>(Math.ceil(dur)).fill(false);
  return evs.map((e) => {
    if (e.type === 'lesson_progress') return { pct: e.value!, reached: e.value! >= threshold };
    if (e.type !== 'video_heartbeat') return null;
    for (const [s, end] of (e.data?.segments as [number, number][]) ?? []) {
      for (let k = 0; k < watched.length; k++)
        if (s <= k + 0.5 && k + 0.5 < Math.min(end, dur)) watched[k] = true;
    }
    const seconds = watched.filter(Boolean).length;
    // Compared in whole numbers, as 90 % of 300 s is exactly 270 s.
    return { pct: Math.min(100, (seconds / dur) * 100), reached: seconds * 100 >= threshold * dur };
  });
}

interface Attempt {
  e: Ev;
  number: number;
  percent: number;
  passed: boolean | null;
}
/** Distinct attempts, numbered by first submission then attempt id; a resend keeps the first. */
function attemptsOf(evs: Ev[]): Attempt[] {
  const first = new Map<string, Ev>();
  for (const e of evs) {
    if (e.type !== 'quiz_submit' && e.type !== 'assignment_submit') continue;
    const id = e.data!.attemptId as string;
    if (!first.has(id)) first.set(id, e);
  }
  return [...first.values()]
    .sort((a, b) => a.t - b.t || cmp(a.data!.attemptId as string, b.data!.attemptId as string))
    .map((e, i) => ({
      e,
      number: i + 1,
      percent: ((e.data!.score as number) / (e.data!.maxScore as number)) * 100,
      passed: (e.data!.passed as boolean | undefined) ?? null,
    }));
}
const bestOf = (attempts: Attempt[]) =>
  attempts.reduce<Attempt | null>((b, a) => (b === null || a.percent > b.percent ? a : b), null);

/** The video engine's view of a learner's viewing (honest heartbeats: nothing clipped). */
function videoOf(it: Item, evs: Ev[]) {
  const beats = evs.filter((e) => e.type === 'video_heartbeat');
  if (beats.length === 0) return null;
  const dur = it.durationSec!;
  const watched = new Array<boolean>(dur).fill(false);
  let played = 0;
  let furthest = 0;
  let sessions = 0;
  let last = Number.NEGATIVE_INFINITY;
  for (const e of beats) {
    if (e.t - last >= 30 * 60_000) sessions++;
    last = e.t;
    furthest = Math.max(furthest, Math.min(dur, e.data!.positionSec as number));
    for (const [a, b] of e.data!.segments as [number, number][]) {
      furthest = Math.max(furthest, Math.min(dur, b));
      for (let k = 0; k < dur; k++) {
        if (a <= k + 0.5 && k + 0.5 < Math.min(b, dur)) {
          watched[k] = true;
          played++;
        }
      }
    }
  }
  const watchedSec = watched.filter(Boolean).length;
  return {
    watchedPercent: (watchedSec / dur) * 100,
    watchedSec,
    playedSec: played,
    watchSessions: sessions,
    maxPositionSec: furthest,
  };
}

type ItemState = ReturnType<typeof itemState>;
function itemState(it: Item, evs: Ev[]) {
  const threshold = thresholdOf(it);
  let progress = 0;
  let reached: number | null = null;
  let manual: number | null = null;
  let resume: number | null = null;
  let scroll: number | null = null;
  const percents = percentsOf(it, evs, threshold);
  for (const [i, e] of evs.entries()) {
    const p = percents[i]!;
    if (p !== null) progress = Math.max(progress, p.pct);
    if (p?.reached && reached === null) reached = e.t;
    if (e.type === 'lesson_complete' && manual === null) manual = e.t;
    if (e.type === 'scroll_depth') scroll = Math.max(scroll ?? 0, e.value!);
    const pos = e.data?.positionSec;
    if ((e.type === 'lesson_progress' || e.type === 'video_heartbeat') && typeof pos === 'number')
      resume = pos;
  }
  const attempts = attemptsOf(evs);
  const assessment = it.type === 'quiz' || it.type === 'assignment';
  const passedAt = assessment ? (attempts.find((a) => a.passed === true)?.e.t ?? null) : null;
  // The earliest way wins; at equal times the first in this list.
  const ways: [string, number | null][] = [
    ['threshold', reached],
    ['passed', passedAt],
    ['manual', manual],
  ];
  let how: [string, number] | null = null;
  for (const [name, at] of ways) if (at !== null && (how === null || at < how[1])) how = [name, at];
  return {
    item: it,
    threshold,
    progress,
    completedAt: how?.[1] ?? null,
    completedHow: how?.[0] ?? null,
    startedAt: evs[0]?.t ?? null,
    lastAt: evs.at(-1)?.t ?? null,
    resume,
    taskMs: sum(evs.map(taskMs)),
    scroll,
    attempts,
    best: bestOf(attempts)?.percent ?? null,
    passed: attempts.some((a) => a.passed === true),
    video: videoOf(it, evs),
  };
}

const eventsByUserCourse = new Map<string, Ev[]>();
const distinct = [...new Map(events.map((e) => [e.id, e])).values()].sort(byTime);
for (const e of distinct) {
  const key = `${e.userId}|${ITEMS.get(e.itemId ?? '')?.courseId ?? e.courseId}`;
  const list = eventsByUserCourse.get(key) ?? [];
  list.push(e);
  eventsByUserCourse.set(key, list);
}

type Progress = ReturnType<typeof progressOf>;
function progressOf(userId: string, c: Course) {
  const evs = eventsByUserCourse.get(`${userId}|${c.id}`) ?? [];
  const items = ordered(c).map((it) =>
    itemState(
      it,
      evs.filter((e) => e.itemId === it.id),
    ),
  );
  const learning = evs.filter(isLearning);
  const done = items.filter((s) => s.completedAt !== null);
  const all = items.length > 0 && done.length === items.length;
  const last = learning.at(-1)?.t ?? null;
  const active = last !== null && NOW_MS - last < settingsOf(c).inactivityDays * DAY;
  const cert = evs.find((e) => e.type === 'certification_issued');
  return {
    evs,
    learning,
    items,
    itemsCompleted: done.length,
    percent: items.length === 0 ? 0 : (done.length / items.length) * 100,
    taskMs: sum(evs.map(taskMs)),
    startedAt: learning[0]?.t ?? null,
    lastAt: last,
    status: all ? 'completed' : active ? 'active' : 'inactive',
    completedAt: all ? Math.max(...done.map((s) => s.completedAt!)) : null,
    certificates: evs.filter((e) => e.type === 'certification_issued').length,
    certificate: cert ? { certificateId: cert.data!.certificateId, issuedAt: cert.occurredAt } : null,
  };
}

function engagementOf(userId: string, c: Course, p: Progress) {
  const week = new Set(daysEnding(localDay(NOW_MS, zoneOf(userId)), 7));
  const visits7d = p.evs.filter((e) => e.type === 'course_visit' && week.has(dayOf(e))).length;
  const sessions = p.learning.filter((e, i) => i === 0 || e.t - p.learning[i - 1]!.t >= 1_800_000).length;
  const timeOnTaskSec = p.taskMs / 1000;
  const avgSessionSec = sessions === 0 ? 0 : timeOnTaskSec / sessions;
  const videos = p.items.filter((s) => s.item.type === 'video' && s.startedAt !== null);
  // Each item's percent counts to the hundredth of a point (docs/metrics.md).
  const hundredth = (x: number) => Math.round(x * 100) / 100;
  const videoWatchedPercent = videos.length === 0 ? null : mean(videos.map((s) => hundredth(s.progress)));
  const scrolled = p.items.filter((s) => s.scroll !== null);
  const scrollDepthPercent = scrolled.length === 0 ? null : mean(scrolled.map((s) => hundredth(s.scroll!)));
  const w = settingsOf(c).weights;
  const scale = 100 / sum(Object.values(w));
  const fill: Record<string, number> = {
    visits: Math.min(visits7d / 5, 1),
    timeOnTask: Math.min(avgSessionSec / 1800, 1),
    videoWatched: (videoWatchedPercent ?? 0) / 100,
    scrollDepth: (scrollDepthPercent ?? 0) / 100,
  };
  const components = Object.fromEntries(Object.keys(w).map((k) => [k, fill[k]! * w[k]! * scale]));
  const score = sum(Object.values(components));
  return {
    visits7d,
    sessions,
    timeOnTaskSec,
    avgSessionSec,
    videoWatchedPercent,
    scrollDepthPercent,
    components,
    score,
  };
}

function riskOf(userId: string, c: Course, p: Progress, median: number, enrolledAt: number) {
  const s = settingsOf(c);
  const inactiveDays = Math.floor((NOW_MS - (p.lastAt ?? enrolledAt)) / DAY);
  if (p.percent >= 100) return { inactiveDays, codes: [], level: 'none' };
  const codes: string[] = [];
  if (inactiveDays >= s.inactivityDays) codes.push('inactive');
  if (median - p.percent >= s.gap) codes.push('behind');
  for (const st of p.items) {
    if (!st.passed && st.attempts.filter((a) => a.passed === false).length >= s.failed) codes.push('failing');
  }
  const recent = daysEnding(localDay(NOW_MS, zoneOf(userId)), 14);
  const lastWeek = sum(p.evs.filter((e) => recent.slice(7).includes(dayOf(e))).map(taskMs));
  const weekBefore = sum(p.evs.filter((e) => recent.slice(0, 7).includes(dayOf(e))).map(taskMs));
  if (weekBefore >= 300_000 && (weekBefore - lastWeek) * 100 >= s.drop * weekBefore) codes.push('declining');
  const level =
    codes.length === 0 ? 'none' : codes.includes('inactive') || codes.length >= 2 ? 'high' : 'medium';
  return { inactiveDays, codes: codes.sort(), level };
}

const medianOf = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? 0 : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const isLearnerOf = (c: Course, userId: string) =>
  enrollments.some((e) => e.courseId === c.id && e.userId === userId && e.active && e.role === 'student');

type Learner = ReturnType<typeof rosterOf>['learners'][number];
function rosterOf(c: Course, enrolledAt: Map<string, number>) {
  const ids = enrollments.filter((e) => isLearnerOf(c, e.userId) && e.courseId === c.id).map((e) => e.userId);
  const base = ids.sort(cmp).map((userId) => {
    const p = progressOf(userId, c);
    return { userId, p, eng: engagementOf(userId, c, p) };
  });
  const median = medianOf(base.map((b) => b.p.percent));
  const learners = base.map((b) => ({
    ...b,
    risk: riskOf(b.userId, c, b.p, median, enrolledAt.get(`${c.id}|${b.userId}`)!),
  }));
  return { median, learners };
}

const studentJson = (l: Learner) => ({
  userId: l.userId,
  displayName: users.get(l.userId)?.displayName ?? l.userId,
  visits7d: l.eng.visits7d,
  timeOnTaskSec: l.eng.timeOnTaskSec,
  sessions: l.eng.sessions,
  avgSessionSec: l.eng.avgSessionSec,
  videoWatchedPercent: l.eng.videoWatchedPercent,
  scrollDepthPercent: l.eng.scrollDepthPercent,
  itemsCompleted: l.p.itemsCompleted,
  progressPercent: l.p.percent,
  startedAt: iso(l.p.startedAt),
  lastActivityAt: iso(l.p.lastAt),
  engagementScore: l.eng.score,
  riskLevel: l.risk.level,
  riskReasons: l.risk.codes,
});
const LEVELS: Record<string, number> = { high: 2, medium: 1, none: 0 };
const urgency = (a: Learner, b: Learner) =>
  LEVELS[b.risk.level]! - LEVELS[a.risk.level]! ||
  b.risk.codes.length - a.risk.codes.length ||
  b.risk.inactiveDays - a.risk.inactiveDays ||
  a.p.percent - b.p.percent ||
  cmp(a.userId, b.userId);
// Scores closer than 1e-9 are a tie: the engine's float rounding must not decide the order.
const byEngagement = (a: Learner, b: Learner) =>
  (Math.abs(a.eng.score - b.eng.score) > 1e-9 ? b.eng.score - a.eng.score : 0) || cmp(a.userId, b.userId);
const byProgressAsc = (a: Learner, b: Learner) => a.p.percent - b.p.percent || cmp(a.userId, b.userId);

function analyticsOf(c: Course, r: ReturnType<typeof rosterOf>, zone: string) {
  const L = r.learners;
  const n = L.length;
  const pct = (k: number) => (n === 0 ? 0 : (k / n) * 100);
  const completed = L.filter((l) => l.p.status === 'completed').length;
  return {
    courseId: c.id,
    asOf: NOW.toISOString(),
    timezone: zone,
    enrolledLearners: n,
    totalItems: c.items.length,
    completedLearners: completed,
    completionRate: pct(completed),
    averageProgressPercent: mean(L.map((l) => l.p.percent)),
    medianProgressPercent: r.median,
    averageTimePerLearnerSec: n === 0 ? 0 : sum(L.map((l) => l.p.taskMs)) / 1000 / n,
    activeLearners7d: L.filter((l) => l.p.lastAt !== null && NOW_MS - l.p.lastAt < 7 * DAY).length,
    atRiskCount: L.filter((l) => l.risk.level !== 'none').length,
    certificatesIssued: sum(L.map((l) => l.p.certificates)),
    trend: daysEnding(localDay(NOW_MS, zone), 14).map((day) => {
      const on = L.map((l) => l.p.evs.filter((e) => dayOf(e) === day));
      const done = L.flatMap((l) =>
        l.p.items.filter((s) => s.completedAt !== null && localDay(s.completedAt, zoneOf(l.userId)) === day),
      );
      return {
        day,
        activeLearners: on.filter((evs) => evs.some(isLearning)).length,
        timeOnTaskSec: sum(on.flat().map(taskMs)) / 1000,
        visits: on.flat().filter((e) => e.type === 'course_visit').length,
        itemsCompleted: done.length,
      };
    }),
    itemFunnel: ordered(c).map((it, i) => {
      const started = L.filter((l) => l.p.items[i]!.startedAt !== null).length;
      const done = L.filter((l) => l.p.items[i]!.completedAt !== null).length;
      const { id, title, type, position } = it;
      return {
        itemId: id,
        title,
        type,
        position,
        started,
        completed: done,
        startedPercent: pct(started),
        completedPercent: pct(done),
      };
    }),
  };
}

const summaryOf = (c: Course, p: Progress) => ({
  courseId: c.id,
  title: c.title,
  code: c.code,
  status: p.status,
  itemsCompleted: p.itemsCompleted,
  totalItems: c.items.length,
  completionPercent: p.percent,
  timeOnTaskSec: p.taskMs / 1000,
  startedAt: iso(p.startedAt),
  lastActivityAt: iso(p.lastAt),
  completedAt: iso(p.completedAt),
  certificate: p.certificate,
});
const itemJson = (s: ItemState) => ({
  itemId: s.item.id,
  title: s.item.title,
  type: s.item.type,
  position: s.item.position,
  status: s.completedAt !== null ? 'completed' : s.startedAt !== null ? 'in_progress' : 'not_started',
  progressPercent: s.progress,
  completionThreshold: s.threshold,
  startedAt: iso(s.startedAt),
  lastActivityAt: iso(s.lastAt),
  completedAt: iso(s.completedAt),
  completedHow: s.completedHow,
  resumePositionSec: s.resume,
  video: s.video,
  timeOnTaskSec: s.taskMs / 1000,
  scrollDepthPercent: s.scroll,
  requiredQuizId: s.item.requiredQuizId ?? null,
  attempts: s.attempts.length,
  bestScorePercent: s.best,
  passed: s.passed,
});
const attemptRows = (p: Progress) =>
  p.items.flatMap((s) =>
    s.attempts.map((a) => ({
      itemId: s.item.id,
      title: s.item.title,
      kind: a.e.type === 'quiz_submit' ? 'quiz' : 'assignment',
      attemptId: a.e.data!.attemptId,
      attemptNumber: a.number,
      submittedAt: a.e.occurredAt,
      score: a.e.data!.score,
      maxScore: a.e.data!.maxScore,
      scorePercent: a.percent,
      passed: a.passed,
      timeSpentSec: a.e.data!.timeSpentSec ?? null,
      best: a === bestOf(s.attempts),
    })),
  );

/** The learner's courses: active student enrollments, and courses with progress not ended. */
function myCoursesOf(userId: string): Course[] {
  const mine = enrollments.filter((e) => e.userId === userId);
  return COURSES.filter((c) => {
    const e = mine.find((m) => m.courseId === c.id);
    return e
      ? e.active && (e.role === 'student' || eventsByUserCourse.has(`${userId}|${c.id}`))
      : eventsByUserCourse.has(`${userId}|${c.id}`);
  });
}

function streaks(days: Set<string>, today: string) {
  let longest = 0;
  for (const d of days) {
    if (days.has(addDays(d, -1))) continue;
    let n = 1;
    while (days.has(addDays(d, n))) n++;
    longest = Math.max(longest, n);
  }
  let end = days.has(today) ? today : addDays(today, -1);
  let current = 0;
  while (days.has(end)) {
    current++;
    end = addDays(end, -1);
  }
  return { current, longest };
}

function myStatsOf(userId: string, rosters: Map<string, ReturnType<typeof rosterOf>>) {
  const zone = zoneOf(userId);
  const today = localDay(NOW_MS, zone);
  const mine = myCoursesOf(userId).map((c) => ({ c, p: progressOf(userId, c) }));
  const evs = mine.flatMap((m) => m.p.evs);
  const completions = mine.flatMap((m) => m.p.items.filter((s) => s.completedAt !== null));
  const day = (d: string) => {
    const on = evs.filter((e) => dayOf(e) === d);
    return {
      day: d,
      timeOnTaskSec: sum(on.map(taskMs)) / 1000,
      visits: on.filter((e) => e.type === 'course_visit').length,
      itemsCompleted: completions.filter((s) => localDay(s.completedAt!, zone) === d).length,
      active: on.some(isLearning),
    };
  };
  const { current, longest } = streaks(new Set(evs.filter(isLearning).map(dayOf)), today);
  return {
    userId,
    timezone: zone,
    today,
    courses: mine.length,
    coursesCompleted: mine.filter((m) => m.p.status === 'completed').length,
    timeOnTaskSec: sum(mine.map((m) => m.p.taskMs)) / 1000,
    itemsCompleted: completions.length,
    lessonsCompleted: completions.filter((s) => ['lesson', 'video', 'page'].includes(s.item.type)).length,
    currentStreakDays: current,
    longestStreakDays: longest,
    last7Days: daysEnding(today, 7).map(day),
    last28Days: daysEnding(today, 28).map(day),
    comparison: mine.map(({ c, p }) => {
      const L = rosters.get(c.id)!.learners;
      const average = {
        progressPercent: mean(L.map((l) => l.p.percent)),
        timeOnTaskSec: mean(L.map((l) => l.p.taskMs / 1000)),
        learners: L.length,
      };
      return {
        courseId: c.id,
        title: c.title,
        you: { progressPercent: p.percent, timeOnTaskSec: p.taskMs / 1000 },
        courseAverage: L.length < 5 ? null : average,
      };
    }),
  };
}

/** The items on which the learner resent an attempt under another event id (the copy claims a pass). */
const resentOn = (l: Learner) =>
  l.p.items.filter((s) =>
    s.attempts.some((a) => l.p.evs.some((e) => e !== a.e && e.data?.attemptId === a.e.data!.attemptId)),
  );

// ---------- comparison ----------

/** Every difference between an answer and the brute force: numbers within 1e-6, the rest exactly, no extra or missing field. */
function diff(actual: unknown, expected: unknown, path: string, out: string[]): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (!(Math.abs(actual - expected) <= 1e-6)) out.push(`${path}: expected ${expected}, got ${actual}`);
  } else if (Array.isArray(expected) && Array.isArray(actual) && actual.length === expected.length) {
    for (const [i, x] of expected.entries()) diff(actual[i], x, `${path}[${i}]`, out);
  } else if (
    expected &&
    actual &&
    typeof expected === 'object' &&
    typeof actual === 'object' &&
    !Array.isArray(expected) &&
    !Array.isArray(actual)
  ) {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    for (const k of new Set([...Object.keys(e), ...Object.keys(a)])) {
      if (!(k in a)) out.push(`${path}.${k}: missing`);
      else if (!(k in e)) out.push(`${path}.${k}: unexpected (${JSON.stringify(a[k])})`);
      else diff(a[k], e[k], `${path}.${k}`, out);
    }
  } else if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    out.push(
      `${path}: expected ${JSON.stringify(expected)?.slice(0, 300)}, got ${JSON.stringify(actual)?.slice(0, 300)}`,
    );
  }
}
/** Collects every difference of a test's comparisons, so that one failure reports them all. */
function comparer() {
  const out: string[] = [];
  return {
    out,
    same: (actual: unknown, expected: unknown, what: string) => diff(actual, expected, what, out),
    done: () => assert.ok(out.length === 0, `${out.length} differences:\n${out.slice(0, 60).join('\n')}`),
  };
}

interface Reason {
  code: string;
  message: string;
}
/** Reason order is not defined: compare the sorted codes, and require each message to say something. */
function codesOf(reasons: Reason[]): string[] {
  for (const r of reasons)
    assert.ok(typeof r.message === 'string' && r.message.length > 0, `reason ${r.code} has no message`);
  return reasons.map((r) => r.code).sort();
}
type Row = Record<string, unknown> & { userId: string; riskReasons: Reason[] };
const withCodes = (row: Row) => ({ ...row, riskReasons: codesOf(row.riskReasons) });

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const crlf = ch === '\r' && text[i + 1] === '\n';
    if (quoted && ch === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (ch === '"') quoted = !quoted;
    else if (quoted || (ch !== ',' && !crlf)) cell += ch;
    else {
      row.push(cell);
      cell = '';
      if (crlf) {
        rows.push(row);
        row = [];
        i++;
      }
    }
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}
const excelSafe = (s: string) => (/^[=+\-@]/.test(s) ? `'${s}` : s);

// ---------- the test ----------

forEachEngine((engine) => {
  let t: TestApp;
  const api = apiClient(() => t);
  const rosters = new Map<string, ReturnType<typeof rosterOf>>();
  const teacher = new Map<string, string>();
  const ok = (res: { statusCode: number; body: string }, what: string) =>
    assert.ok(res.statusCode < 300, `${what}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  async function get<T = Record<string, unknown>>(url: string, auth?: string): Promise<T> {
    const res = await api.get(url, auth);
    ok(res, url);
    return res.json() as T;
  }
  async function allStudents(c: Course, query: string, limit: number): Promise<Row[]> {
    const rows: Row[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Row[]; total: number; nextCursor: string | null } = await get(
        `/courses/${c.id}/students?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        teacher.get(c.id),
      );
      assert.equal(page.total, rosters.get(c.id)!.learners.length);
      rows.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return rows;
  }

  before(async () => {
    // No reuse of computed views: the replay check below must compute them again.
    t = await startTestApp(engine, { LEARNPULSE_ANALYTICS_CACHE_MS: '0' }, { now: () => NOW });
    const r = prng(7); // same delivery on every engine
    for (const c of COURSES) {
      const { id, items, ...course } = c;
      ok(await api.put(`/courses/${id}`, course), `course ${id}`);
      ok(
        await api.put(`/courses/${id}/items`, {
          items: shuffle(
            items.map(({ courseId: _, ...it }) => it),
            r,
          ),
        }),
        `items ${id}`,
      );
    }
    for (const u of users.values()) {
      if (u.inCatalog)
        ok(await api.put(`/users/${u.id}`, { displayName: u.displayName, timezone: u.timezone }), u.id);
    }
    for (const c of COURSES) {
      const items = enrollments
        .filter((e) => e.courseId === c.id)
        .map(({ userId, role, active }) => ({ userId, role, active }));
      ok(await api.put(`/courses/${c.id}/enrollments`, { items }), `enrollments ${c.id}`);
    }
    const resent = events.filter(() => chance(0.1, r));
    const sends = shuffle([...events, ...resent], r);
    let accepted = 0;
    let duplicates = 0;
    for (let i = 0, size = 0; i < sends.length; i += size) {
      size = int(1, 500, r);
      const batch = sends.slice(i, i + size);
      const res = await t.request({
        method: 'POST',
        url: '/api/v1/events',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ events: batch }, (k, v) => (k === 't' ? undefined : v)),
      });
      const body = res.json() as { accepted: number; duplicates: number; rejected: unknown[] };
      assert.deepEqual(body.rejected, [], res.body.slice(0, 500));
      accepted += body.accepted;
      duplicates += body.duplicates;
    }
    assert.equal(accepted, distinct.length);
    assert.equal(duplicates, sends.length - distinct.length);
    // Enrollment time is the server's: it dates the inactivity of learners who never started.
    const enrolledAt = new Map<string, number>();
    for (const c of COURSES) {
      const page = await get<{ items: { userId: string; createdAt: string }[] }>(
        `/courses/${c.id}/enrollments?limit=500`,
      );
      for (const e of page.items) enrolledAt.set(`${c.id}|${e.userId}`, Date.parse(e.createdAt));
      rosters.set(c.id, rosterOf(c, enrolledAt));
      teacher.set(c.id, await t.token(c.instructorIds[0]!, 'instructor'));
    }
  });
  after(() => t.close());

  it('generates data where every rule and boundary is exercised', () => {
    const L = rosters.get(A.id)!.learners;
    const codes = new Set(L.flatMap((l) => l.risk.codes));
    assert.deepEqual([...codes].sort(), ['behind', 'declining', 'failing', 'inactive']);
    const values = new Set(distinct.filter((e) => e.type === 'lesson_progress').map((e) => e.value));
    assert.ok(values.has(89.9) && values.has(90));
    assert.ok(L.some((l) => l.p.status === 'completed') && L.some((l) => l.p.evs.length === 0));
    assert.ok(
      L.some((l) => resentOn(l).some((s) => !s.passed)),
      'a failed attempt resent as a pass',
    );
    console.log(`# ${distinct.length} distinct events, ${users.size} users`);
  });

  it('course analytics equal the brute force (every field, trend and item funnel)', async () => {
    const { same, done } = comparer();
    for (const c of COURSES) {
      for (const zone of c === A ? ['UTC', 'Pacific/Auckland', 'America/Los_Angeles'] : ['UTC']) {
        const got = await get(
          `/courses/${c.id}/analytics?timezone=${encodeURIComponent(zone)}`,
          teacher.get(c.id),
        );
        same(got, analyticsOf(c, rosters.get(c.id)!, zone), `${c.id} analytics (${zone})`);
      }
    }
    done();
  });

  it('the students table lists exactly the learners, every field right, in both sort orders', async () => {
    const { same, done } = comparer();
    for (const c of COURSES) {
      const L = rosters.get(c.id)!.learners;
      const byScore = await allStudents(c, 'sort=engagement&order=desc', 120);
      same(
        byScore.map(withCodes),
        [...L].sort(byEngagement).map(studentJson),
        `${c.id} students by engagement`,
      );
      const byProgress = await allStudents(c, 'sort=progress&order=asc', 500);
      same(
        byProgress.map(withCodes),
        [...L].sort(byProgressAsc).map(studentJson),
        `${c.id} students by progress`,
      );
    }
    done();
  });

  it("one learner's engagement answer matches, components and weights included", async () => {
    const { same, done } = comparer();
    for (const c of [A, B]) {
      const L = rosters.get(c.id)!.learners;
      // Each call loads the whole roster (the median is the course's): a sample keeps this quick.
      for (const l of L.filter((_, i) => i % Math.ceil(L.length / 8) === 0)) {
        const got = await get<Row>(`/courses/${c.id}/students/${l.userId}/engagement`, teacher.get(c.id));
        const expected = {
          ...studentJson(l),
          courseId: c.id,
          asOf: NOW.toISOString(),
          scoreComponents: l.eng.components,
          weights: settingsOf(c).weights,
        };
        same(withCodes(got), expected, `${c.id}/${l.userId} engagement`);
      }
      assert.equal(
        (await api.get(`/courses/${c.id}/students/${STRANGER}/engagement`, teacher.get(c.id))).statusCode,
        404,
      );
    }
    done();
  });

  it('the at-risk list has the right learners, levels, reasons and order', async () => {
    const { same, done } = comparer();
    for (const c of COURSES) {
      const r = rosters.get(c.id)!;
      const s = settingsOf(c);
      const got = await get<{ items: Row[] }>(`/courses/${c.id}/at-risk`, teacher.get(c.id));
      const items = got.items.map(({ reasons, ...row }) => ({
        ...row,
        reasons: codesOf(reasons as unknown as Reason[]),
      }));
      const expected = {
        courseId: c.id,
        asOf: NOW.toISOString(),
        medianProgressPercent: r.median,
        rules: {
          atRiskInactivityDays: s.inactivityDays,
          atRiskProgressGap: s.gap,
          atRiskFailedAttempts: s.failed,
          atRiskActivityDrop: s.drop,
        },
        items: r.learners
          .filter((l) => l.risk.level !== 'none')
          .sort(urgency)
          .map((l) => ({
            userId: l.userId,
            displayName: users.get(l.userId)?.displayName ?? l.userId,
            riskLevel: l.risk.level,
            reasons: l.risk.codes,
            inactiveDays: l.risk.inactiveDays,
            progressPercent: l.p.percent,
            lastActivityAt: iso(l.p.lastAt),
          })),
      };
      same({ ...got, items }, expected, `${c.id} at-risk`);
    }
    done();
  });

  it('the CSV export has a BOM, CRLF rows, quoting, one row per learner and the same figures', async () => {
    const L = [...rosters.get(A.id)!.learners].sort(byEngagement);
    const res = await api.get(`/courses/${A.id}/students.csv`, teacher.get(A.id));
    ok(res, 'csv');
    assert.equal(res.body[0], '\uFEFF');
    const [header, ...rows] = parseCsv(res.body.slice(1));
    const fields = Object.keys(studentJson(L[0]!));
    assert.deepEqual([...header!].sort(), [...fields].sort());
    assert.equal(rows.length, L.length);
    const apiRows = await allStudents(A, 'sort=engagement&order=desc', 500);
    const { out, done } = comparer();
    rows.forEach((cells, i) => {
      const expected = studentJson(L[i]!) as Record<string, unknown>;
      const messages = apiRows[i]!.riskReasons.map((r) => r.message).join('; ');
      header!.forEach((col, j) => {
        const cell = cells[j] ?? '<none>';
        const want = col === 'riskReasons' ? messages : expected[col];
        if (typeof want === 'number') diff(cell === '' ? null : Number(cell), want, `row ${i} ${col}`, out);
        else diff(cell, want === null ? '' : excelSafe(String(want)), `row ${i} ${col}`, out);
      });
    });
    done();
  });

  it('attempts are numbered, the first submission of a resent attempt wins, the best is flagged', async () => {
    const { same, done } = comparer();
    const L = rosters.get(A.id)!.learners.filter((l) => l.p.items.some((s) => s.attempts.length > 0));
    const sample = L.filter((l, i) => i % 10 === 0 || resentOn(l).length > 0);
    assert.ok(sample.length > 10);
    const key = (r: Record<string, unknown>) => String(r.attemptId);
    for (const l of sample) {
      const got = await get<{ items: Record<string, unknown>[] }>(
        `/courses/${A.id}/students/${l.userId}/attempts`,
        teacher.get(A.id),
      );
      const expected = attemptRows(l.p).sort((a, b) => cmp(key(a), key(b)));
      same(
        { ...got, items: [...got.items].sort((a, b) => cmp(key(a), key(b))) },
        { courseId: A.id, userId: l.userId, items: expected },
        `${l.userId} attempts`,
      );
    }
    const own = await get<{ items: unknown[] }>(
      `/courses/${A.id}/students/${sample[0]!.userId}/attempts`,
      await t.token(sample[0]!.userId),
    );
    assert.equal(own.items.length, attemptRows(sample[0]!.p).length);
    done();
  });

  it("the learner's own views match: courses, item progress, stats, streaks and comparisons", async () => {
    const { same, done } = comparer();
    const L = rosters.get(A.id)!.learners;
    const picked = [
      ...L.filter((_, i) => i % 23 === 0),
      ...L.filter((l) => resentOn(l).some((s) => !s.passed)).slice(0, 4),
    ].map((l) => l.userId);
    const sample = [...new Set([...picked, 'a-010', 'a-011', 'a-012', 'a-020', 'a-021', STRANGER])];
    for (const userId of sample) {
      const token = await t.token(userId);
      const mine = myCoursesOf(userId);
      const courses = (
        await get<{ courses: { courseId: string; lastActivityAt: string | null }[] }>('/me/courses', token)
      ).courses;
      const last = courses.map((x) => x.lastActivityAt ?? '');
      assert.deepEqual(last, [...last].sort().reverse(), `${userId}: /me/courses is last activity first`);
      const sorted = [...courses].sort((a, b) => cmp(a.courseId, b.courseId));
      same(
        sorted,
        mine.map((c) => summaryOf(c, progressOf(userId, c))),
        `${userId} /me/courses`,
      );
      for (const c of mine) {
        const p = progressOf(userId, c);
        const got = await get(`/me/courses/${c.id}/progress`, token);
        same(
          got,
          { ...summaryOf(c, p), items: p.items.map(itemJson) },
          `${userId} /me/courses/${c.id}/progress`,
        );
      }
      const stats = await get<{ comparison: { courseId: string }[] }>('/me/stats', token);
      const comparison = [...stats.comparison].sort((a, b) => cmp(a.courseId, b.courseId));
      same({ ...stats, comparison }, myStatsOf(userId, rosters), `${userId} /me/stats`);
    }
    const ended = await t.token(ENDED);
    assert.deepEqual((await get<{ courses: unknown[] }>('/me/courses', ended)).courses, []);
    assert.equal((await api.get(`/me/courses/${A.id}/progress`, ended)).statusCode, 404);
    done();
  });

  it('replay rebuilds projections that answer exactly as before', async () => {
    const snapshot = async () => {
      const out: unknown[] = [];
      for (const c of COURSES) {
        out.push(await get(`/courses/${c.id}/analytics`, teacher.get(c.id)));
        out.push(await allStudents(c, 'sort=engagement&order=desc', 500));
        out.push(await get(`/courses/${c.id}/at-risk`, teacher.get(c.id)));
      }
      return out;
    };
    const before = await snapshot();
    await replay(t.server.db, PROJECTIONS);
    assert.deepEqual(await snapshot(), before);
  });
});
