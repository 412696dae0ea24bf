import { randomUUID } from 'node:crypto';
import type { LearningEvent } from '../../src/domain/events/types.js';
import { prng } from '../../src/demo/random.js';

/**
 * The live bench's session (issue 5): one 90-minute live lecture of a course that ended about a
 * day before the run, with its registrations and every live event its attendees sent. Drawn from
 * a seed, so every run has the same shape (event ids and the "now" the session is placed against
 * aside). The generator also keeps the figures it put in (attended, chat, reactions, ratings), so
 * that the endpoint's answer can be checked against what was sent, not only against the baseline.
 */
export const COURSE_ID = 'bench-live-course';
export const SESSION_ID = 'bench-live-session';
export const INSTRUCTOR_ID = 'bench-live-instructor';
export const SESSION_MINUTES = 90;
const MINUTE = 60_000;
const HOUR = 3_600_000;

export const liveUserId = (i: number) => `live-learner-${String(i).padStart(5, '0')}`;

export interface LiveSizes {
  attendees: number;
  registered: number;
  chat: number;
  reactions: number;
}

/** Reaction kinds and their shares of all reactions. */
export const REACTION_KINDS: readonly [string, number][] = [
  ['like', 0.36],
  ['clap', 0.24],
  ['heart', 0.15],
  ['laugh', 0.11],
  ['wow', 0.08],
  ['thinking', 0.06],
];

const CHAT_LINES = [
  'Good afternoon everyone',
  'Hello from Lyon',
  'The slides are very clear today',
  'Thanks, that makes sense now',
  'Can you zoom in on the diagram',
  'Audio is a bit quiet',
  'Great example',
  'I had the same problem last week',
  'Agreed with the previous comment',
  'This part is hard to follow',
  'Love this topic',
  'Back, my connection dropped',
];
const QUESTION_LINES = [
  'Will the slides be shared after the session?',
  'How does this differ from the approach in chapter 3?',
  'Could you repeat the last step?',
  'Is this part of the exam?',
  'What is the complexity of that algorithm?',
  'Does this also work for negative numbers?',
];
/** Questions flagged by the client (`isQuestion: true`) whose text does not end in "?". */
const FLAGGED_LINES = ['Question: what about the edge case', 'Q - when is the assignment due', 'Clarify pls'];
const COMMENT_PARTS = [
  'great pacing',
  'clear examples',
  'too fast at the end',
  'audio problems',
  'helpful questions answered',
  'slides were clear',
  'would like more examples',
  'great session',
  'the demo was helpful',
  'pacing too fast',
  'examples really helpful',
];

export interface LiveSessionData {
  sizes: LiveSizes;
  scheduledStart: number;
  scheduledEnd: number;
  /** Every user of the catalog (registered, walk-ins), by index. */
  users: number;
  /** Indices of the registered users. */
  registrations: string[];
  /** Every event, sorted by time. */
  events: LearningEvent[];
  /** What was put in, for checking the answers. */
  truth: {
    attended: number;
    registeredAttended: number;
    walkIns: number;
    chatMessages: number;
    questions: number;
    reactionsTotal: number;
    reactionsByKind: Map<string, number>;
    responses: number;
    ratingSum: number;
    joins: number;
    leaves: number;
    feedbackEvents: number;
    multiConnection: number;
    reconnecting: number;
    neverLeft: number;
  };
}

/** `total` split over `weights` in whole numbers that add up to exactly `total`. */
function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / sum) * total);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  for (let k = 0; left > 0; k = (k + 1) % byRemainder.length, left--) out[byRemainder[k]![1]]!++;
  return out;
}

interface Interval {
  start: number;
  end: number;
}

/** A uniform instant within the intervals (weighted by their lengths). */
function instantIn(r: () => number, intervals: readonly Interval[]): number {
  const total = intervals.reduce((n, i) => n + (i.end - i.start), 0);
  let x = r() * total;
  for (const i of intervals) {
    const len = i.end - i.start;
    if (x < len) return Math.floor(i.start + x);
    x -= len;
  }
  return intervals[intervals.length - 1]!.end - 1;
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/**
 * The session and its events. Sizes: `attendees` learners join (92 % of them registered, the
 * rest walk-ins), `registered` learners registered in all; exactly `chat` chat messages and
 * `reactions` reactions. `end` is the instant the feedback window closes (before the run's now).
 */
export function liveSession(sizes: LiveSizes, end: number, seed = 5): LiveSessionData {
  const r = prng(seed);
  const registeredAttended = Math.min(sizes.registered, Math.round(sizes.attendees * 0.92));
  const walkIns = sizes.attendees - registeredAttended;
  const users = sizes.registered + walkIns;
  // The session ended about a day before `end`; feedback comes up to 12 h after it.
  const scheduledStart = Math.floor((end - 26 * HOUR) / (15 * MINUTE)) * 15 * MINUTE;
  const scheduledEnd = scheduledStart + SESSION_MINUTES * MINUTE;
  const registrations = Array.from({ length: sizes.registered }, (_, i) => liveUserId(i));

  // Which registered learners attend: drawn, so attendees and no-shows are interleaved.
  const order = Array.from({ length: sizes.registered }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const attendeeIdx = [
    ...order.slice(0, registeredAttended).sort((a, b) => a - b),
    ...Array.from({ length: walkIns }, (_, k) => sizes.registered + k),
  ];

  const events: LearningEvent[] = [];
  const base = (type: string, at: number, userId: string, data?: Record<string, unknown>): LearningEvent => ({
    id: randomUUID(),
    type,
    occurredAt: new Date(at).toISOString(),
    userId,
    courseId: COURSE_ID,
    liveSessionId: SESSION_ID,
    ...(data ? { data } : {}),
  });
  const truth: LiveSessionData['truth'] = {
    attended: sizes.attendees,
    registeredAttended,
    walkIns,
    chatMessages: sizes.chat,
    questions: 0,
    reactionsTotal: sizes.reactions,
    reactionsByKind: new Map(),
    responses: 0,
    ratingSum: 0,
    joins: 0,
    leaves: 0,
    feedbackEvents: 0,
    multiConnection: 0,
    reconnecting: 0,
    neverLeft: 0,
  };

  // Presence: each attendee's connections, as joins and leaves, and the intervals they were there.
  const presence: Interval[][] = [];
  const lastLeave: number[] = [];
  for (const [n, idx] of attendeeIdx.entries()) {
    const userId = liveUserId(idx);
    const named = r() >= 0.2; // a fifth of the clients send no connectionId (one connection)
    const conn = (k: number) => (named ? { connectionId: `${userId}-c${k}` } : undefined);
    const mark = (
      kind: 'live_join' | 'live_leave',
      at: number,
      data: Record<string, unknown> | undefined,
    ) => {
      events.push(base(kind, at, userId, data));
      if (kind === 'live_join') truth.joins++;
      else truth.leaves++;
    };
    const a = r();
    const arrival =
      a < 0.55
        ? scheduledStart - Math.floor(r() * 10 * MINUTE)
        : a < 0.85
          ? scheduledStart + Math.floor(r() * 5 * MINUTE)
          : scheduledStart + 5 * MINUTE + Math.floor(r() * 40 * MINUTE);
    const d = r();
    const stays = d < 0.65;
    const neverLeaves = d >= 0.9;
    const departure = stays
      ? scheduledEnd + Math.floor(r() * 8 * MINUTE)
      : neverLeaves
        ? scheduledEnd
        : arrival + 5 * MINUTE + Math.floor(r() * Math.max(MINUTE, scheduledEnd - arrival - 5 * MINUTE));
    if (neverLeaves) truth.neverLeft++;
    // The main connection, with drops and rejoins for 30 % (a new connection id for half of them).
    const own: Interval[] = [];
    let k = 0;
    let at = arrival;
    mark('live_join', at, conn(k));
    if (r() < 0.01) mark('live_join', at + 2000, conn(k)); // a repeated join while open: no change
    const drops = r() < 0.3 ? 1 + Math.floor(r() * 3) : 0;
    if (drops > 0) truth.reconnecting++;
    for (let i = 0; i < drops; i++) {
      const leaveAt = at + Math.floor(r() * (departure - at) * 0.8);
      if (leaveAt <= at + 1000) break;
      mark('live_leave', leaveAt, conn(k));
      own.push({ start: at, end: leaveAt });
      at = leaveAt + 5000 + Math.floor(r() * 3 * MINUTE);
      if (at >= departure) break;
      if (named && r() < 0.5) k++;
      mark('live_join', at, conn(k));
    }
    if (at < departure) {
      if (!neverLeaves) mark('live_leave', departure, conn(k));
      own.push({ start: at, end: departure });
    }
    // A second device or tab for 15 % of the named clients, open for a while within the visit.
    const extra = named && r() < 0.15 ? (r() < 0.8 ? 1 : 2) : 0;
    if (extra > 0) truth.multiConnection++;
    for (let e = 0; e < extra; e++) {
      const from = arrival + Math.floor(r() * Math.max(1, departure - arrival));
      const to = Math.min(departure + 2 * MINUTE, from + MINUTE + Math.floor(r() * 30 * MINUTE));
      mark('live_join', from, conn(100 + e));
      mark('live_leave', to, conn(100 + e));
      own.push({ start: from, end: to });
    }
    presence[n] = own.filter((i) => i.end > i.start);
    lastLeave[n] = own.reduce((t, i) => Math.max(t, i.end), arrival);
  }

  // Chat: 45 % of attendees chat, a few a lot (heavy-tailed shares of the total).
  const chatters = attendeeIdx.map((_, n) => n).filter(() => r() < 0.45);
  const chatCounts = apportion(
    sizes.chat,
    chatters.map(() => 1 / (0.02 + r()) ** 1.2),
  );
  for (const [c, n] of chatters.entries()) {
    const userId = liveUserId(attendeeIdx[n]!);
    for (let m = 0; m < chatCounts[c]!; m++) {
      const at = instantIn(r, presence[n]!);
      const q = r();
      let data: Record<string, unknown>;
      if (q < 0.06) {
        data = { text: pick(r, QUESTION_LINES) };
        truth.questions++;
      } else if (q < 0.09) {
        data = { text: pick(r, FLAGGED_LINES), isQuestion: true };
        truth.questions++;
      } else if (q < 0.1) {
        data = { text: 'Who else thinks this is great?', isQuestion: false };
      } else {
        data = { text: `${pick(r, CHAT_LINES)}${r() < 0.3 ? ` (${m + 1})` : ''}` };
      }
      events.push(base('live_chat', at, userId, data));
    }
  }

  // Reactions: 70 % of attendees react; 40 % of reactions bunch around six moments of the talk.
  const moments = Array.from(
    { length: 6 },
    (_, i) => scheduledStart + Math.floor(((i + 0.5) / 6) * SESSION_MINUTES * MINUTE),
  );
  const reactors = attendeeIdx.map((_, n) => n).filter(() => r() < 0.7);
  const reactionCounts = apportion(
    sizes.reactions,
    reactors.map(() => 1 / (0.05 + r()) ** 1.1),
  );
  const kindCum: [string, number][] = [];
  let cum = 0;
  for (const [kind, share] of REACTION_KINDS) {
    cum += share;
    kindCum.push([kind, cum]);
  }
  for (const [c, n] of reactors.entries()) {
    const userId = liveUserId(attendeeIdx[n]!);
    const own = presence[n]!;
    for (let m = 0; m < reactionCounts[c]!; m++) {
      let at = instantIn(r, own);
      if (r() < 0.4) {
        const t = pick(r, moments) + Math.floor((r() - 0.5) * MINUTE);
        if (own.some((i) => t >= i.start && t < i.end)) at = t;
      }
      const x = r() * cum;
      const kind = kindCum.find(([, c2]) => x < c2)?.[0] ?? 'like';
      truth.reactionsByKind.set(kind, (truth.reactionsByKind.get(kind) ?? 0) + 1);
      events.push(base('live_reaction', at, userId, { kind }));
    }
  }

  // Feedback: 35 % rate the session after leaving, 60 % of them with a comment; 3 % change
  // their mind later (the latest counts).
  const ratingOf = () => {
    const x = r();
    return x < 0.4 ? 5 : x < 0.75 ? 4 : x < 0.9 ? 3 : x < 0.96 ? 2 : 1;
  };
  for (const [n, idx] of attendeeIdx.entries()) {
    if (r() >= 0.35) continue;
    const userId = liveUserId(idx);
    let at = Math.max(lastLeave[n]!, scheduledEnd) + Math.floor(r() * 6 * HOUR);
    let rating = ratingOf();
    const send = () => {
      const comment =
        r() < 0.6 ? `${pick(r, COMMENT_PARTS)}${r() < 0.5 ? `, ${pick(r, COMMENT_PARTS)}` : ''}` : undefined;
      events.push(base('live_feedback', at, userId, { rating, ...(comment ? { comment } : {}) }));
      truth.feedbackEvents++;
    };
    send();
    if (r() < 0.03) {
      at += 1 + Math.floor(r() * 5 * HOUR);
      rating = ratingOf();
      send();
    }
    truth.responses++;
    truth.ratingSum += rating;
  }

  events.sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
  return { sizes, scheduledStart, scheduledEnd, users, registrations, events, truth };
}
