import { type Mark, sortMarks } from '../../src/domain/live/attendance.js';
import { type Attendee, LIVE_EVENT_TYPES } from '../../src/domain/live/attendee.js';
import { isQuestion } from '../../src/domain/live/feedback.js';
import { type LiveReport, liveReport } from '../../src/domain/live/report.js';
import { getLiveSession, type LiveSession, registeredUsers } from '../../src/store/catalog/live-sessions.js';
import type { Queryable } from '../../src/store/db.js';

/**
 * "Computing it from the raw events per request" (issue 5): the session's analytics answered
 * without the `live_attendance` projection, from the event log alone, on every request. Two
 * methods, both on the server's own driver settings (`openPostgres`) and the same domain code as
 * the endpoint, so that what differs is only where the attendee states come from:
 *
 * - `raw`: read every live event of the session (`SELECT … FROM events WHERE live_session_id =
 *   $1`), fold each learner's events into their state (`foldAttendee`'s rules, over the rows as
 *   they come) and compute the report (`liveReport`: interval union, concurrency sweep, chat,
 *   reactions, feedback, score).
 * - `sql`: let PostgreSQL aggregate the same rows first — per learner their chat and question
 *   counts, first join, last activity and joins/leaves as marks; reactions per (learner, kind);
 *   each learner's latest feedback (DISTINCT ON) — three queries over the session's events, then
 *   the same `liveReport`. Only the marks travel as rows: the cheapest raw-events method we found.
 *
 * Both read the session and its registrations as the endpoint does, and return the endpoint's
 * JSON (`GET /live-sessions/{id}/analytics` without a recording), timed from the first query to
 * the JSON string, in the bench process (no HTTP: that would only add to their time).
 */
export type RawMethod = 'raw' | 'sql';

export interface RawAnswer {
  ms: number;
  /** Until the last row arrived (the rest is computing in JS). */
  queryMs: number;
  /** Rows received from the events query (queries). */
  rows: number;
  json: string;
}

const LIVE_TYPES = [...LIVE_EVENT_TYPES];
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const sec = (ms: number) => ms / 1000;

/** The endpoint's answer from a report: `liveSessionAnalytics` of src/analytics/live.ts, field for field. */
export function analyticsBody(session: LiveSession, report: LiveReport, now: Date) {
  const { averageAttendedMs, totalAttendedMs, ...counts } = report.attendance;
  return {
    sessionId: session.id,
    title: session.title,
    courseId: session.courseId,
    instructorId: session.instructorId,
    scheduledStart: session.scheduledStart,
    scheduledEnd: session.scheduledEnd,
    recordingItemId: session.recordingItemId,
    asOf: now.toISOString(),
    live: report.live,
    attendance: {
      ...counts,
      averageAttendedSec: sec(averageAttendedMs),
      totalAttendedSec: sec(totalAttendedMs),
    },
    concurrency: {
      peak: report.concurrency.peak,
      peakAt: iso(report.concurrency.peakAt),
      timeline: report.concurrency.timeline.map((p) => ({ at: iso(p.at)!, viewers: p.viewers })),
    },
    engagement: report.engagement,
    feedback: report.feedback,
    recording: null,
    score: report.score,
  };
}

async function sessionFacts(db: Queryable, sessionId: string) {
  const [session, registrations] = await Promise.all([
    getLiveSession(db, sessionId),
    registeredUsers(db, [sessionId]),
  ]);
  if (!session) throw new Error(`live session ${sessionId} not found`);
  if (session.recordingItemId) throw new Error('the baselines do not compute recording figures');
  return { session, registrations: registrations.get(sessionId)! };
}

function finish(
  session: LiveSession,
  registrations: ReadonlySet<string>,
  attendees: readonly Attendee[],
  now: Date,
): string {
  const report = liveReport(
    { scheduledStart: Date.parse(session.scheduledStart), scheduledEnd: Date.parse(session.scheduledEnd) },
    registrations,
    attendees,
    now.getTime(),
  );
  return JSON.stringify(analyticsBody(session, report, now));
}

export interface EventRow {
  [k: string]: unknown;
  id: string;
  type: string;
  at: number;
  user_id: string;
  data: Record<string, unknown> | null;
}

/** A learner's state before their first event, as `foldAttendee` starts it. */
const emptyAttendee = (sessionId: string, userId: string): Attendee => ({
  sessionId,
  userId,
  marks: [],
  firstJoinAt: null,
  lastActivityAt: null,
  chatMessages: 0,
  questions: 0,
  reactions: new Map(),
  rating: null,
  comment: null,
  feedbackAt: null,
  feedbackEvent: null,
});

/**
 * The rules of `foldAttendee` (src/domain/live/attendee.ts), applied to the rows as they come:
 * the same state without building an event object (and an ISO time) per row first. The answers
 * are checked against the endpoint's, so a divergence from `foldAttendee` would fail the bench.
 */
export function foldRows(sessionId: string, rows: readonly EventRow[]): Attendee[] {
  const byUser = new Map<string, Attendee>();
  for (const r of rows) {
    let a = byUser.get(r.user_id);
    if (!a) {
      a = emptyAttendee(sessionId, r.user_id);
      byUser.set(r.user_id, a);
    }
    const at = r.at;
    if (r.type !== 'live_feedback') a.lastActivityAt = Math.max(a.lastActivityAt ?? at, at);
    const data = r.data ?? {};
    switch (r.type) {
      case 'live_join':
      case 'live_leave':
        a.marks.push({
          at,
          kind: r.type === 'live_join' ? 'join' : 'leave',
          connection: (data.connectionId as string | undefined) ?? '',
        });
        if (r.type === 'live_join') a.firstJoinAt = a.firstJoinAt === null ? at : Math.min(a.firstJoinAt, at);
        break;
      case 'live_chat':
        a.chatMessages++;
        if (isQuestion(data as { text?: string; isQuestion?: boolean })) a.questions++;
        break;
      case 'live_reaction': {
        const kind = data.kind as string;
        a.reactions.set(kind, (a.reactions.get(kind) ?? 0) + 1);
        break;
      }
      case 'live_feedback':
        if (
          a.feedbackAt === null ||
          at > a.feedbackAt ||
          (at === a.feedbackAt && r.id > (a.feedbackEvent ?? ''))
        ) {
          a.rating = data.rating as number;
          a.comment = (data.comment as string | undefined) ?? null;
          a.feedbackAt = at;
          a.feedbackEvent = r.id;
        }
        break;
    }
  }
  const out = [...byUser.values()];
  for (const a of out) a.marks = sortMarks(a.marks);
  return out;
}

/** `raw`: every live event of the session into JS, folded per learner. */
async function rawMethod(db: Queryable, sessionId: string, now: Date): Promise<RawAnswer> {
  const started = process.hrtime.bigint();
  const [{ session, registrations }, rows] = await Promise.all([
    sessionFacts(db, sessionId),
    db.query<EventRow>(
      `SELECT id, type, (extract(epoch FROM occurred_at) * 1000)::float8 AS at, user_id, data
       FROM events WHERE live_session_id = $1 AND type = ANY($2::text[])`,
      [sessionId, LIVE_TYPES],
    ),
  ]);
  const queryMs = Number(process.hrtime.bigint() - started) / 1e6;
  const json = finish(session, registrations, foldRows(sessionId, rows), now);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, queryMs, rows: rows.length, json };
}

interface PersonRow {
  [k: string]: unknown;
  user_id: string;
  chat: number;
  questions: number;
  first_join: number | null;
  last_activity: number | null;
  marks: [number, 'join' | 'leave', string][];
}

/** `isQuestion` of src/domain/live/feedback.ts in SQL: the client's flag, else a final question mark. */
const QUESTION_SQL = `CASE WHEN data ? 'isQuestion' THEN (data->>'isQuestion')::boolean
                      ELSE coalesce(data->>'text', '') ~ $3 END`;
const QUESTION_RE = '[?？¿]\\s*$';

/** `sql`: the same events aggregated per learner by PostgreSQL, then the same report. */
async function sqlMethod(db: Queryable, sessionId: string, now: Date): Promise<RawAnswer> {
  const started = process.hrtime.bigint();
  const ms = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;
  const [{ session, registrations }, people, reactions, feedback] = await Promise.all([
    sessionFacts(db, sessionId),
    db.query<PersonRow>(
      `SELECT user_id,
         count(*) FILTER (WHERE type = 'live_chat')::int AS chat,
         count(*) FILTER (WHERE type = 'live_chat' AND ${QUESTION_SQL})::int AS questions,
         ${ms("min(occurred_at) FILTER (WHERE type = 'live_join')")} AS first_join,
         ${ms("max(occurred_at) FILTER (WHERE type <> 'live_feedback')")} AS last_activity,
         coalesce(jsonb_agg(jsonb_build_array(${ms('occurred_at')},
             CASE type WHEN 'live_join' THEN 'join' ELSE 'leave' END, coalesce(data->>'connectionId', '')))
           FILTER (WHERE type IN ('live_join', 'live_leave')), '[]') AS marks
       FROM events WHERE live_session_id = $1 AND type = ANY($2::text[])
       GROUP BY user_id`,
      [sessionId, LIVE_TYPES, QUESTION_RE],
    ),
    db.query<{ user_id: string; kind: string; n: number }>(
      `SELECT user_id, data->>'kind' AS kind, count(*)::int AS n
       FROM events WHERE live_session_id = $1 AND type = 'live_reaction' GROUP BY 1, 2`,
      [sessionId],
    ),
    db.query<{ user_id: string; rating: number; comment: string | null; at: number; id: string }>(
      `SELECT DISTINCT ON (user_id) user_id, (data->>'rating')::int AS rating, data->>'comment' AS comment,
         ${ms('occurred_at')} AS at, id::text AS id
       FROM events WHERE live_session_id = $1 AND type = 'live_feedback'
       ORDER BY user_id, occurred_at DESC, id DESC`,
      [sessionId],
    ),
  ]);
  const queryMs = Number(process.hrtime.bigint() - started) / 1e6;
  const byUser = new Map<string, Attendee>();
  for (const p of people) {
    byUser.set(p.user_id, {
      sessionId,
      userId: p.user_id,
      marks: sortMarks(p.marks.map(([at, kind, connection]): Mark => ({ at, kind, connection }))),
      firstJoinAt: p.first_join,
      lastActivityAt: p.last_activity,
      chatMessages: p.chat,
      questions: p.questions,
      reactions: new Map(),
      rating: null,
      comment: null,
      feedbackAt: null,
      feedbackEvent: null,
    });
  }
  for (const r of reactions) byUser.get(r.user_id)!.reactions.set(r.kind, r.n);
  for (const f of feedback) {
    const a = byUser.get(f.user_id)!;
    a.rating = f.rating;
    a.comment = f.comment;
    a.feedbackAt = f.at;
    a.feedbackEvent = f.id;
  }
  const json = finish(session, registrations, [...byUser.values()], now);
  return {
    ms: Number(process.hrtime.bigint() - started) / 1e6,
    queryMs,
    rows: people.length + reactions.length + feedback.length,
    json,
  };
}

/**
 * One request's worth of a raw-events method.
 * @example const { ms, json } = await rawEventsAnalytics(db, 'raw', SESSION_ID, new Date());
 */
export function rawEventsAnalytics(
  db: Queryable,
  method: RawMethod,
  sessionId: string,
  now: Date,
): Promise<RawAnswer> {
  return method === 'raw' ? rawMethod(db, sessionId, now) : sqlMethod(db, sessionId, now);
}

/**
 * Paths (up to `limit`) where two answers differ, `asOf` aside; numbers equal within 1e-9
 * (relative) count as equal (sums taken in another order).
 */
export function differences(a: unknown, b: unknown, at = '', out: string[] = [], limit = 8): string[] {
  if (out.length >= limit) return out;
  if (at === '.asOf') return out;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))) return out;
  } else if (a && b && typeof a === 'object' && typeof b === 'object') {
    if (Array.isArray(a) !== Array.isArray(b)) {
      out.push(`${at || '.'}: array ≠ object`);
      return out;
    }
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      differences(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        `${at}.${k}`,
        out,
        limit,
      );
    }
    return out;
  } else if (a === b) {
    return out;
  }
  out.push(`${at || '.'}: ${JSON.stringify(a)?.slice(0, 80)} ≠ ${JSON.stringify(b)?.slice(0, 80)}`);
  return out;
}

/** The figures the issue names, as the endpoint's JSON gives them. */
export interface KeyFigures {
  registered: number;
  attended: number;
  walkIns: number;
  peak: number;
  peakAt: string | null;
  chatMessages: number;
  questions: number;
  reactionsTotal: number;
  responses: number;
  averageRating: number | null;
  score: number;
}

export function keyFigures(body: unknown): KeyFigures {
  const b = body as {
    attendance: { registered: number; attended: number; walkIns: number };
    concurrency: { peak: number; peakAt: string | null };
    engagement: { chatMessages: number; questions: number; reactionsTotal: number };
    feedback: { responses: number; averageRating: number | null };
    score: { score: number };
  };
  return {
    registered: b.attendance.registered,
    attended: b.attendance.attended,
    walkIns: b.attendance.walkIns,
    peak: b.concurrency.peak,
    peakAt: b.concurrency.peakAt,
    chatMessages: b.engagement.chatMessages,
    questions: b.engagement.questions,
    reactionsTotal: b.engagement.reactionsTotal,
    responses: b.feedback.responses,
    averageRating: b.feedback.averageRating,
    score: b.score.score,
  };
}
