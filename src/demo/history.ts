import type { DemoCourse, LearnerProfile } from './catalog.js';
import type { Rng } from './random.js';
import { type EnrollmentState, PERSONAS, type Persona, type PlannedEvent, planSitting } from './study.js';

const DAY = 86_400_000;
const MIN = 60_000;

/** The start of the learner's local day `daysAgo` days before today, in epoch ms (UTC). */
export function localDayStart(now: number, offsetMin: number, daysAgo: number): number {
  const localToday = Math.floor((now + offsetMin * MIN) / DAY) * DAY;
  return localToday - daysAgo * DAY - offsetMin * MIN;
}

/** The learner's local day of the week `daysAgo` days before today (0: Sunday). */
function weekday(now: number, offsetMin: number, daysAgo: number): number {
  return new Date(localDayStart(now, offsetMin, daysAgo) + offsetMin * MIN).getUTCDay();
}

/** The weekdays a learner keeps for a course: working days first, the weekend for some. */
function studyWeek(days: number, rng: Rng): Set<number> {
  const week = new Set<number>();
  while (week.size < days) week.add(rng.pick([1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 0, 6]));
  return week;
}

/** How a course's learners divide between personas. */
const PERSONA_SHARES: readonly (readonly [Persona, number])[] = [
  ['keen', 0.22],
  ['steady', 0.35],
  ['casual', 0.2],
  ['fading', 0.15],
  ['struggling', 0.08],
];

/**
 * Personas for a course's `n` learners in their shares (at least one of each from five learners
 * on, so even a small demo has someone fading and someone failing), in a random order.
 */
export function castPersonas(n: number, rng: Rng): Persona[] {
  const cast = PERSONA_SHARES.flatMap(([p, share]) =>
    Array.from<Persona>({ length: Math.max(n >= 5 ? 1 : 0, Math.round(n * share)) }).fill(p),
  );
  while (cast.length < n) cast.push('steady');
  return rng.sample(cast, n);
}

/** A fresh enrollment of a learner in a course with a persona. */
export function newEnrollment(
  course: DemoCourse,
  learner: LearnerProfile,
  persona: Persona,
  rng: Rng,
): EnrollmentState {
  const quizzes = course.items.filter((i) => i.type === 'quiz');
  return {
    learner: { id: learner.id, device: learner.device, rate: learner.rate },
    courseId: course.id,
    courseCode: course.code,
    persona,
    next: 0,
    lessonPct: {},
    viewing: {},
    attempts: {},
    ...(persona === 'struggling' && quizzes.length > 0
      ? { nemesis: { itemId: quizzes[0]!.id, failuresLeft: rng.int(2, 4) } }
      : {}),
    stuck: false,
    gaveUp: [],
    certified: false,
  };
}

/**
 * One learner's past in a course, day by day from when they started to today: on the days they
 * study (their weekly days, mostly kept; never after a fading learner stops), a
 * sitting at their usual local hour. Sittings that would not be over by `now` are left out, so
 * nothing happens in the future. `streakDays` forces a sitting on each of the last days (the
 * learner the demo prints a token for has a streak to show).
 */
export function enrollmentHistory(
  course: DemoCourse,
  learner: LearnerProfile,
  state: EnrollmentState,
  now: number,
  rng: Rng,
  streakDays = 0,
): PlannedEvent[] {
  const traits = PERSONAS[state.persona];
  const events: PlannedEvent[] = [];
  const early = streakDays > 0 || state.persona === 'struggling';
  if (!early && rng.chance(0.04)) return events; // enrolled, never started
  const week = studyWeek(traits.studyDays, rng);
  // Each learner has a usual sitting length: their weeks look alike unless something changes.
  const usualSec = rng.int(traits.sittingMin[0], traits.sittingMin[1]) * 60;
  const lag = early || rng.chance(0.85) ? rng.int(0, 3) : rng.int(3, Math.max(3, course.openedDaysAgo - 1));
  const startDay = Math.max(0, course.openedDaysAgo - lag);
  const fadeDay = state.persona === 'fading' ? rng.int(1, Math.max(1, Math.min(18, startDay - 2))) : -1;
  for (let d = startDay; d >= 0; d--) {
    let chance = week.has(weekday(now, learner.offsetMin, d)) ? traits.keepsDay : 0.04;
    if (state.stuck) chance *= 0.4;
    // Nothing left to do (finished, or all but the videos they gave up on): an odd look back.
    if (state.next >= course.items.length) chance *= 0.1;
    if (d < fadeDay) chance = 0;
    const forced = d === startDay || d < streakDays;
    if (!forced && !rng.chance(chance)) continue;
    const hour = Math.min(23, Math.max(6, learner.studyHour + rng.int(-1, 2)));
    const start = localDayStart(now, learner.offsetMin, d) + hour * 3_600_000 + rng.int(0, 59) * MIN;
    const budgetSec = Math.round(usualSec * rng.between(0.9, 1.1));
    if (start >= now - 10 * MIN) continue;
    const before = structuredClone(state);
    const sitting = planSitting(state, course.items, start, budgetSec, rng);
    if (sitting.endMs > now - MIN) {
      // Still going on now: not part of the past (the live activity carries on from here).
      Object.assign(state, before);
      continue;
    }
    events.push(...sitting.events);
  }
  return events;
}
