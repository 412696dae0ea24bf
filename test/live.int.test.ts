// Live-session analytics end to end, on both engines: hand-worked sessions through the real API
// (tabs, stray leaves, late and after-the-end joins, walk-ins, chat, reactions, feedback, the grace
// period), a seeded random session against a brute-force oracle, the attendance CSV, comparisons,
// permissions, the overview, a session while it is live (the server's clock is pinned and moved),
// the recording's figures from the video engine, and replay.
// The oracle below is written from docs/metrics.md ("Live sessions") with nothing borrowed from
// src/domain/live, src/analytics or src/store: a learner is present in a 15-second cell when one of
// their connections is open after every mark at or before the cell's start.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { replay } from '../src/projections/replay.js';
import { PROJECTIONS } from '../src/projections/registry.js';
import { apiClient, type Reply, startTestApp, type TestApp } from './support/app.js';
import { forEachEngine } from './support/engines.js';
import { shuffled } from './support/shuffle.js';
import { prng, projectionSnapshot } from './support/spawn-server.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field
type Json = Record<string, any>;

const SEED = 20_260_603;
const NOW = '2026-06-10T18:00:00.000Z';
const MIN = 60_000;
/** The oracle's cell: every instant in this file is a whole multiple of 15 s. */
const G = 15_000;
const COURSE = 'lc';
const VIDEO = 'lc-rec-video';

const iso = (t: number) => new Date(t).toISOString();
/** An instant of a day: `at('2026-06-01', '10:05')` or with seconds, `'12:04:30'`. */
const at = (day: string, hm: string) => Date.parse(`${day}T${hm.length === 5 ? `${hm}:00` : hm}Z`);
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: readonly number[]) => (xs.length > 0 ? sum(xs) / xs.length : null);
const close = (a: unknown, b: number | null, eps = 1e-9) =>
  b === null ? a === null : typeof a === 'number' && Math.abs(a - b) <= eps * Math.max(1, Math.abs(b));

// ---------- live events ----------

type LiveKind = 'join' | 'leave' | 'chat' | 'reaction' | 'feedback';

interface LiveEv {
  id: string;
  userId: string;
  kind: LiveKind;
  at: number;
  /** join/leave: the connection (undefined: none sent). */
  conn?: string | undefined;
  text?: string | undefined;
  isQuestion?: boolean | undefined;
  reaction?: string | undefined;
  rating?: number | undefined;
  comment?: string | undefined;
}

const ev = (userId: string, kind: LiveKind, t: number, extra: Partial<LiveEv> = {}): LiveEv => ({
  id: randomUUID(),
  userId,
  kind,
  at: t,
  ...extra,
});

function wire(sessionId: string, e: LiveEv): Json {
  let data: Json | undefined;
  if (e.kind === 'join' || e.kind === 'leave')
    data = e.conn !== undefined ? { connectionId: e.conn } : undefined;
  else if (e.kind === 'chat')
    data = {
      ...(e.text !== undefined ? { text: e.text } : {}),
      ...(e.isQuestion !== undefined ? { isQuestion: e.isQuestion } : {}),
    };
  else if (e.kind === 'reaction') data = { kind: e.reaction };
  else data = { rating: e.rating, ...(e.comment !== undefined ? { comment: e.comment } : {}) };
  return {
    id: e.id,
    type: `live_${e.kind}`,
    userId: e.userId,
    liveSessionId: sessionId,
    occurredAt: iso(e.at),
    ...(data !== undefined ? { data } : {}),
  };
}

// ---------- the oracle ----------

interface Sched {
  start: number;
  end: number;
}

interface OAttendee {
  userId: string;
  registered: boolean;
  attended: boolean;
  firstJoinAt: number | null;
  lastLeaveAt: number | null;
  ms: number;
  onTime: boolean | null;
  messages: number;
  questions: number;
  reactions: number;
  rating: number | null;
  comment: string | null;
}

const isQuestion = (e: LiveEv) => e.isQuestion ?? /[?？]\s*$/u.test(e.text ?? '');

/**
 * A session's figures by the documented rules, cell by cell. `live`: open connections run to
 * `now`; otherwise to the later of the scheduled end and the learner's last join, leave, chat or
 * reaction, never after `now`.
 */
function oracle(
  s: Sched,
  registered: readonly string[],
  events: readonly LiveEv[],
  now: number,
  live = false,
) {
  const users = [...new Set(events.map((e) => e.userId))];
  const cellsOf = new Map<string, Set<number>>();
  for (const u of users) {
    const own = events.filter((e) => e.userId === u);
    const marks = own
      .filter((e) => e.kind === 'join' || e.kind === 'leave')
      .sort((a, b) => a.at - b.at || (a.kind === 'leave' ? 0 : 1) - (b.kind === 'leave' ? 0 : 1));
    const cells = new Set<number>();
    cellsOf.set(u, cells);
    if (!marks.some((m) => m.kind === 'join')) continue;
    const last = Math.max(...own.filter((e) => e.kind !== 'feedback').map((e) => e.at));
    const closeAt = live ? now : Math.min(now, Math.max(s.end, last));
    const open = new Set<string>();
    let k = 0;
    for (let g = Math.floor(marks[0]!.at / G) * G; g < closeAt; g += G) {
      for (; k < marks.length && marks[k]!.at <= g; k++) {
        const m = marks[k]!;
        if (m.kind === 'join') open.add(m.conn ?? '');
        else open.delete(m.conn ?? '');
      }
      if (open.size > 0) cells.add(g);
    }
  }
  const people = [
    ...new Set([
      ...registered,
      ...users.filter((u) => events.some((e) => e.userId === u && e.kind === 'join')),
    ]),
  ].sort();
  const attendees: OAttendee[] = people.map((userId) => {
    const own = events.filter((e) => e.userId === userId);
    const joins = own.filter((e) => e.kind === 'join').map((e) => e.at);
    const cells = [...(cellsOf.get(userId) ?? [])];
    const firstJoinAt = joins.length > 0 ? Math.min(...joins) : null;
    const feedback = own
      .filter((e) => e.kind === 'feedback')
      .sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1))[0];
    return {
      userId,
      registered: registered.includes(userId),
      attended: firstJoinAt !== null,
      firstJoinAt,
      lastLeaveAt: cells.length > 0 ? Math.max(...cells) + G : null,
      ms: cells.length * G,
      onTime: firstJoinAt === null ? null : firstJoinAt <= s.start + 5 * MIN,
      messages: own.filter((e) => e.kind === 'chat').length,
      questions: own.filter((e) => e.kind === 'chat' && isQuestion(e)).length,
      reactions: own.filter((e) => e.kind === 'reaction').length,
      rating: feedback?.rating ?? null,
      comment: feedback?.comment ?? null,
    };
  });
  const came = attendees.filter((a) => a.attended);
  const registeredAttended = came.filter((a) => a.registered).length;
  const totalMs = sum(came.map((a) => a.ms));
  const averageMs = came.length > 0 ? totalMs / came.length : 0;

  // Concurrency: viewers per cell, the peak's first cell, and the most viewers in each of 100 spans.
  const level = new Map<number, number>();
  for (const cells of cellsOf.values()) for (const g of cells) level.set(g, (level.get(g) ?? 0) + 1);
  let peak = 0;
  let peakAt: number | null = null;
  for (const [g, n] of [...level.entries()].sort(([a], [b]) => a - b)) {
    if (n > peak) {
      peak = n;
      peakAt = g;
    }
  }
  const firstJoin = Math.min(...came.map((a) => a.firstJoinAt!));
  const lastEnd = Math.max(...attendees.map((a) => a.lastLeaveAt ?? Number.NEGATIVE_INFINITY));
  const from = Math.min(s.start, firstJoin);
  const to = Math.max(live ? Math.min(now, s.end) : s.end, lastEnd);
  const w = (to - from) / 100;
  const timeline = Array.from({ length: 100 }, (_, k) => {
    const bs = from + k * w;
    const be = from + (k + 1) * w;
    let viewers = 0;
    for (const [g, n] of level) if (g < be && g + G > bs) viewers = Math.max(viewers, n);
    return { at: iso(Math.round(bs)), viewers };
  });

  const chats = events.filter((e) => e.kind === 'chat');
  const reactions = new Map<string, number>();
  for (const e of events)
    if (e.kind === 'reaction') reactions.set(e.reaction!, (reactions.get(e.reaction!) ?? 0) + 1);
  const engaged = came.filter((a) => a.messages > 0 || a.reactions > 0).length;
  const ratings = users.flatMap((u) => {
    const f = events
      .filter((e) => e.userId === u && e.kind === 'feedback')
      .sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1))[0];
    return f ? [f.rating!] : [];
  });
  const attendanceRate = registered.length > 0 ? registeredAttended / registered.length : null;
  const engagementRate = came.length > 0 ? engaged / came.length : 0;
  const parts = {
    attendance: 30 * (registered.length > 0 ? attendanceRate! : came.length > 0 ? 1 : 0),
    engagement: 40 * engagementRate,
    chat: 15 * Math.min(1, came.length > 0 ? chats.length / came.length : 0),
    retention: 15 * Math.min(1, averageMs / (s.end - s.start)),
  };
  return {
    attendees,
    attendance: {
      registered: registered.length,
      attended: came.length,
      registeredAttended,
      attendanceRate,
      walkIns: came.length - registeredAttended,
      onTime: came.filter((a) => a.onTime).length,
      late: came.filter((a) => a.onTime === false).length,
      averageAttendedSec: averageMs / 1000,
      totalAttendedSec: totalMs / 1000,
    },
    peak,
    peakAt: peakAt === null ? null : iso(peakAt),
    timeline: came.length > 0 ? timeline : null,
    engagement: {
      chatMessages: chats.length,
      uniqueChatters: new Set(chats.map((e) => e.userId)).size,
      questions: chats.filter(isQuestion).length,
      reactions,
      reactionsTotal: sum([...reactions.values()]),
      engagedAttendees: engaged,
      engagementRate,
    },
    feedback: {
      responses: ratings.length,
      averageRating: mean(ratings),
      distribution: [1, 2, 3, 4, 5].map((rating) => ({
        rating,
        responses: ratings.filter((r) => r === rating).length,
      })),
    },
    score: { score: sum(Object.values(parts)), parts },
  };
}
type Oracle = ReturnType<typeof oracle>;

/** Every figure of an analytics answer and every attendee row against the oracle's. */
function compareWithOracle(a: Json, att: Json, o: Oracle, label: string, withTimeline: boolean) {
  const diffs: string[] = [];
  const eq = (what: string, x: unknown, y: unknown) => {
    if (typeof y === 'number' || y === null ? !close(x, y as number | null) : x !== y)
      diffs.push(`${what}: ${JSON.stringify(x)} ≠ ${JSON.stringify(y)}`);
  };
  for (const [k, v] of Object.entries(o.attendance)) {
    eq(`attendance.${k}`, a.attendance[k], v);
    eq(`/attendance attendance.${k}`, att.attendance[k], v);
  }
  eq('peak', a.concurrency.peak, o.peak);
  eq('peakAt', a.concurrency.peakAt, o.peakAt);
  for (const k of [
    'chatMessages',
    'uniqueChatters',
    'questions',
    'reactionsTotal',
    'engagedAttendees',
  ] as const)
    eq(`engagement.${k}`, a.engagement[k], o.engagement[k]);
  eq('engagementRate', a.engagement.engagementRate, o.engagement.engagementRate);
  const kinds = (a.engagement.reactions as Json[]).map((r) => `${r.kind}:${r.count}`).sort();
  const expectedKinds = [...o.engagement.reactions].map(([k, n]) => `${k}:${n}`).sort();
  eq('reactions', JSON.stringify(kinds), JSON.stringify(expectedKinds));
  const counts = (a.engagement.reactions as Json[]).map((r) => r.count as number);
  if (counts.some((c, i) => i > 0 && c > counts[i - 1]!)) diffs.push(`reactions not most first: ${counts}`);
  eq('responses', a.feedback.responses, o.feedback.responses);
  eq('averageRating', a.feedback.averageRating, o.feedback.averageRating);
  eq('distribution', JSON.stringify(a.feedback.distribution), JSON.stringify(o.feedback.distribution));
  eq('score', a.score.score, o.score.score);
  for (const [k, v] of Object.entries(o.score.parts)) eq(`score.${k}`, a.score.parts[k], v);

  const rows = new Map((att.attendees as Json[]).map((r) => [r.userId as string, r]));
  eq(
    'attendee ids',
    JSON.stringify([...rows.keys()].sort()),
    JSON.stringify(o.attendees.map((x) => x.userId)),
  );
  for (const x of o.attendees) {
    const r = rows.get(x.userId);
    if (!r) continue;
    const got = [
      r.registered,
      r.attended,
      r.firstJoinAt,
      r.lastLeaveAt,
      r.minutes,
      r.onTime,
      r.messages,
      r.questions,
      r.reactions,
      r.rating,
      r.feedback,
    ];
    const want = [
      x.registered,
      x.attended,
      x.firstJoinAt === null ? null : iso(x.firstJoinAt),
      x.lastLeaveAt === null ? null : iso(x.lastLeaveAt),
      x.ms / MIN,
      x.onTime,
      x.messages,
      x.questions,
      x.reactions,
      x.rating,
      x.comment,
    ];
    eq(`attendee ${x.userId}`, JSON.stringify(got), JSON.stringify(want));
  }
  if (withTimeline) {
    const tl = a.concurrency.timeline as Json[];
    eq('timeline length', tl.length, o.timeline?.length ?? 0);
    (o.timeline ?? []).forEach((p, k) => {
      if (tl[k]?.at !== p.at || tl[k]?.viewers !== p.viewers)
        diffs.push(`timeline[${k}]: ${JSON.stringify(tl[k])} ≠ ${JSON.stringify(p)}`);
    });
  }
  assert.deepEqual(diffs.slice(0, 20), [], `${label}: ${diffs.length} differences`);
}

/** A metric's trend over values in time order (SPEC §5), null with fewer than two values. */
function trendOf(values: readonly number[]): 'improving' | 'declining' | 'stable' | null {
  if (values.length < 2) return null;
  const half = Math.floor(values.length / 2);
  const early = mean(values.slice(0, half))!;
  const late = mean(values.slice(values.length - half))!;
  if (early === 0) return late > 0 ? 'improving' : 'stable';
  const change = (late - early) / Math.abs(early);
  return change > 0.1 ? 'improving' : change < -0.1 ? 'declining' : 'stable';
}

const METRICS = [
  'attended',
  'attendanceRate',
  'averageAttendedSec',
  'peakViewers',
  'chatMessages',
  'questions',
  'engagementRate',
  'averageRating',
  'recordingViews',
  'score',
] as const;

/** A compare/overview line as the session's own analytics gives it. */
const lineOf = (a: Json) => ({
  sessionId: a.sessionId,
  title: a.title,
  scheduledStart: a.scheduledStart,
  isLive: a.live.isLive,
  attended: a.attendance.attended,
  attendanceRate: a.attendance.attendanceRate,
  averageAttendedSec: a.attendance.averageAttendedSec,
  peakViewers: a.concurrency.peak,
  chatMessages: a.engagement.chatMessages,
  questions: a.engagement.questions,
  engagementRate: a.engagement.engagementRate,
  averageRating: a.feedback.averageRating,
  recordingViews: a.recording ? a.recording.views : null,
  score: a.score.score,
});

// ---------- the sessions ----------

interface SessionDef {
  id: string;
  instructorId: string;
  courseId: string | null;
  day: string;
  from: string;
  to: string;
  recordingItemId?: string;
  registered: string[];
}

// Hand-worked session ls-hand, 2026-06-01 10:00–11:00 (60 min), course lc, run by ins-a.
const D1 = '2026-06-01';
const h = (userId: string, kind: LiveKind, hm: string, extra: Partial<LiveEv> = {}) =>
  ev(userId, kind, at(D1, hm), extra);
const HAND_REGISTERED = [
  'h-tabs',
  'h-leave',
  'h-after',
  'h-late',
  'h-edge',
  'h-open',
  'h-overrun',
  'h-ghost',
];
const HAND: LiveEv[] = [
  // h-tabs: tab a 09:58–10:20, tab b 10:10–10:30, a stray leave on tab c, tab a again 10:40–10:50.
  // Union [09:58, 10:30) + [10:40, 10:50) = 32 + 10 = 42 min. On time (before the start).
  h('h-tabs', 'join', '09:58', { conn: 'a' }),
  h('h-tabs', 'join', '10:10', { conn: 'b' }),
  h('h-tabs', 'chat', '10:12', { text: 'Can you repeat that?' }),
  h('h-tabs', 'reaction', '10:15', { reaction: '👍' }),
  h('h-tabs', 'reaction', '10:16', { reaction: '👍' }),
  h('h-tabs', 'leave', '10:20', { conn: 'a' }),
  h('h-tabs', 'chat', '10:25', { text: 'thanks' }),
  h('h-tabs', 'leave', '10:30', { conn: 'b' }),
  h('h-tabs', 'leave', '10:35', { conn: 'c' }),
  h('h-tabs', 'join', '10:40', { conn: 'a' }),
  h('h-tabs', 'leave', '10:50', { conn: 'a' }),
  // Two answers: only the latest (5, 11:10) counts, so "audio" is in one comment only.
  h('h-tabs', 'feedback', '11:05', { rating: 3, comment: 'Audio issues' }),
  h('h-tabs', 'feedback', '11:10', { rating: 5, comment: 'Great pacing, clear examples' }),
  // h-leave: a leave with no join. Registered, did not attend.
  h('h-leave', 'leave', '10:15'),
  // h-after: joined after the scheduled end, 11:10–11:25 = 15 min, late.
  h('h-after', 'join', '11:10'),
  h('h-after', 'leave', '11:25'),
  h('h-after', 'feedback', '11:30', { rating: 2, comment: 'Audio was bad' }),
  // h-walkin: not registered, joined 10:02 and never left; last chat 10:46, so the connection
  // closes at the scheduled end 11:00 (feedback at 11:01 does not count): 58 min, on time.
  h('h-walkin', 'join', '10:02'),
  h('h-walkin', 'chat', '10:45', { text: 'Is this on the exam', isQuestion: true }),
  h('h-walkin', 'chat', '10:46', { text: 'Really?', isQuestion: false }),
  h('h-walkin', 'feedback', '11:01', { rating: 4 }),
  // h-late: 10:07–10:37 = 30 min, 2 min past the 5-min grace.
  h('h-late', 'join', '10:07', { conn: 'x' }),
  h('h-late', 'reaction', '10:10', { reaction: '👏' }),
  h('h-late', 'reaction', '10:11', { reaction: '❤️' }),
  h('h-late', 'leave', '10:37', { conn: 'x' }),
  h('h-late', 'feedback', '11:02', { rating: 4, comment: 'Clear examples, great pacing.' }),
  // h-edge: joins at exactly start + 5 min (on time), a second join while open (nothing), a
  // reconnect at the same instant 10:20 (leave first: continuous), leaves 10:25: 20 min.
  h('h-edge', 'join', '10:05', { conn: 'a' }),
  h('h-edge', 'join', '10:10', { conn: 'a' }),
  h('h-edge', 'leave', '10:20', { conn: 'a' }),
  h('h-edge', 'join', '10:20', { conn: 'a' }),
  h('h-edge', 'leave', '10:25', { conn: 'a' }),
  // h-open: joins 10:20 and never leaves; last activity 10:51 → closes at 11:00: 40 min.
  h('h-open', 'join', '10:20'),
  h('h-open', 'chat', '10:50', { text: '次は何ですか？' }),
  h('h-open', 'reaction', '10:51', { reaction: '👍' }),
  // h-overrun: joins 10:25 as h-edge leaves (never counted together), never leaves, reacts at
  // 11:12 → closes at 11:12 (later than the end): 47 min.
  h('h-overrun', 'join', '10:25'),
  h('h-overrun', 'reaction', '11:12', { reaction: '🔥' }),
];

const NAMES: Record<string, string> = {
  'h-tabs': 'Zoë, "Z" O\'Neil\nSecond line',
  'h-leave': '李小龍',
  'h-after': 'Дмитрий',
  'h-walkin': 'محمد عبد الله',
  'h-late': 'Late, Larry',
  'h-edge': '@edge',
  'h-open': 'Ona "Open"\r\nTwo',
  'h-overrun': '🔥 Fire 🔥',
};

// The attendee rows of ls-hand (sorted by user id), worked by hand.
// [userId, registered, attended, firstJoin, lastLeave, minutes, onTime, messages, questions, reactions, rating, feedback]
type HandRow = [
  string,
  boolean,
  boolean,
  string | null,
  string | null,
  number,
  boolean | null,
  number,
  number,
  number,
  number | null,
  string | null,
];
const HAND_ROWS: HandRow[] = [
  ['h-after', true, true, '11:10', '11:25', 15, false, 0, 0, 0, 2, 'Audio was bad'],
  ['h-edge', true, true, '10:05', '10:25', 20, true, 0, 0, 0, null, null],
  ['h-ghost', true, false, null, null, 0, null, 0, 0, 0, null, null],
  ['h-late', true, true, '10:07', '10:37', 30, false, 0, 0, 2, 4, 'Clear examples, great pacing.'],
  ['h-leave', true, false, null, null, 0, null, 0, 0, 0, null, null],
  ['h-open', true, true, '10:20', '11:00', 40, false, 1, 1, 1, null, null],
  ['h-overrun', true, true, '10:25', '11:12', 47, false, 0, 0, 1, null, null],
  ['h-tabs', true, true, '09:58', '10:50', 42, true, 2, 1, 2, 5, 'Great pacing, clear examples'],
  ['h-walkin', false, true, '10:02', '11:00', 58, true, 2, 1, 0, 4, null],
];

// The timeline edge case ls-tl, 10:00–11:00 (spans of 36 s): t-1 10:00–10:30, t-2 10:00–11:00.
const TL: LiveEv[] = [
  ev('t-1', 'join', at('2026-06-02', '10:00')),
  ev('t-1', 'leave', at('2026-06-02', '10:30')),
  ev('t-2', 'join', at('2026-06-02', '10:00')),
  ev('t-2', 'leave', at('2026-06-02', '11:00')),
];

// ---------- the random session ----------

const rand = prng(SEED);
const chance = (p: number) => rand() < p;
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const R_DAY = '2026-06-03';
const R_SCHED: Sched = { start: at(R_DAY, '14:00'), end: at(R_DAY, '15:00') };
const R_GRID0 = at(R_DAY, '13:40');
const R_SLOTS = 440; // 15-s slots: 13:40 → 15:30
const slot = (k: number) => R_GRID0 + Math.min(R_SLOTS, Math.max(0, k)) * G;

/** ~30 learners: tabs, reconnections, stray leaves, open connections, chat, reactions, feedback. */
function randomWorld(): { events: LiveEv[]; registered: string[] } {
  const events: LiveEv[] = [];
  const registered: string[] = [];
  for (let i = 0; i < 30; i++) {
    const u = `r-${String(i).padStart(2, '0')}`;
    if (i % 3 !== 0) registered.push(u);
    if (i === 26) {
      // Joined once after the end and sent nothing else: attended, 0 s.
      events.push(ev(u, 'join', slot(400)));
      continue;
    }
    if (i < 27) {
      const conns = [undefined, 'a', 'b'].filter(() => chance(0.6));
      if (conns.length === 0) conns.push(pick([undefined, 'tab-1']));
      for (const conn of conns) {
        let k = int(0, 260);
        const cycles = int(1, 3);
        for (let c = 0; c < cycles; c++) {
          events.push(ev(u, 'join', slot(k), { conn }));
          if (chance(0.1)) events.push(ev(u, 'join', slot(k + int(0, 6)), { conn }));
          if (!chance(0.8)) break; // left open
          const d = int(0, 120);
          events.push(ev(u, 'leave', slot(k + d), { conn }));
          k += d + int(0, 40);
        }
        if (chance(0.12)) events.push(ev(u, 'leave', slot(int(0, R_SLOTS)), { conn }));
      }
    } else if (chance(0.5)) {
      events.push(ev(u, 'leave', slot(int(0, R_SLOTS))));
    }
    for (let n = int(0, 3); n > 0; n--) {
      const r = rand();
      const extra =
        r < 0.3
          ? { text: 'Hello' }
          : r < 0.55
            ? { text: 'Why is that? ' }
            : r < 0.7
              ? { text: 'Look at this', isQuestion: true }
              : r < 0.85
                ? { text: 'Really?', isQuestion: false }
                : {};
      events.push(ev(u, 'chat', slot(int(0, R_SLOTS)), extra));
    }
    for (let n = int(0, 3); n > 0; n--)
      events.push(
        ev(u, 'reaction', slot(int(0, R_SLOTS)), { reaction: pick(['👍', '👏', '❤️', '🔥', 'wow']) }),
      );
    if (chance(0.5)) {
      const k = int(0, R_SLOTS - 10);
      events.push(ev(u, 'feedback', slot(k), { rating: int(1, 5), comment: pick(['Great', 'Too long']) }));
      if (chance(0.3)) events.push(ev(u, 'feedback', slot(k + int(1, 10)), { rating: int(1, 5) }));
    }
  }
  registered.push('r-ghost1', 'r-ghost2');
  return { events, registered };
}

const R_WORLD = randomWorld();
const R_EVENTS = R_WORLD.events.map((e) => wire('ls-rand', e));
const R_RESENT = R_EVENTS.filter(() => chance(0.1));
const R_SENT = shuffled([...R_EVENTS, ...R_RESENT], SEED);
const R_BATCHES: number[] = [];
for (let i = 0; i < R_SENT.length; ) {
  const n = pick([1, 4, 19, 50, 120]);
  R_BATCHES.push(n);
  i += n;
}

// ---------- sessions to compare: ls-c1 … ls-c9 on 2026-05-01 … 05-09, 09:00–10:00 ----------

const C_ATTENDED = [1, 2, 2, 3, 3, 4, 4, 5, 5];
function compareEvents(i: number): LiveEv[] {
  const day = `2026-05-0${i}`;
  const out: LiveEv[] = [];
  for (let j = 1; j <= C_ATTENDED[i - 1]!; j++) {
    out.push(ev(`k-${j}`, 'join', at(day, '09:00') + (j - 1) * 2 * MIN));
    out.push(ev(`k-${j}`, 'leave', at(day, '09:30') + i * MIN));
  }
  // Chat falls from 9 messages to 1 (every third a question).
  for (let m = 0; m < 10 - i; m++)
    out.push(ev('k-1', 'chat', at(day, '09:10') + m * MIN, { text: m % 3 === 0 ? 'Why?' : 'ok' }));
  if (C_ATTENDED[i - 1]! >= 2) out.push(ev('k-2', 'reaction', at(day, '09:20'), { reaction: '👍' }));
  if (i % 2 === 1) {
    out.push(ev('k-1', 'feedback', at(day, '10:05'), { rating: (i % 5) + 1 }));
    if (C_ATTENDED[i - 1]! >= 2) out.push(ev('k-2', 'feedback', at(day, '10:06'), { rating: 3 }));
  }
  return out;
}

// ---------- the recording session ls-rec, 2026-06-05 10:00–11:00, recording lc-rec-video (100 s) ----------

const D5 = '2026-06-05';
const REC_LIVE: LiveEv[] = [
  ev('v-1', 'join', at(D5, '10:00')),
  ev('v-1', 'leave', at(D5, '10:30')),
  ev('v-5', 'join', at(D5, '10:10')),
  ev('v-5', 'leave', at(D5, '11:00')),
];
const hb = (
  userId: string,
  hm: string,
  segments: number[][],
  positionSec: number,
  device?: Json,
  ended?: boolean,
): Json => ({
  id: randomUUID(),
  type: 'video_heartbeat',
  userId,
  courseId: COURSE,
  itemId: VIDEO,
  occurredAt: iso(at(D5, hm)),
  ...(device ? { device } : {}),
  data: { positionSec, durationSec: 100, segments, ...(ended ? { ended: true } : {}) },
});
const HEARTBEATS: Json[] = [
  // v-1: the whole video in one session (0–50, then 50–100 fifty seconds later): completed.
  // Only the first heartbeat names the device.
  hb('v-1', '12:00:00', [[0, 50]], 50, { type: 'desktop', os: 'Windows', browser: 'Chrome' }),
  hb('v-1', '12:00:50', [[50, 100]], 100, undefined, true),
  // v-2: 0–30 on a phone, then two hours later (a second view) 0–20 on a tablet: 30 s unique,
  // 50 played; the latest heartbeat naming a device is the tablet's.
  hb('v-2', '13:00:00', [[0, 30]], 30, { type: 'mobile', os: 'iOS', browser: 'Safari' }),
  hb('v-2', '15:00:00', [[0, 20]], 20, { type: 'tablet', os: 'iPadOS', browser: 'Safari' }),
  // v-3: 0–40 then 40–50, no device: unknown.
  hb('v-3', '12:00:00', [[0, 40]], 40),
  hb('v-3', '12:00:10', [[40, 50]], 50),
  // v-4: opened the player, played nothing.
  hb('v-4', '12:30:00', [], 0, { type: 'desktop', os: 'macOS', browser: 'Firefox' }),
];

const D10 = '2026-06-10';
const SESSIONS: SessionDef[] = [
  ...C_ATTENDED.map(
    (_, k): SessionDef => ({
      id: `ls-c${k + 1}`,
      instructorId: 'ins-a',
      courseId: null,
      day: `2026-05-0${k + 1}`,
      from: '09:00',
      to: '10:00',
      registered: k + 1 === 3 ? [] : ['k-1', 'k-2', 'k-3', 'k-4'],
    }),
  ),
  {
    id: 'ls-hand',
    instructorId: 'ins-a',
    courseId: COURSE,
    day: D1,
    from: '10:00',
    to: '11:00',
    registered: HAND_REGISTERED,
  },
  {
    id: 'ls-tl',
    instructorId: 'ins-c',
    courseId: null,
    day: '2026-06-02',
    from: '10:00',
    to: '11:00',
    registered: [],
  },
  {
    id: 'ls-rand',
    instructorId: 'ins-a',
    courseId: COURSE,
    day: R_DAY,
    from: '14:00',
    to: '15:00',
    registered: R_WORLD.registered,
  },
  {
    id: 'ls-b1',
    instructorId: 'ins-b',
    courseId: 'other',
    day: '2026-06-04',
    from: '10:00',
    to: '11:00',
    registered: [],
  },
  {
    id: 'ls-rec',
    instructorId: 'ins-a',
    courseId: COURSE,
    day: D5,
    from: '10:00',
    to: '11:00',
    recordingItemId: VIDEO,
    registered: ['v-1', 'v-2', 'v-5'],
  },
  {
    id: 'ls ü',
    instructorId: 'ins-c',
    courseId: null,
    day: '2026-06-06',
    from: '10:00',
    to: '11:00',
    registered: [],
  },
  {
    id: 'ls-live',
    instructorId: 'ins-a',
    courseId: COURSE,
    day: D10,
    from: '11:30',
    to: '12:30',
    registered: ['l-1', 'l-2', 'l-3'],
  },
  // 10 minutes after NOW: about to start (counted by the overview); 20 minutes after: not yet.
  {
    id: 'ls-soon',
    instructorId: 'ins-a',
    courseId: COURSE,
    day: D10,
    from: '18:10',
    to: '19:00',
    registered: [],
  },
  {
    id: 'ls-later',
    instructorId: 'ins-a',
    courseId: COURSE,
    day: D10,
    from: '18:20',
    to: '19:00',
    registered: [],
  },
];
const sched = (id: string): Sched => {
  const s = SESSIONS.find((x) => x.id === id)!;
  return { start: at(s.day, s.from), end: at(s.day, s.to) };
};

forEachEngine((engine) => {
  describe('live sessions', () => {
    let t: TestApp;
    let clock = Date.parse(NOW);
    const api = apiClient(() => t);
    const ok = async (reply: Promise<Reply>, status = 200): Promise<Json> => {
      const r = await reply;
      assert.equal(r.statusCode, status, r.body);
      return r.json() as Json;
    };
    const error = async (reply: Promise<Reply>, status: number, code: string) => {
      const r = await reply;
      assert.equal(r.statusCode, status, r.body);
      assert.equal((r.json() as Json).error.code, code, r.body);
    };
    const tok = (userId: string, role: 'student' | 'instructor' | 'admin' = 'instructor') =>
      t.token(userId, role);
    const enc = encodeURIComponent;
    /** The session's own instructor asks. */
    const runner = (id: string) => tok(SESSIONS.find((s) => s.id === id)!.instructorId);
    const analytics = async (id: string, query = '') =>
      ok(api.get(`/live-sessions/${enc(id)}/analytics${query}`, await runner(id)));
    const attendance = async (id: string, query = '') =>
      ok(api.get(`/live-sessions/${enc(id)}/attendance${query}`, await runner(id)));
    const post = async (events: Json[]) => {
      const r = await ok(api.post('/events', { events }));
      assert.deepEqual(r.rejected, []);
      return r;
    };

    before(async () => {
      t = await startTestApp(engine, {}, { now: () => new Date(clock) });
      await ok(api.put(`/courses/${COURSE}`, { title: 'Live course', instructorIds: ['ins-a', 'ins-t'] }));
      await ok(api.put('/courses/other', { title: 'Other', instructorIds: ['ins-b'] }));
      await ok(
        api.put(`/courses/${COURSE}/items`, {
          items: [{ id: VIDEO, type: 'video', title: 'Recording', position: 1, durationSec: 100 }],
        }),
      );
      const learners = [
        ...Object.keys(NAMES),
        ...['v-1', 'v-2', 'v-3', 'v-4', 'v-5', 'l-1', 'l-2', 'l-3', 't-1', 't-2'],
        ...['k-1', 'k-2', 'k-3', 'k-4', 'k-5'],
        ...Array.from({ length: 30 }, (_, i) => `r-${String(i).padStart(2, '0')}`),
      ];
      await ok(
        api.put('/users', {
          items: learners.map((id) => ({
            id,
            displayName: NAMES[id] ?? id,
            ...(id === 'h-tabs' ? { email: 'zoe@example.com' } : {}),
          })),
        }),
      );
      await ok(api.put(`/courses/${COURSE}/enrollments`, { items: learners.map((userId) => ({ userId })) }));
      for (const s of SESSIONS) {
        await ok(
          api.put(`/live-sessions/${enc(s.id)}`, {
            title: `Session ${s.id}`,
            instructorId: s.instructorId,
            courseId: s.courseId,
            scheduledStart: iso(at(s.day, s.from)),
            scheduledEnd: iso(at(s.day, s.to)),
            ...(s.recordingItemId ? { recordingItemId: s.recordingItemId } : {}),
          }),
        );
        for (const u of s.registered) await ok(api.put(`/live-sessions/${enc(s.id)}/registrations/${u}`));
      }

      // Hand-worked and fixed sessions: shuffled, in a few batches.
      const fixed = [
        ...HAND.map((e) => wire('ls-hand', e)),
        ...TL.map((e) => wire('ls-tl', e)),
        ...C_ATTENDED.flatMap((_, k) => compareEvents(k + 1).map((e) => wire(`ls-c${k + 1}`, e))),
        ...REC_LIVE.map((e) => wire('ls-rec', e)),
        ...HEARTBEATS,
      ];
      const sent = shuffled(fixed, SEED + 1);
      for (let i = 0; i < sent.length; i += 37) await post(sent.slice(i, i + 37));

      // The random session: shuffled, 10 % sent twice, in batches of random sizes.
      let accepted = 0;
      let duplicates = 0;
      let i = 0;
      for (const n of R_BATCHES) {
        const r = await post(R_SENT.slice(i, i + n));
        accepted += r.accepted;
        duplicates += r.duplicates;
        i += n;
      }
      assert.deepEqual([accepted, duplicates], [R_EVENTS.length, R_RESENT.length]);
    });
    after(() => t?.close());

    it('hand-worked session: attendance, tabs, stray leaves, late and after-the-end joins, concurrency, chat, reactions, feedback, score', async () => {
      const a = await analytics('ls-hand');
      assert.deepEqual(
        [
          a.sessionId,
          a.title,
          a.courseId,
          a.instructorId,
          a.scheduledStart,
          a.scheduledEnd,
          a.recordingItemId,
          a.asOf,
        ],
        [
          'ls-hand',
          'Session ls-hand',
          COURSE,
          'ins-a',
          `${D1}T10:00:00.000Z`,
          `${D1}T11:00:00.000Z`,
          null,
          NOW,
        ],
      );
      assert.deepEqual(a.live, { isLive: false, currentViewers: 0 });
      // 8 registered; 7 attended (6 registered + the walk-in); h-leave (leave only) and h-ghost did not.
      // On time (first join ≤ 10:05): h-tabs 09:58, h-walkin 10:02, h-edge 10:05 → 3; late 4.
      // Attended: 42 + 15 + 58 + 30 + 20 + 40 + 47 = 252 min = 15120 s; 15120 / 7 = 2160 s.
      assert.deepEqual(a.attendance, {
        registered: 8,
        attended: 7,
        registeredAttended: 6,
        attendanceRate: 0.75,
        walkIns: 1,
        onTime: 3,
        late: 4,
        averageAttendedSec: 2160,
        totalAttendedSec: 15120,
      });
      // Viewers: 09:58 1, 10:02 2, 10:05 3, 10:07 4, 10:20 5 (h-open joins; h-edge reconnects),
      // 10:25 h-edge leaves as h-overrun joins: still 5, never 6.
      assert.deepEqual([a.concurrency.peak, a.concurrency.peakAt], [5, `${D1}T10:20:00.000Z`]);
      const tl = a.concurrency.timeline as Json[];
      // From 09:58 (first join) to 11:25 (h-after's leave): 87 min in 100 spans of 52.2 s.
      assert.equal(tl.length, 100);
      assert.deepEqual(tl[0], { at: `${D1}T09:58:00.000Z`, viewers: 1 });
      assert.equal(tl[1]!.at, `${D1}T09:58:52.200Z`);
      assert.equal(Math.max(...tl.map((p) => p.viewers)), 5);
      // Span 99 [11:24:07.8, 11:25): h-after alone.
      assert.deepEqual(tl[99], { at: `${D1}T11:24:07.800Z`, viewers: 1 });
      // Span 81 [11:08:28.2, 11:09:20.4): h-overrun alone; span 82 holds 11:10, when h-after joins.
      assert.deepEqual(tl[81], { at: `${D1}T11:08:28.200Z`, viewers: 1 });
      assert.deepEqual(tl[82], { at: `${D1}T11:09:20.400Z`, viewers: 2 });
      // Chat: h-tabs 2, h-walkin 2, h-open 1 = 5 from 3 chatters; questions: "…that?", isQuestion
      // true, "…ですか？" = 3 ("Really?" is flagged false). Reactions 👍 3, 👏 1, ❤️ 1, 🔥 1.
      // Engaged attendees: h-tabs, h-walkin, h-late, h-open, h-overrun = 5 of 7.
      const { reactions, ...engagement } = a.engagement;
      assert.deepEqual(engagement, {
        chatMessages: 5,
        uniqueChatters: 3,
        questions: 3,
        reactionsTotal: 6,
        engagedAttendees: 5,
        engagementRate: 5 / 7,
      });
      assert.deepEqual(reactions[0], { kind: '👍', count: 3 });
      assert.deepEqual(
        (reactions as Json[]).map((r) => `${r.kind}${r.count}`).sort(),
        ['❤️1', '🔥1', '👍3', '👏1'].sort(),
      );
      // Latest ratings 5, 2, 4, 4 → 15 / 4. Themes from the three latest comments: great, pacing,
      // clear, examples twice each ("audio" once: h-tabs' earlier answer does not count).
      assert.deepEqual(
        [
          a.feedback.responses,
          a.feedback.averageRating,
          a.feedback.distribution.map((d: Json) => d.responses),
        ],
        [4, 3.75, [0, 1, 0, 2, 1]],
      );
      assert.deepEqual((a.feedback.themes as Json[]).map((x) => `${x.term}:${x.comments}`).sort(), [
        'clear:2',
        'examples:2',
        'great:2',
        'pacing:2',
      ]);
      // Score: attendance 30 × 6/8 = 22.5, engagement 40 × 5/7, chat 15 × min(1, 5/7),
      // retention 15 × 2160/3600 = 9.
      const parts = { attendance: 22.5, engagement: 200 / 7, chat: 75 / 7, retention: 9 };
      for (const [k, v] of Object.entries(parts))
        assert.ok(close(a.score.parts[k], v), `${k} ${a.score.parts[k]}`);
      assert.ok(close(a.score.score, 31.5 + 275 / 7), String(a.score.score));
      assert.equal(a.recording, null);

      const att = await attendance('ls-hand');
      assert.deepEqual(att.attendance, a.attendance);
      const rows = (att.attendees as Json[]).map((r) => [
        r.userId,
        r.registered,
        r.attended,
        r.firstJoinAt,
        r.lastLeaveAt,
        r.minutes,
        r.onTime,
        r.messages,
        r.questions,
        r.reactions,
        r.rating,
        r.feedback,
      ]);
      const stamp = (hm: string | null) => (hm === null ? null : `${D1}T${hm}:00.000Z`);
      assert.deepEqual(
        rows.sort((x, y) => (x[0] < y[0] ? -1 : 1)),
        HAND_ROWS.map((r) => [...r.slice(0, 3), stamp(r[3]), stamp(r[4]), ...r.slice(5)]),
      );
      for (const r of att.attendees as Json[]) {
        assert.deepEqual(
          [r.name, r.email, r.watchedRecording, r.recordingMinutes, r.recordingPercent],
          [NAMES[r.userId] ?? null, r.userId === 'h-tabs' ? 'zoe@example.com' : null, false, 0, 0],
        );
      }

      // The oracle agrees with the hand-worked figures, timeline included.
      compareWithOracle(a, att, oracle(sched('ls-hand'), HAND_REGISTERED, HAND, clock), 'ls-hand', true);
    });

    it('moves on time / late with ?graceMin=', async () => {
      const split = async (q: string) => {
        const a = await analytics('ls-hand', q);
        const att = await attendance('ls-hand', q);
        assert.deepEqual(att.attendance, a.attendance);
        const onTime = Object.fromEntries((att.attendees as Json[]).map((r) => [r.userId, r.onTime]));
        return [
          a.attendance.onTime,
          a.attendance.late,
          onTime['h-late'],
          onTime['h-edge'],
          onTime['h-walkin'],
        ];
      };
      // 10 min: h-late (10:07) is on time too.
      assert.deepEqual(await split('?graceMin=10'), [4, 3, true, true, true]);
      // 0: only h-tabs (09:58) is on time.
      assert.deepEqual(await split('?graceMin=0'), [1, 6, false, false, false]);
      // 2.5 min: h-walkin (10:02) yes, h-edge (10:05) no.
      assert.deepEqual(await split('?graceMin=2.5'), [2, 5, false, false, true]);
      assert.deepEqual(await split(''), [3, 4, false, true, true]);
      for (const q of ['?graceMin=-1', '?graceMin=1441', '?graceMin=soon']) {
        await error(
          api.get(`/live-sessions/ls-hand/analytics${q}`, await tok('ins-a')),
          400,
          'validation_failed',
        );
      }
    });

    it('random session (shuffled, batched, resent): every figure and attendee matches the brute-force oracle', async () => {
      const o = oracle(R_SCHED, R_WORLD.registered, R_WORLD.events, clock);
      // The world exercises what it should.
      assert.ok(o.attendance.attended >= 20 && o.attendance.walkIns >= 5, JSON.stringify(o.attendance));
      assert.ok(o.attendance.onTime >= 3 && o.attendance.late >= 3, JSON.stringify(o.attendance));
      assert.ok(o.peak >= 6, `peak ${o.peak}`);
      assert.ok(
        o.attendees.some((x) => x.lastLeaveAt !== null && x.lastLeaveAt > R_SCHED.end),
        'someone stayed past the end',
      );
      assert.ok(o.attendees.some((x) => x.attended && x.ms === 0 && x.lastLeaveAt === null));
      assert.ok(o.engagement.uniqueChatters > o.attendees.filter((x) => x.attended && x.messages > 0).length);
      const a = await analytics('ls-rand');
      const att = await attendance('ls-rand');
      assert.deepEqual(a.live, { isLive: false, currentViewers: 0 });
      compareWithOracle(a, att, o, 'ls-rand', false);
    });

    it('random session: each timeline span holds the most viewers at once within it', async () => {
      const o = oracle(R_SCHED, R_WORLD.registered, R_WORLD.events, clock);
      compareWithOracle(await analytics('ls-rand'), await attendance('ls-rand'), o, 'ls-rand timeline', true);
    });

    it('timeline: a viewer who leaves exactly where a span starts is not counted in that span', async () => {
      const a = await analytics('ls-tl', '');
      // 10:00–11:00 in spans of 36 s: span 50 starts at 10:30, when t-1 has left ([10:00, 10:30)).
      const expected = Array.from({ length: 100 }, (_, k) => ({
        at: iso(at('2026-06-02', '10:00') + k * 36_000),
        viewers: k < 50 ? 2 : 1,
      }));
      assert.deepEqual([a.concurrency.peak, a.concurrency.peakAt], [2, '2026-06-02T10:00:00.000Z']);
      const o = oracle(sched('ls-tl'), [], TL, clock);
      assert.deepEqual(o.timeline, expected);
      assert.deepEqual(a.concurrency.timeline, expected);
    });

    it('exports the attendance as CSV: BOM, quoting, names in any script, one row per registered or attending learner', async () => {
      const csv = async (id: string, query = '', auth?: string) => {
        const r = await t.request({
          method: 'GET',
          url: `/api/v1/live-sessions/${enc(id)}/attendance.csv${query}`,
          ...(auth ? { auth } : {}),
        });
        assert.equal(r.statusCode, 200, r.body);
        assert.equal(r.headers['content-type'], 'text/csv; charset=utf-8');
        assert.deepEqual([...r.rawPayload.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
        const text = r.rawPayload.toString('utf8');
        assert.ok(text.startsWith('\uFEFF') && text.endsWith('\r\n'));
        return { r, text, rows: parse(text, { bom: true }) as string[][] };
      };
      const HEADER = [
        'Name',
        'Email',
        'User ID',
        'Registered',
        'Attended',
        'First join',
        'Last leave',
        'Minutes',
        'On time',
        'Messages',
        'Questions',
        'Reactions',
        'Watched recording',
        'Recording minutes',
        'Recording %',
        'Rating',
        'Feedback',
      ];
      const { r, text, rows } = await csv('ls-hand', '', await tok('ins-a'));
      assert.equal(
        r.headers['content-disposition'],
        'attachment; filename="session-ls-hand-attendance-2026-06-10.csv"',
      );
      assert.ok(text.startsWith(`\uFEFF${HEADER.join(',')}\r\n`), JSON.stringify(text.slice(0, 200)));
      const yn = (b: boolean | null) => (b === null ? '' : b ? 'yes' : 'no');
      const stamp = (hm: string | null) => (hm === null ? '' : `${D1}T${hm}:00.000Z`);
      const expected = HAND_ROWS.map((x) => {
        const name = NAMES[x[0]] ?? '';
        return [
          // A cell starting with @ = + - gets an apostrophe so Excel does not run it.
          /^[=+\-@]/.test(name) ? `'${name}` : name,
          x[0] === 'h-tabs' ? 'zoe@example.com' : '',
          x[0],
          yn(x[1]),
          yn(x[2]),
          stamp(x[3]),
          stamp(x[4]),
          String(x[5]),
          yn(x[6]),
          String(x[7]),
          String(x[8]),
          String(x[9]),
          'no',
          '0',
          '0',
          x[10] === null ? '' : String(x[10]),
          x[11] ?? '',
        ];
      });
      assert.deepEqual(rows[0], HEADER);
      assert.deepEqual(
        rows.slice(1).sort((x, y) => (x[2]! < y[2]! ? -1 : 1)),
        expected,
      );
      // The names round-trip exactly: commas, quotes, LF and CRLF inside, CJK, Cyrillic, Arabic, emoji.
      const byId = new Map(rows.slice(1).map((x) => [x[2]!, x[0]!]));
      for (const id of ['h-tabs', 'h-leave', 'h-after', 'h-walkin', 'h-late', 'h-open', 'h-overrun'])
        assert.equal(byId.get(id), NAMES[id]);

      // ?graceMin= reaches the CSV: h-late on time at 10 minutes.
      const graced = (await csv('ls-hand', '?graceMin=10', await tok('adm', 'admin'))).rows;
      assert.equal(graced.find((x) => x[2] === 'h-late')![8], 'yes');

      // The random session: one row per registered or attending learner.
      const o = oracle(R_SCHED, R_WORLD.registered, R_WORLD.events, clock);
      const rand = (await csv('ls-rand')).rows;
      assert.deepEqual(
        rand
          .slice(1)
          .map((x) => x[2])
          .sort(),
        o.attendees.map((x) => x.userId),
      );
      for (const x of rand.slice(1)) {
        const want = o.attendees.find((y) => y.userId === x[2])!;
        assert.deepEqual(
          [x[3], x[4], x[7]],
          [yn(want.registered), yn(want.attended), String(Math.round((want.ms / MIN) * 100) / 100)],
        );
      }

      // An id with characters unsafe in a file name, and nobody in it: the header only.
      const odd = await csv('ls ü');
      assert.equal(
        odd.r.headers['content-disposition'],
        'attachment; filename="session-ls__-attendance-2026-06-10.csv"',
      );
      assert.deepEqual(odd.rows, [HEADER]);
    });

    it("gives a recording's figures from the video engine: views, viewers, completion, devices, per attendee", async () => {
      const a = await analytics('ls-rec');
      const rec = a.recording as Json;
      // Views: v-1 1, v-2 2, v-3 1, v-4 1 = 5. Unique seconds 100 + 30 + 50 + 0 = 180, played
      // 100 + 50 + 50 = 200. Watched % (100 + 30 + 50 + 0) / 4 = 45. Completed: v-1 of 4.
      // Stop points 100, 30, 50, 0 → median (30 + 50) / 2 = 40.
      assert.deepEqual(
        [
          rec.itemId,
          rec.durationSec,
          rec.views,
          rec.viewers,
          rec.uniqueViewers,
          rec.totalWatchTimeSec,
          rec.uniqueWatchTimeSec,
          rec.averagePercentViewed,
          rec.completionRate,
          rec.medianStopSec,
        ],
        [VIDEO, 100, 5, 4, 3, 200, 180, 45, 0.25, 40],
      );
      const dist = (xs: Json[]) => xs.map((x) => `${x.value}:${x.viewers}`).sort();
      assert.deepEqual(dist(rec.devices.types), ['desktop:2', 'tablet:1', 'unknown:1']);
      assert.deepEqual(rec.devices.types[0], { value: 'desktop', viewers: 2 });
      assert.deepEqual(dist(rec.devices.os), ['Windows:1', 'iPadOS:1', 'macOS:1', 'unknown:1'].sort());
      assert.deepEqual(dist(rec.devices.browsers), ['Chrome:1', 'Firefox:1', 'Safari:1', 'unknown:1']);
      // Retention: second 0 watched by v-1, v-2, v-3 of 4 viewers; 35 by v-1, v-3; 60 by v-1.
      const points = rec.retention.points as Json[];
      assert.deepEqual(
        [
          rec.retention.resolutionSec,
          points.length,
          points[0]!.retention,
          points[35]!.retention,
          points[60]!.retention,
        ],
        [1, 100, 0.75, 0.5, 0.25],
      );
      // The same figures as the video's own analytics.
      const video = await ok(api.get(`/courses/${COURSE}/videos/${VIDEO}/analytics`, await tok('ins-a')));
      for (const k of [
        'views',
        'viewers',
        'uniqueViewers',
        'totalWatchTimeSec',
        'uniqueWatchTimeSec',
      ] as const)
        assert.equal(rec[k], video[k], k);
      for (const k of ['averagePercentViewed', 'completionRate', 'medianStopSec'] as const)
        assert.equal(rec[k], video[k], k);
      assert.deepEqual(rec.retention, video.curve);

      // Attendees: v-1 (came, watched it all), v-2 (registered, absent, watched 30 s), v-5 (came, did not).
      const att = await attendance('ls-rec');
      const rows = (att.attendees as Json[])
        .map((r) => [
          r.userId,
          r.attended,
          r.minutes,
          r.watchedRecording,
          r.recordingMinutes,
          r.recordingPercent,
        ])
        .sort((x, y) => (x[0] < y[0] ? -1 : 1));
      assert.deepEqual(rows, [
        ['v-1', true, 30, true, 100 / 60, 100],
        ['v-2', false, 0, true, 0.5, 30],
        ['v-5', true, 50, false, 0, 0],
      ]);
      const r = await t.request({ method: 'GET', url: '/api/v1/live-sessions/ls-rec/attendance.csv' });
      const csvRows = (parse(r.rawPayload.toString('utf8'), { bom: true }) as string[][]).slice(1);
      assert.deepEqual(
        csvRows.map((x) => [x[2], x[12], x[13], x[14]]).sort((x, y) => (x[0]! < y[0]! ? -1 : 1)),
        [
          ['v-1', 'yes', '1.67', '100'],
          ['v-2', 'yes', '0.5', '30'],
          ['v-5', 'no', '0', '0'],
        ],
      );
    });

    it('while live: isLive and the viewers connected now, rising and falling with joins and leaves', async () => {
      const day = (hm: string) => at(D10, hm);
      const liveAt = async (hm: string) => {
        clock = day(hm);
        return analytics('ls-live');
      };
      const send = (...events: LiveEv[]) => post(events.map((e) => wire('ls-live', e)));
      const viewing = (a: Json) => [a.live.isLive, a.live.currentViewers];
      const secs = async () =>
        Object.fromEntries(
          ((await attendance('ls-live')).attendees as Json[]).map((r) => [r.userId, r.minutes * 60]),
        );
      const events: LiveEv[] = [];
      const record = (...es: LiveEv[]) => {
        events.push(...es);
        return send(...es);
      };
      try {
        // Live from 15 minutes before the start (11:15).
        assert.deepEqual(viewing(await liveAt('11:14:45')), [false, 0]);
        assert.deepEqual(viewing(await liveAt('11:15')), [true, 0]);

        await record(
          ev('l-1', 'join', day('11:35')),
          ev('l-2', 'join', day('11:40'), { conn: 'a' }),
          ev('l-2', 'join', day('11:41'), { conn: 'b' }),
          ev('l-3', 'join', day('11:45')),
          ev('l-3', 'leave', day('11:50')),
        );
        // 12:00: l-1 and l-2 (two tabs, one viewer) are connected; l-3 left.
        const noon = await liveAt('12:00');
        assert.deepEqual(viewing(noon), [true, 2]);
        // Open connections count up to now: l-1 25 min, l-2 20 min, l-3 5 min.
        assert.deepEqual(await secs(), { 'l-1': 1500, 'l-2': 1200, 'l-3': 300 });
        assert.deepEqual(
          [noon.attendance.attended, noon.attendance.totalAttendedSec, noon.attendance.averageAttendedSec],
          [3, 3000, 1000],
        );
        // Only l-1 (11:35, start + 5 min) is on time.
        assert.deepEqual([noon.attendance.onTime, noon.attendance.late], [1, 2]);
        assert.deepEqual([noon.concurrency.peak, noon.concurrency.peakAt], [3, `${D10}T11:45:00.000Z`]);
        // The timeline runs from the start to now while live.
        const o = oracle(sched('ls-live'), ['l-1', 'l-2', 'l-3'], events, clock, true);
        assert.deepEqual(noon.concurrency.timeline, o.timeline);
        assert.equal(noon.concurrency.timeline[99].at, `${D10}T11:59:42.000Z`);

        // l-2 closes one tab: still a viewer.
        await record(ev('l-2', 'leave', day('12:01'), { conn: 'a' }));
        assert.deepEqual(viewing(await liveAt('12:02')), [true, 2]);
        // …and the other one.
        await record(ev('l-2', 'leave', day('12:03'), { conn: 'b' }));
        assert.deepEqual(viewing(await liveAt('12:04')), [true, 1]);
        await record(ev('l-1', 'leave', day('12:04:30')));
        assert.deepEqual(viewing(await liveAt('12:05')), [true, 0]);
        assert.deepEqual(await secs(), { 'l-1': 1770, 'l-2': 1380, 'l-3': 300 });

        // l-1 comes back at 12:25 and stays: past the end (12:30) the session runs on while someone
        // is connected and the last live event is under 30 minutes old.
        await record(ev('l-1', 'join', day('12:25')));
        assert.deepEqual(viewing(await liveAt('12:40')), [true, 1]);
        // 29.5 min + 15 min (12:25 → now).
        assert.equal((await secs())['l-1'], 2670);
        assert.deepEqual(viewing(await liveAt('12:54:45')), [true, 1]);
        // 31 minutes after the last event: over; l-1's open connection closes at the scheduled end.
        assert.deepEqual(viewing(await liveAt('12:56')), [false, 0]);
        assert.equal((await secs())['l-1'], 1770 + 300);
      } finally {
        clock = Date.parse(NOW);
      }
      const later = await analytics('ls-live');
      assert.deepEqual(viewing(later), [false, 0]);
      compareWithOracle(
        later,
        await attendance('ls-live'),
        oracle(sched('ls-live'), ['l-1', 'l-2', 'l-3'], events, clock),
        'ls-live afterwards',
        true,
      );
    });

    it('ends the overrun when the last live event is 30 minutes old ("under 30 minutes")', async () => {
      // ls-live's last live event is l-1's join at 12:25 (previous test); at 12:55 it is 30 minutes old.
      try {
        clock = at(D10, '12:55');
        const a = await analytics('ls-live');
        assert.deepEqual([a.live.isLive, a.live.currentViewers], [false, 0]);
      } finally {
        clock = Date.parse(NOW);
      }
    });

    it('compares 2 and 10 sessions side by side in time order, with averages and trends', async () => {
      const check = async (ids: string[]) => {
        const c = await ok(api.post('/live-sessions/compare', { sessionIds: ids }, await tok('ins-a')));
        assert.equal(c.asOf, NOW);
        const own = await Promise.all(ids.map((id) => analytics(id)));
        const lines = own.map(lineOf).sort((x, y) => x.scheduledStart.localeCompare(y.scheduledStart));
        assert.deepEqual(c.sessions, lines);
        for (const m of METRICS) {
          const values = lines.map((l) => l[m]).filter((v): v is number => v !== null);
          assert.ok(close(c.averages[m], mean(values)), `${m} average ${c.averages[m]} ≠ ${mean(values)}`);
          assert.equal(c.trends[m], trendOf(values), `${m} trend`);
        }
        return c;
      };
      const two = await check(['ls-rand', 'ls-hand']);
      assert.deepEqual(
        two.sessions.map((s: Json) => s.sessionId),
        ['ls-hand', 'ls-rand'],
      );
      assert.deepEqual(
        [two.sessions[0].attended, two.sessions[0].peakViewers, two.sessions[0].averageAttendedSec],
        [7, 5, 2160],
      );
      assert.equal(two.averages.recordingViews, null);
      assert.equal(two.trends.recordingViews, null);

      const ten = await check(shuffled([...C_ATTENDED.map((_, k) => `ls-c${k + 1}`), 'ls-rec'], SEED));
      assert.deepEqual(
        ten.sessions.map((s: Json) => s.sessionId),
        [...C_ATTENDED.map((_, k) => `ls-c${k + 1}`), 'ls-rec'],
      );
      // Attended 1 2 2 3 3 | 4 4 5 5 2: 2.2 → 4, improving. Chat 9 8 7 6 5 | 4 3 2 1 0: declining.
      assert.deepEqual(
        ten.sessions.map((s: Json) => [s.attended, s.chatMessages]),
        [...C_ATTENDED.map((n, k) => [n, 9 - k]), [2, 0]],
      );
      assert.deepEqual([ten.trends.attended, ten.trends.chatMessages], ['improving', 'declining']);
      // ls-c3 has no registrations (rate null, left out of the average); only ls-rec has a recording.
      assert.equal(ten.sessions[2].attendanceRate, null);
      assert.deepEqual(
        [ten.averages.recordingViews, ten.trends.recordingViews, ten.sessions[9].recordingViews],
        [5, null, 5],
      );
      // Ratings only in odd sessions: c1 (2, —), c3 (4, 3), c5 (1, 3), c7 (3, 3), c9 (5, 3).
      assert.deepEqual(
        ten.sessions.map((s: Json) => s.averageRating),
        [2, null, 3.5, null, 2, null, 3, null, 4, null],
      );

      const one = api.post('/live-sessions/compare', { sessionIds: ['ls-hand'] }, await tok('ins-a'));
      await error(one, 400, 'validation_failed');
      const eleven = [...C_ATTENDED.map((_, k) => `ls-c${k + 1}`), 'ls-rec', 'ls-hand'];
      await error(
        api.post('/live-sessions/compare', { sessionIds: eleven }, await tok('ins-a')),
        400,
        'validation_failed',
      );
      await error(
        api.post('/live-sessions/compare', { sessionIds: ['ls-hand', 'ls-hand'] }, await tok('ins-a')),
        400,
        'validation_failed',
      );
      await error(
        api.post('/live-sessions/compare', { sessionIds: ['ls-hand', 'ls-nope'] }, await tok('ins-a')),
        404,
        'not_found',
      );
      // A session of another instructor in the list.
      await error(
        api.post('/live-sessions/compare', { sessionIds: ['ls-hand', 'ls-b1'] }, await tok('ins-a')),
        403,
        'forbidden',
      );
    });

    it('lets the instructor, the course teachers and admins read; others get 403, unknown sessions 404', async () => {
      const allowed = [await tok('ins-a'), await tok('ins-t'), await tok('adm', 'admin'), undefined];
      const denied = [await tok('ins-b'), await tok('h-tabs', 'student'), await tok('ins-c')];
      const reads = ['analytics', 'attendance', 'attendance.csv'];
      for (const what of reads) {
        for (const auth of allowed) {
          const r = await api.get(`/live-sessions/ls-hand/${what}`, auth);
          assert.equal(r.statusCode, 200, `${what} ${r.body.slice(0, 200)}`);
        }
        for (const auth of denied)
          await error(api.get(`/live-sessions/ls-hand/${what}`, auth), 403, 'forbidden');
        for (const auth of [...allowed, ...denied])
          await error(api.get(`/live-sessions/ls-nope/${what}`, auth), 404, 'not_found');
      }
      // ls-c1 has no course: its instructor and admins only (not lc's other teacher).
      assert.equal((await api.get('/live-sessions/ls-c1/analytics', await tok('ins-a'))).statusCode, 200);
      await error(api.get('/live-sessions/ls-c1/analytics', await tok('ins-t')), 403, 'forbidden');
      const body = { sessionIds: ['ls-hand', 'ls-c1'] };
      for (const auth of [await tok('ins-a'), await tok('adm', 'admin'), undefined])
        await ok(api.post('/live-sessions/compare', body, auth));
      for (const auth of [await tok('ins-b'), await tok('h-tabs', 'student'), await tok('ins-t')])
        await error(api.post('/live-sessions/compare', body, auth), 403, 'forbidden');
      // Overview: one's own, or anyone's for admins and the platform.
      await ok(api.get('/live-sessions/overview', await tok('ins-a')));
      for (const auth of [await tok('ins-a'), await tok('adm', 'admin'), undefined])
        await ok(api.get('/live-sessions/overview?instructorId=ins-a', auth));
      for (const auth of [await tok('ins-b'), await tok('h-tabs', 'student'), await tok('ins-t')])
        await error(api.get('/live-sessions/overview?instructorId=ins-a', auth), 403, 'forbidden');
      await error(api.get('/live-sessions/overview', await tok('h-tabs', 'student')), 403, 'forbidden');
      await error(api.get('/live-sessions/overview'), 400, 'validation_failed');
    });

    it('lists sessions by instructor and time range, and gives an instructor’s overview', async () => {
      const ids = async (query: string, auth?: string) =>
        ((await ok(api.get(`/live-sessions${query}`, auth))).items as Json[]).map((s) => s.id);
      // from is inclusive, to exclusive; newest first.
      assert.deepEqual(await ids('?instructorId=ins-a&from=2026-05-03T09:00:00Z&to=2026-05-06T09:00:00Z'), [
        'ls-c5',
        'ls-c4',
        'ls-c3',
      ]);
      assert.deepEqual(await ids('?instructorId=ins-c'), ['ls ü', 'ls-tl']);
      assert.deepEqual(await ids('?from=2026-06-02T00:00:00Z&to=2026-06-05T00:00:00Z'), [
        'ls-b1',
        'ls-rand',
        'ls-tl',
      ]);
      // An instructor sees the sessions they may see: ins-b only its own.
      assert.deepEqual(await ids('', await tok('ins-b')), ['ls-b1']);
      assert.deepEqual(await ids('?instructorId=ins-a', await tok('ins-b')), []);

      // 2026-05-04 → 06-04: c4 … c9, ls-hand, ls-rand.
      const ranged = await ok(
        api.get(
          '/live-sessions/overview?from=2026-05-04T09:00:00Z&to=2026-06-04T00:00:00Z',
          await tok('ins-a'),
        ),
      );
      const inRange = ['ls-c4', 'ls-c5', 'ls-c6', 'ls-c7', 'ls-c8', 'ls-c9', 'ls-hand', 'ls-rand'];
      const lines = (await Promise.all(inRange.map((id) => analytics(id)))).map(lineOf);
      assert.deepEqual(
        [ranged.instructorId, ranged.from, ranged.to, ranged.asOf, ranged.sessionsRun],
        ['ins-a', '2026-05-04T09:00:00Z', '2026-06-04T00:00:00Z', NOW, 8],
      );
      assert.deepEqual(ranged.recentSessions, [...lines].reverse());
      const avg = (m: (typeof METRICS)[number]) =>
        mean(lines.map((l) => l[m]).filter((v): v is number => v !== null));
      const figures: [string, (typeof METRICS)[number]][] = [
        ['averageAttendanceRate', 'attendanceRate'],
        ['averageAttended', 'attended'],
        ['averageEngagementRate', 'engagementRate'],
        ['averageRating', 'averageRating'],
        ['averageScore', 'score'],
      ];
      for (const [k, m] of figures) assert.ok(close(ranged[k], avg(m)), `${k}: ${ranged[k]} ≠ ${avg(m)}`);

      // All time: 9 + ls-hand, ls-rand, ls-rec, ls-live and ls-soon (starts in 10 min) = 14;
      // ls-later (in 20 min) has not started. The latest 10, newest first.
      const all = await ok(api.get('/live-sessions/overview', await tok('ins-a')));
      assert.equal(all.sessionsRun, 14);
      assert.deepEqual(
        (all.recentSessions as Json[]).map((s) => s.sessionId),
        ['ls-soon', 'ls-live', 'ls-rec', 'ls-rand', 'ls-hand', 'ls-c9', 'ls-c8', 'ls-c7', 'ls-c6', 'ls-c5'],
      );
      assert.deepEqual(
        (all.recentSessions as Json[]).map((s) => s.isLive),
        [true, false, false, false, false, false, false, false, false, false],
      );
      const b = await ok(api.get('/live-sessions/overview', await tok('ins-b')));
      assert.deepEqual([b.instructorId, b.sessionsRun, b.recentSessions.length], ['ins-b', 1, 1]);
    });

    it('gives the same projections and figures when replayed from the log', async () => {
      const db = t.server.db;
      const ids = ['ls-hand', 'ls-rand', 'ls-rec', 'ls-live', 'ls-tl'];
      const answers = await Promise.all(ids.map((id) => analytics(id)));
      const answersAtt = await Promise.all(ids.map((id) => attendance(id)));
      const live = await projectionSnapshot(db);
      const attendanceRows = (s: string) => JSON.stringify((JSON.parse(s) as Json).live_attendance);
      assert.ok((JSON.parse(live) as Json).live_attendance.length > 60);
      await replay(db, PROJECTIONS);
      const rebuilt = await projectionSnapshot(db);
      assert.equal(attendanceRows(rebuilt), attendanceRows(live));
      assert.equal(rebuilt, live);
      assert.deepEqual(await Promise.all(ids.map((id) => analytics(id))), answers);
      assert.deepEqual(await Promise.all(ids.map((id) => attendance(id))), answersAtt);
    });
  });
});
