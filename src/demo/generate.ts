import type { CourseInput, UserInput } from '../domain/catalog/schemas.js';
import type { LearningEvent } from '../domain/events/types.js';
import { ADMIN_ID, buildCourses, buildPeople, INSTRUCTOR_ID, LIVE_COURSE_ID } from './catalog.js';
import { castPersonas, enrollmentHistory, newEnrollment } from './history.js';
import { type DemoLiveSession, type LiveNowState, liveSessions } from './live-sessions.js';
import { prng, Rng } from './random.js';
import type { DemoItem, EnrollmentState, PlannedEvent } from './study.js';

// The PRNG is part of the demo's public face: tests draw their random cases from it.

export interface DemoPlatform {
  users: (UserInput & { id: string })[];
  courses: { id: string; input: CourseInput; items: DemoItem[]; students: string[] }[];
  liveSessions: DemoLiveSession[];
  /** Every event of the past, grouped by learner and in time order within a learner. */
  events: LearningEvent[];
  instructorId: string;
  adminId: string;
  /** The learner whose token the demo prints: several courses and a current streak. */
  showcaseLearnerId: string;
  /** Where each learner is in each course when the history ends: live activity goes on from here. */
  enrollments: EnrollmentState[];
  /** The live session in progress. */
  liveNow: LiveNowState;
}

/**
 * Generates a believable platform as of `now`: five courses of lessons, videos, quizzes and
 * assignments (and a sixth holding the live sessions' recordings); `learners` learners across the world's time zones, each course taken with a
 * persona (keen, steady, casual, fading, struggling) that sets how often they come, how they
 * watch and how they do in quizzes; four weeks of sittings at their local hours with certificates
 * for those who finish; finished live sessions with recordings, and one in progress. The same
 * `seed` and `now` give the same platform, event ids included.
 * @example const demo = generateDemo(500, new Date()); demo.events.length; // ≈ 75,000
 */
export function generateDemo(learners: number, now: Date, seed = 42): DemoPlatform {
  const rng = new Rng(prng(seed));
  const nowMs = now.getTime();
  const { users, learners: people } = buildPeople(learners, now, rng);
  const byId = new Map(people.map((p) => [p.id, p]));
  const courses = buildCourses(
    people.map((p) => p.id),
    rng,
  );
  const showcase = people[0]!.id;
  for (const c of courses.slice(0, 2)) if (!c.students.includes(showcase)) c.students.unshift(showcase);

  const enrollments: EnrollmentState[] = [];
  const perLearner = new Map<string, PlannedEvent[]>();
  for (const course of courses) {
    const personas = castPersonas(course.students.length, rng);
    for (const [k, userId] of course.students.entries()) {
      const learner = byId.get(userId)!;
      const isShowcase = userId === showcase && course === courses[0];
      const state = newEnrollment(course, learner, isShowcase ? 'casual' : personas[k]!, rng);
      const events = enrollmentHistory(course, learner, state, nowMs, rng, isShowcase ? 12 : 0);
      enrollments.push(state);
      const mine = perLearner.get(userId) ?? [];
      perLearner.set(userId, mine);
      mine.push(...events);
    }
  }
  const live = liveSessions(courses, byId, nowMs, rng);
  const liveLearners = new Set([
    ...live.sessions.filter((s) => s.id !== live.liveNow.sessionId).flatMap((s) => s.registered),
    ...live.events.filter((e) => e.courseId === LIVE_COURSE_ID).map((e) => e.userId),
  ]);

  // One learner's events together and in time order: how a tracker would send them, and cheap
  // to project (a learner's rows are touched by few batches).
  const planned: PlannedEvent[] = [];
  for (const [, events] of perLearner) planned.push(...events.sort((a, b) => a.at - b.at));
  planned.push(...live.events.sort((a, b) => a.at - b.at));
  const events: LearningEvent[] = planned.map(({ at, ...e }) => ({
    id: rng.uuid(),
    occurredAt: new Date(at).toISOString(),
    ...e,
  }));

  return {
    users,
    courses: [
      ...courses.map(({ id, input, items, students }) => ({ id, input, items, students })),
      {
        id: LIVE_COURSE_ID,
        input: {
          code: 'LIVE',
          title: 'Live workshops and office hours',
          instructorIds: [INSTRUCTOR_ID],
          // Recordings are optional viewing: nobody is behind or at risk for skipping them.
          settings: { atRiskInactivityDays: 90, atRiskProgressGap: 100, atRiskActivityDrop: 100 },
        },
        items: live.recordings,
        students: [...liveLearners].sort(),
      },
    ],
    liveSessions: live.sessions,
    events,
    instructorId: INSTRUCTOR_ID,
    adminId: ADMIN_ID,
    showcaseLearnerId: showcase,
    enrollments,
    liveNow: live.liveNow,
  };
}
