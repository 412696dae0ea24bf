// The workload of the multi-process feed test: batches of learner events whose feed items are
// known by hand from the item rules (SPEC §3), with every subject (lesson, quiz, certificate,
// learner-and-session pair) used once, so that no item is ever revised and every item the feed
// shows must arrive exactly once with the seq it was committed with.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiClient } from './spawn-server.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field
export type Json = Record<string, any>;

const MIN = 60_000;
/** The scenario's origin (a month before the run's clock, so nothing is dated in the future). */
export const T0 = Date.parse('2026-11-02T08:00:00.000Z');
const iso = (t: number) => new Date(t).toISOString();

export const LEARNERS = ['mp-u0', 'mp-u1', 'mp-u2', 'mp-u3', 'mp-u4', 'mp-u5'];
export const INSTRUCTOR = 'mp-ins';
export const COURSES = ['mp-ca', 'mp-cb'];
const LESSONS = 2400;
const QUIZZES = 800;
const SESSIONS = 80;
const lessonId = (i: number) => `mp-les-${i}`;
const quizId = (i: number) => `mp-quiz-${i}`;
const sessionId = (i: number) => `mp-ls-${i}`;
const courseOfIndex = (i: number) => COURSES[i % COURSES.length]!;
/** Every third session belongs to no course: its attendance items have no course. */
const sessionCourse = (i: number): string | null => (i % 3 === 2 ? null : courseOfIndex(i));

/** Pushes the learners, courses, items and live sessions the workload names. */
export async function loadCatalog(baseUrl: string): Promise<void> {
  const api = apiClient(baseUrl);
  const ok = async (method: string, url: string, body: unknown) => {
    const res = await api.send(method, url, body);
    assert.equal(res.status, 200, `${method} ${url}: ${JSON.stringify(res.body)}`);
  };
  await ok('PUT', '/api/v1/users', {
    items: [...LEARNERS, INSTRUCTOR].map((id) => ({ id, displayName: `Name of ${id}` })),
  });
  for (const [c, courseId] of COURSES.entries()) {
    await ok('PUT', `/api/v1/courses/${courseId}`, {
      title: `Course ${courseId}`,
      instructorIds: [INSTRUCTOR],
    });
    const items: Json[] = [];
    for (let i = c; i < LESSONS; i += COURSES.length)
      items.push({ id: lessonId(i), type: 'lesson', title: `Lesson ${i}`, position: i });
    for (let i = c; i < QUIZZES; i += COURSES.length)
      items.push({ id: quizId(i), type: 'quiz', title: `Quiz ${i}`, position: LESSONS + i });
    await ok('PUT', `/api/v1/courses/${courseId}/items`, { items });
  }
  for (let i = 0; i < SESSIONS; i++) {
    await ok('PUT', `/api/v1/live-sessions/${sessionId(i)}`, {
      title: `Session ${i}`,
      courseId: sessionCourse(i),
      instructorId: INSTRUCTOR,
      scheduledStart: iso(T0),
      scheduledEnd: iso(T0 + 48 * 60 * MIN),
    });
  }
}

/** A feed item the workload implies, and the request that carried its events. */
export interface Expected {
  key: string;
  type: string;
  learner: string;
  subject: string;
  course: string | null;
  occurredAt: string;
  /** The sender and its request number: a sender's later request was sent after the earlier one was answered. */
  client: string;
  req: number;
}

/** What a feed entry is about: its item, its live session, or its certificate. */
export const subjectOf = (e: Json): string =>
  (e.item?.id as string | undefined) ??
  (e.session?.id as string | undefined) ??
  String(e.data?.certificateId);

/** The identity of a feed entry as the workload predicts it. */
export const keyOf = (e: Json): string => `${e.type}|${e.learner.id}|${subjectOf(e)}`;

/** The facts of a feed entry the workload predicts, in the shape of `brief(expected)`. */
export const briefOf = (e: Json) => [keyOf(e), e.course?.id ?? null, e.occurredAt];
export const brief = (x: Expected) => [x.key, x.course, x.occurredAt];

export interface Batch {
  client: string;
  req: number;
  events: Json[];
  items: Expected[];
}

/**
 * Generates batches. Unit n (a global counter, so concurrent senders never share a subject) is,
 * by n mod 6: a lesson reported at 20 then 100 % (one lesson_completed), a lesson at 60 % (one
 * progress_update, and nothing later moves it), a first quiz attempt (one exam_attempt), a
 * certificate (one certification_issued), a live session join and leave (one
 * live_session_attended), or noise that makes no item (session time, a visit, a lesson at 30 %).
 */
export class FeedWorkload {
  /** Every item implied so far, by key. */
  readonly expected = new Map<string, Expected>();
  private n = 0;
  private lessons = 0;
  private quizzes = 0;
  private pairs = 0;
  private readonly reqs = new Map<string, number>();

  private nextLesson(): { lesson: string; course: string } {
    assert.ok(this.lessons < LESSONS, 'the workload ran out of catalogued lessons');
    const i = this.lessons++;
    return { lesson: lessonId(i), course: courseOfIndex(i) };
  }

  batch(client: string, units: number): Batch {
    const req = this.reqs.get(client) ?? 0;
    this.reqs.set(client, req + 1);
    const events: Json[] = [];
    const items: Expected[] = [];
    const expect = (type: string, learner: string, subject: string, course: string | null, t: number) => {
      const x: Expected = {
        key: `${type}|${learner}|${subject}`,
        type,
        learner,
        subject,
        course,
        occurredAt: iso(t),
        client,
        req,
      };
      assert.ok(!this.expected.has(x.key), `the workload repeated ${x.key}`);
      this.expected.set(x.key, x);
      items.push(x);
    };
    for (let u = 0; u < units; u++) {
      const n = this.n++;
      // Rotated so that every learner gets every kind of unit.
      const learner = LEARNERS[(n + Math.floor(n / 6)) % LEARNERS.length]!;
      const t = T0 + n * MIN;
      const ev = (type: string, at: number, extra: Json) =>
        events.push({ id: randomUUID(), type, userId: learner, occurredAt: iso(at), ...extra });
      switch (n % 6) {
        case 0: {
          const { lesson, course } = this.nextLesson();
          ev('lesson_progress', t - 30_000, { courseId: course, itemId: lesson, value: 20 });
          ev('lesson_progress', t, { courseId: course, itemId: lesson, value: 100 });
          expect('lesson_completed', learner, lesson, course, t);
          break;
        }
        case 1: {
          const { lesson, course } = this.nextLesson();
          ev('lesson_progress', t, { courseId: course, itemId: lesson, value: 60 });
          expect('progress_update', learner, lesson, course, t);
          break;
        }
        case 2: {
          assert.ok(this.quizzes < QUIZZES, 'the workload ran out of catalogued quizzes');
          const q = this.quizzes++;
          const course = courseOfIndex(q);
          const score = n % 11;
          ev('quiz_submit', t, {
            courseId: course,
            itemId: quizId(q),
            data: { attemptId: `att-${n}`, score, maxScore: 10, passed: score >= 6, timeSpentSec: 90 },
          });
          expect('exam_attempt', learner, quizId(q), course, t);
          break;
        }
        case 3: {
          const course = courseOfIndex(n);
          const certificateId = `MP-CERT-${n}`;
          ev('certification_issued', t, { courseId: course, data: { certificateId } });
          expect('certification_issued', learner, certificateId, course, t);
          break;
        }
        case 4: {
          // One attendance per learner and session: the next session this learner has not joined.
          const p = this.pairs++;
          const s = Math.floor(p / LEARNERS.length);
          assert.ok(s < SESSIONS, 'the workload ran out of live sessions');
          const who = LEARNERS[p % LEARNERS.length]!;
          events.push(
            {
              id: randomUUID(),
              type: 'live_join',
              userId: who,
              occurredAt: iso(t),
              liveSessionId: sessionId(s),
            },
            {
              id: randomUUID(),
              type: 'live_leave',
              userId: who,
              occurredAt: iso(t + 10 * MIN),
              liveSessionId: sessionId(s),
            },
          );
          expect('live_session_attended', who, sessionId(s), sessionCourse(s), t);
          break;
        }
        default: {
          const course = courseOfIndex(n);
          ev('heartbeat', t, { courseId: course, data: { activeSec: 30 } });
          ev('course_visit', t, { courseId: course });
          const fresh = this.nextLesson();
          ev('lesson_progress', t, { courseId: fresh.course, itemId: fresh.lesson, value: 30 });
        }
      }
    }
    // Late events in the batch: the server orders by occurredAt, not by position in the request.
    if (req % 2 === 1) events.reverse();
    return { client, req, events, items };
  }
}

/** Waits until `probe` holds or `ms` pass; the caller's assertions then say what is missing. */
export async function settle(probe: () => boolean, ms = 20_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** The whole feed a server gives with `query` (paged with the cursor), in seq order. */
export async function feedBySeq(baseUrl: string, query = ''): Promise<Json[]> {
  const api = apiClient(baseUrl);
  const out: Json[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams(query);
    params.set('limit', '200');
    if (cursor) params.set('cursor', cursor);
    const res = await api.send('GET', `/api/v1/feed?${params}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const page = res.body as Json;
    out.push(...(page.items as Json[]));
    cursor = page.nextCursor as string | null;
  } while (cursor);
  return out.sort((a, b) => a.seq - b.seq);
}

/** Consecutive integers from `from` to `to`. */
export const range = (from: number, to: number): number[] =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, k) => from + k);

/**
 * Asserts the received entries are the expected items, each exactly once: reports missing,
 * unexpected and repeated keys (a readable failure for hundreds of items), then compares facts.
 */
export function assertExactlyOnce(received: Json[], expected: Iterable<Expected>, what: string): void {
  const want = [...expected];
  const wantKeys = new Set(want.map((x) => x.key));
  const seen = new Map<string, number>();
  for (const e of received) seen.set(keyOf(e), (seen.get(keyOf(e)) ?? 0) + 1);
  const missing = [...wantKeys].filter((k) => !seen.has(k));
  const extra = [...seen.keys()].filter((k) => !wantKeys.has(k));
  const repeated = [...seen].filter(([, c]) => c > 1).map(([k, c]) => `${k} ×${c}`);
  const ids = received.map((e) => e.id as string);
  assert.deepEqual(
    { missing: missing.slice(0, 10), extra: extra.slice(0, 10), repeated: repeated.slice(0, 10) },
    { missing: [], extra: [], repeated: [] },
    `${what}: ${received.length} received, ${want.length} expected (${missing.length} missing, ${extra.length} unexpected, ${repeated.length} repeated)`,
  );
  assert.equal(new Set(ids).size, ids.length, `${what}: an item id came twice`);
  const byKey = new Map(want.map((x) => [x.key, x]));
  assert.deepEqual(
    received.map(briefOf),
    received.map((e) => brief(byKey.get(keyOf(e))!)),
    `${what}: course and time of each item`,
  );
}

/**
 * Asserts the entries are in strictly increasing seq order, each event id being its seq, and that
 * the items of one sender's requests come in the order the requests were made (a request sent
 * after the previous one was answered commits after it).
 */
export function assertInOrder(
  received: (Json & { eventId?: string })[],
  expected: Map<string, Expected>,
  what: string,
) {
  const seqs = received.map((e) => e.seq as number);
  for (let i = 1; i < seqs.length; i++)
    assert.ok(seqs[i]! > seqs[i - 1]!, `${what}: seq ${seqs[i]} came after ${seqs[i - 1]} (position ${i})`);
  assert.deepEqual(
    received.map((e) => e.eventId),
    seqs.map(String),
    `${what}: each event id is the item's seq`,
  );
  const lastReq = new Map<string, number>();
  for (const e of received) {
    const x = expected.get(keyOf(e));
    if (!x) continue;
    const before = lastReq.get(x.client) ?? -1;
    assert.ok(
      x.req >= before,
      `${what}: ${x.key} (request ${x.req} of ${x.client}) came after an item of its request ${before}`,
    );
    lastReq.set(x.client, x.req);
  }
}
