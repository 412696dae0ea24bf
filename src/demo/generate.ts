import type { CourseInput, ItemInput, LiveSessionInput, UserInput } from '../domain/catalog/schemas.js';
import type { LearningEvent } from '../domain/events/types.js';

/** A small deterministic PRNG (mulberry32) so every demo platform looks the same. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A UUID (version 4 layout) drawn from the PRNG, so re-seeding resends the same event ids. */
function uuidFrom(rand: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const ZONES = [
  'UTC',
  'Europe/London',
  'Europe/Berlin',
  'America/New_York',
  'America/Los_Angeles',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Pacific/Auckland',
  'America/Sao_Paulo',
  'Africa/Lagos',
];
const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Katherine',
  'Linus',
  'Margaret',
  'Tim',
  'Radia',
  'Edsger',
  'Barbara',
  'Ken',
  'Frances',
  'Dennis',
  'Hedy',
  'Niklaus',
  'Sophie',
  'José',
  'Zoë',
  'Mei',
  'Ayşe',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Johnson',
  'Torvalds',
  'Hamilton',
  'Berners-Lee',
  'Perlman',
  'Dijkstra',
  'Liskov',
  'Thompson',
  'Allen',
  'Ritchie',
  'Lamarr',
  'Wirth',
  'Wilson',
  "O'Neil",
  'Nakamura',
  'Chen',
  'Yılmaz',
];

export interface DemoPlatform {
  users: (UserInput & { id: string })[];
  courses: { id: string; input: CourseInput; items: (ItemInput & { id: string })[]; students: string[] }[];
  liveSessions: { id: string; input: LiveSessionInput; registered: string[] }[];
  events: LearningEvent[];
  instructorId: string;
  adminId: string;
}

/**
 * Generates a believable platform: courses with lessons, videos and quizzes, learners in many time
 * zones with habits (some keen, some fading), and 28 days of visits and time on task.
 */
export function generateDemo(learners: number, now: Date, seed = 42): DemoPlatform {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const instructorId = 'demo-instructor';
  const adminId = 'demo-admin';
  const users: DemoPlatform['users'] = [
    { id: instructorId, displayName: 'Dr. Ines Ramos', email: 'ines@example.edu', timezone: 'Europe/Madrid' },
    { id: adminId, displayName: 'Platform Admin', email: 'admin@example.edu', timezone: 'UTC' },
  ];
  for (let i = 1; i <= learners; i++) {
    users.push({
      id: `demo-learner-${String(i).padStart(3, '0')}`,
      displayName: `${pick(FIRST)} ${pick(LAST)}`,
      email: `learner${i}@example.edu`,
      timezone: pick(ZONES),
    });
  }
  const learnerIds = users.slice(2).map((u) => u.id);
  const titles = ['Introduction to Data Science', 'Web Development Foundations', 'Statistics for Everyone'];
  const courses: DemoPlatform['courses'] = titles.map((title, c) => {
    const id = `demo-course-${c + 1}`;
    const items: (ItemInput & { id: string })[] = [];
    for (let k = 1; k <= 8; k++) {
      const type = k % 4 === 0 ? 'quiz' : k % 2 === 0 ? 'video' : 'lesson';
      items.push({
        id: `${id}-item-${k}`,
        type,
        title: `${type === 'quiz' ? 'Quiz' : type === 'video' ? 'Video' : 'Lesson'} ${k}`,
        position: k,
        ...(type === 'video' ? { durationSec: 300 + Math.floor(rand() * 900) } : {}),
      });
    }
    const students = learnerIds.filter(() => rand() < 0.6);
    return { id, input: { code: `DEMO${101 + c}`, title, instructorIds: [instructorId] }, items, students };
  });

  const events: LearningEvent[] = [];
  const day = 86_400_000;
  for (const course of courses) {
    for (const userId of course.students) {
      const keenness = rand();
      const fadesAfter = rand() < 0.2 ? Math.floor(rand() * 20) : 0;
      const learner = { userId, courseId: course.id, next: 0, attempts: 0 };
      for (let d = 27; d >= fadesAfter; d--) {
        if (rand() > keenness * 0.8) continue;
        // At least an hour back: a study session (under an hour) ends before now, never in the future.
        const start = now.getTime() - d * day - (1 + Math.floor(rand() * 12)) * 3_600_000;
        const at = (offsetMs: number) => new Date(start + offsetMs).toISOString();
        events.push({
          id: uuidFrom(rand),
          type: 'course_visit',
          occurredAt: at(0),
          userId,
          courseId: course.id,
        });
        const beats = 2 + Math.floor(rand() * 40);
        for (let b = 0; b < beats; b++) {
          events.push({
            id: uuidFrom(rand),
            type: 'heartbeat',
            occurredAt: at(b * 30_000),
            userId,
            courseId: course.id,
            data: { activeSec: 30 },
          });
        }
        studyNextItem(learner, course.items, at, events, rand);
      }
    }
  }
  const hour = 3_600_000;
  const liveSessions: DemoPlatform['liveSessions'] = [
    {
      id: 'demo-live-past',
      input: {
        courseId: 'demo-course-1',
        title: 'Office hours: regression',
        instructorId,
        scheduledStart: new Date(now.getTime() - 3 * day).toISOString(),
        scheduledEnd: new Date(now.getTime() - 3 * day + hour).toISOString(),
      },
      registered: courses[0]!.students.slice(0, 40),
    },
    {
      id: 'demo-live-now',
      input: {
        courseId: 'demo-course-1',
        title: 'Live workshop: pandas',
        instructorId,
        scheduledStart: new Date(now.getTime() - 15 * 60_000).toISOString(),
        scheduledEnd: new Date(now.getTime() + 45 * 60_000).toISOString(),
      },
      registered: courses[0]!.students.slice(0, 60),
    },
  ];
  return { users, courses, liveSessions, events, instructorId, adminId };
}

/**
 * One learner's viewing of a video, as 30-second heartbeats: those who finish watch it all (some
 * replaying a passage around 60 %); the others leave early, many at a dull stretch around 40 %,
 * some after skipping ahead past 20–30 %. It gives the curves a shape worth looking at.
 */
function demoViewing(duration: number, finish: boolean, rand: () => number) {
  const cliff = Math.round(duration * 0.4);
  const stop = finish
    ? duration
    : rand() < 0.35
      ? cliff + Math.round(rand() * 10)
      : Math.min(duration - 1, Math.round(-Math.log(1 - rand()) * duration * 0.25));
  const skip = rand() < 0.2 ? [Math.round(duration * 0.2), Math.round(duration * 0.3)] : undefined;
  const replay = finish && rand() < 0.3 ? Math.round(duration * 0.6) : undefined;
  const out: { wallSec: number; positionSec: number; segments: [number, number][]; ended: boolean }[] = [];
  let wallSec = 0;
  let pos = 0;
  while (pos < stop) {
    if (skip && pos >= skip[0]! && pos < skip[1]!) pos = skip[1]!;
    if (pos >= stop) break;
    const end = Math.min(stop, pos + 30);
    const segments: [number, number][] = [[pos, end]];
    if (replay !== undefined && pos <= replay && replay < end) segments.push([replay - 20, replay]);
    wallSec += segments.reduce((n, [a, b]) => n + b - a, 0);
    out.push({ wallSec, positionSec: end, segments, ended: end >= duration });
    pos = end;
  }
  return out;
}

/**
 * One study sitting on the learner's next item: a lesson read (progress and scrolling), a video
 * watched in heartbeats of played segments, or a quiz attempted (passed or not). A learner who
 * finishes every item gets a certificate.
 */
function studyNextItem(
  learner: { userId: string; courseId: string; next: number; attempts: number },
  items: readonly (ItemInput & { id: string })[],
  at: (offsetMs: number) => string,
  events: LearningEvent[],
  rand: () => number,
): void {
  const item = items[learner.next];
  if (!item) return;
  const base = { userId: learner.userId, courseId: learner.courseId, itemId: item.id };
  const push = (type: string, offsetMs: number, extra: Partial<LearningEvent> = {}) =>
    events.push({ id: uuidFrom(rand), type, occurredAt: at(offsetMs), ...base, ...extra });
  let done = rand() < 0.7;
  if (item.type === 'lesson') {
    push('lesson_start', 60_000);
    const reached = done ? 100 : Math.round(rand() * 80);
    push('lesson_progress', 300_000, { value: reached });
    push('scroll_depth', 310_000, { value: Math.min(100, reached + Math.round(rand() * 20)) });
  } else if (item.type === 'video') {
    const duration = item.durationSec ?? 600;
    for (const h of demoViewing(duration, done, rand)) {
      push('video_heartbeat', 60_000 + h.wallSec * 1000, {
        data: { positionSec: h.positionSec, durationSec: duration, segments: h.segments, ended: h.ended },
      });
    }
  } else {
    learner.attempts++;
    const score = Math.round(rand() * 10);
    done = score >= 6;
    push('quiz_submit', 120_000, {
      data: {
        attemptId: `attempt-${learner.attempts}`,
        score,
        maxScore: 10,
        passed: done,
        timeSpentSec: 120 + Math.round(rand() * 600),
      },
    });
  }
  if (!done) return;
  learner.next++;
  if (learner.next === items.length) {
    events.push({
      id: uuidFrom(rand),
      type: 'certification_issued',
      occurredAt: at(900_000),
      userId: learner.userId,
      courseId: learner.courseId,
      data: { certificateId: `cert-${learner.courseId}-${learner.userId}` },
    });
  }
}
