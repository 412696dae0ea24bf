import { randomUUID } from 'node:crypto';

/**
 * The live-feed bench's catalog and workload (issue 6): courses taught by several instructors,
 * learners enrolled in two courses each, and an ingest stream that is mostly video heartbeats
 * (which make no feed item: they never reach half of a video) with a few milestone events per
 * request, each making exactly one feed item that no later event revises. Every milestone has a
 * key (type, learner, item) by which the feed item it makes is matched to the request that sent it.
 */

export interface FeedCatalogSpec {
  courses: number;
  instructorsPerCourse: number;
  learners: number;
  lessonsPerCourse: number;
  quizzesPerCourse: number;
  videosPerCourse: number;
}

export const CATALOG: FeedCatalogSpec = {
  courses: 20,
  instructorsPerCourse: 10,
  learners: 2_000,
  lessonsPerCourse: 30,
  quizzesPerCourse: 10,
  videosPerCourse: 4,
};

/** Seconds of a video; heartbeats only ever cover its first `VIDEO_SPAN_SEC` (under half of it). */
export const VIDEO_SEC = 3_600;
const VIDEO_SPAN_SEC = 1_500;
const HEARTBEAT_SEC = 10;

const pad = (n: number, w: number) => String(n).padStart(w, '0');
export const courseId = (c: number) => `feed-c${pad(c, 2)}`;
export const learnerId = (i: number) => `feed-l${pad(i, 4)}`;
export const instructorId = (c: number, k: number) => `feed-i${pad(c, 2)}-${k}`;
export const adminId = (i: number) => `feed-admin-${pad(i, 2)}`;
const lessonId = (c: number, k: number) => `${courseId(c)}-lesson-${pad(k, 2)}`;
const quizId = (c: number, k: number) => `${courseId(c)}-quiz-${pad(k, 2)}`;
const videoId = (c: number, k: number) => `${courseId(c)}-video-${k}`;

/** The two courses learner `i` is enrolled in (distinct). */
export function coursesOf(i: number, spec: FeedCatalogSpec = CATALOG): [number, number] {
  const a = i % spec.courses;
  const b = (a + 1 + (Math.floor(i / spec.courses) % (spec.courses - 1))) % spec.courses;
  return [a, b];
}

/** The catalog as the API's bulk bodies: PUT /users, PUT /courses/{id}, …/items, …/enrollments. */
export function catalogRequests(spec: FeedCatalogSpec = CATALOG) {
  const users: { id: string; displayName: string }[] = [];
  for (let i = 0; i < spec.learners; i++) users.push({ id: learnerId(i), displayName: `Learner ${i}` });
  for (let c = 0; c < spec.courses; c++)
    for (let k = 0; k < spec.instructorsPerCourse; k++)
      users.push({ id: instructorId(c, k), displayName: `Instructor ${c}.${k}` });
  const courses = Array.from({ length: spec.courses }, (_, c) => {
    const items = [
      ...Array.from({ length: spec.videosPerCourse }, (_, k) => ({
        id: videoId(c, k),
        type: 'video' as const,
        title: `Video ${k + 1}`,
        durationSec: VIDEO_SEC,
      })),
      ...Array.from({ length: spec.lessonsPerCourse }, (_, k) => ({
        id: lessonId(c, k),
        type: 'lesson' as const,
        title: `Lesson ${k + 1}`,
      })),
      ...Array.from({ length: spec.quizzesPerCourse }, (_, k) => ({
        id: quizId(c, k),
        type: 'quiz' as const,
        title: `Quiz ${k + 1}`,
      })),
    ].map((item, position) => ({ ...item, position }));
    const enrolled: { userId: string }[] = [];
    for (let i = 0; i < spec.learners; i++)
      if (coursesOf(i, spec).includes(c)) enrolled.push({ userId: learnerId(i) });
    return {
      id: courseId(c),
      course: {
        title: `Course ${c + 1}`,
        instructorIds: Array.from({ length: spec.instructorsPerCourse }, (_, k) => instructorId(c, k)),
      },
      items,
      enrollments: enrolled,
    };
  });
  return { users, courses };
}

/** Who a subscriber (or poller) is and which items it may see. */
export type Audience =
  | { kind: 'admin'; userId: string; types?: string[] }
  | { kind: 'instructor'; userId: string; course: string; filtered: boolean }
  | { kind: 'learner'; userId: string };

export interface SubscriberPlan {
  admins: number;
  instructors: number;
  learners: number;
}

/**
 * The subscribers: admins (every fifth with a `types` filter), instructors spread over the
 * courses (every other one also filtering on its course, which changes nothing it may see), and
 * the first learners (each sees only their own items).
 */
export function audiences(plan: SubscriberPlan, spec: FeedCatalogSpec = CATALOG): Audience[] {
  const out: Audience[] = [];
  for (let i = 0; i < plan.admins; i++)
    out.push(
      i % 5 === 4
        ? { kind: 'admin', userId: adminId(i), types: ['lesson_completed', 'exam_attempt'] }
        : { kind: 'admin', userId: adminId(i) },
    );
  for (let i = 0; i < plan.instructors; i++) {
    const c = i % spec.courses;
    const k = Math.floor(i / spec.courses) % spec.instructorsPerCourse;
    out.push({ kind: 'instructor', userId: instructorId(c, k), course: courseId(c), filtered: i % 2 === 1 });
  }
  for (let i = 0; i < plan.learners; i++) out.push({ kind: 'learner', userId: learnerId(i % spec.learners) });
  return out;
}

/** The query string of a subscriber's stream (filters only; the token goes in a header or the query). */
export function streamQuery(a: Audience): string {
  if (a.kind === 'admin' && a.types) return `?types=${a.types.join(',')}`;
  if (a.kind === 'instructor' && a.filtered) return `?courseId=${encodeURIComponent(a.course)}`;
  return '';
}

/** A feed item as far as the checks need it. */
export interface ItemFacts {
  seq: number;
  id: string;
  type: string;
  userId: string;
  courseId: string | null;
  itemId: string | null;
}

/** Whether `a` may see (and asked for) the item: SPEC §4's rules written out again, not imported. */
export function sees(a: Audience, item: ItemFacts): boolean {
  switch (a.kind) {
    case 'admin':
      return !a.types || a.types.includes(item.type);
    case 'instructor':
      return item.courseId === a.course;
    case 'learner':
      return item.userId === a.userId && item.type !== 'at_risk_changed';
  }
}

/** The key a milestone and its feed item share. */
export const milestoneKey = (type: string, userId: string, itemId: string) => `${type}|${userId}|${itemId}`;

export interface Batch {
  body: string;
  events: number;
  /** Keys of the feed items this request's milestone events make. */
  keys: string[];
}

/**
 * Request bodies of the ingest load: `batch` events each, of which `milestones` make a feed item
 * and the rest are `video_heartbeat`s. Heartbeats: a random enrolled learner plays one of a
 * course's videos 10 s further each time, wrapping at 1,500 s of a 3,600-s video, so no viewer
 * ever reaches half of it (no item). Milestones: 40 % a lesson reported at 60 % (progress_update),
 * 30 % a lesson reported at 100 % whose 60 % was acknowledged earlier (lesson_completed), 30 % a
 * quiz attempt on a quiz the learner never tried (exam_attempt, attempt 1): no milestone is
 * revised by a later event, so each item is written once.
 */
export class FeedWorkload {
  private readonly positions = new Map<string, number>();
  private readonly nextLesson: Uint16Array;
  private readonly nextQuiz: Uint16Array;
  /** (learner, course, lesson) whose 60 % was acknowledged and not yet completed. */
  private halfDone: [number, number, number][] = [];
  milestones = { progress_update: 0, lesson_completed: 0, exam_attempt: 0 };

  constructor(private readonly spec: FeedCatalogSpec = CATALOG) {
    this.nextLesson = new Uint16Array(spec.learners * 2);
    this.nextQuiz = new Uint16Array(spec.learners * 2);
  }

  /** Called once a request is answered: its lessons at 60 % may now be completed. */
  acknowledged(keys: readonly string[]): void {
    for (const key of keys) {
      if (!key.startsWith('progress_update|')) continue;
      const [, user, item] = key.split('|') as [string, string, string];
      const m = /^feed-c(\d+)-lesson-(\d+)$/.exec(item);
      if (m) this.halfDone.push([Number(user.slice(6)), Number(m[1]), Number(m[2])]);
    }
  }

  body(batch: number, milestones: number, now: number): Batch {
    const at = new Date(now).toISOString();
    const keys: string[] = [];
    const parts: string[] = [];
    const slots = new Set<number>();
    while (slots.size < Math.min(milestones, batch)) slots.add(Math.floor(Math.random() * batch));
    for (let i = 0; i < batch; i++) {
      if (slots.has(i)) {
        const m = this.milestone(at);
        if (m) {
          parts.push(m.json);
          keys.push(m.key);
          continue;
        }
      }
      parts.push(this.heartbeat(at));
    }
    return { body: `{"events":[${parts.join(',')}]}`, events: batch, keys };
  }

  private heartbeat(at: string): string {
    const i = Math.floor(Math.random() * this.spec.learners);
    const c = coursesOf(i, this.spec)[Math.floor(Math.random() * 2)]!;
    const v = Math.floor(Math.random() * this.spec.videosPerCourse);
    const pair = `${i}:${c}:${v}`;
    const from = this.positions.get(pair) ?? 0;
    const to = from + HEARTBEAT_SEC;
    this.positions.set(pair, to >= VIDEO_SPAN_SEC ? 0 : to);
    return (
      `{"id":"${randomUUID()}","type":"video_heartbeat","occurredAt":"${at}","userId":"${learnerId(i)}",` +
      `"courseId":"${courseId(c)}","itemId":"${videoId(c, v)}","data":{"positionSec":${to},` +
      `"durationSec":${VIDEO_SEC},"segments":[[${from},${to}]]}}`
    );
  }

  private milestone(at: string): { json: string; key: string } | undefined {
    const u = Math.random();
    if (u < 0.3 && this.halfDone.length > 0) {
      const k = Math.floor(Math.random() * this.halfDone.length);
      const [i, c, l] = this.halfDone[k]!;
      this.halfDone[k] = this.halfDone[this.halfDone.length - 1]!;
      this.halfDone.pop();
      this.milestones.lesson_completed++;
      return this.lessonProgress(i, c, l, 100, at, 'lesson_completed');
    }
    for (let tries = 0; tries < 100; tries++) {
      const i = Math.floor(Math.random() * this.spec.learners);
      const side = Math.floor(Math.random() * 2);
      const c = coursesOf(i, this.spec)[side]!;
      const slot = i * 2 + side;
      if (u >= 0.7) {
        const q = this.nextQuiz[slot]!;
        if (q >= this.spec.quizzesPerCourse) continue;
        this.nextQuiz[slot] = q + 1;
        this.milestones.exam_attempt++;
        const score = Math.floor(Math.random() * 11);
        return {
          key: milestoneKey('exam_attempt', learnerId(i), quizId(c, q)),
          json:
            `{"id":"${randomUUID()}","type":"quiz_submit","occurredAt":"${at}","userId":"${learnerId(i)}",` +
            `"courseId":"${courseId(c)}","itemId":"${quizId(c, q)}","data":{"attemptId":"${randomUUID()}",` +
            `"score":${score},"maxScore":10,"passed":${score >= 6},"timeSpentSec":${60 + Math.floor(Math.random() * 600)}}}`,
        };
      }
      const l = this.nextLesson[slot]!;
      if (l >= this.spec.lessonsPerCourse) continue;
      this.nextLesson[slot] = l + 1;
      this.milestones.progress_update++;
      return this.lessonProgress(i, c, l, 60, at, 'progress_update');
    }
    return undefined;
  }

  private lessonProgress(i: number, c: number, l: number, value: number, at: string, type: string) {
    return {
      key: milestoneKey(type, learnerId(i), lessonId(c, l)),
      json:
        `{"id":"${randomUUID()}","type":"lesson_progress","occurredAt":"${at}","userId":"${learnerId(i)}",` +
        `"courseId":"${courseId(c)}","itemId":"${lessonId(c, l)}","value":${value}}`,
    };
  }
}

/**
 * Milliseconds on CLOCK_MONOTONIC (process.hrtime), the same clock in every process of the
 * machine: the load generator, the subscribers and the commit listener time events on it.
 */
export const clockMs = (): number => Number(process.hrtime.bigint()) / 1e6;
