import type { CourseInput, UserInput } from '../domain/catalog/schemas.js';
import { offsetAt } from '../domain/time/local-day.js';
import type { Rng } from './random.js';
import type { DemoItem, DemoLearner } from './study.js';
import { COURSES, DEVICES, FIRST_NAMES, LAST_NAMES, ZONES } from './texts.js';

export const INSTRUCTOR_ID = 'demo-instructor';
export const CO_INSTRUCTOR_ID = 'demo-instructor-2';
export const ADMIN_ID = 'demo-admin';
/** The course holding the recordings of the live sessions. */
export const LIVE_COURSE_ID = 'demo-live';

export interface LearnerProfile extends DemoLearner {
  /** Minutes the learner's zone is ahead of UTC now. */
  offsetMin: number;
  /** The local hour they usually study at. */
  studyHour: number;
}

export interface DemoCourse {
  id: string;
  code: string;
  input: CourseInput;
  items: DemoItem[];
  students: string[];
  openedDaysAgo: number;
}

/** Staff and `count` learners spread over the world's time zones, each with a device and habits. */
export function buildPeople(count: number, now: Date, rng: Rng) {
  const offsets = new Map(ZONES.map(([zone]) => [zone, Math.round(offsetAt(now.getTime(), zone) / 60_000)]));
  const users: (UserInput & { id: string })[] = [
    {
      id: INSTRUCTOR_ID,
      displayName: 'Dr. Ines Ramos',
      email: 'ines@example.edu',
      timezone: 'Europe/Madrid',
    },
    {
      id: CO_INSTRUCTOR_ID,
      displayName: 'Prof. Kwame Mensah',
      email: 'kwame@example.edu',
      timezone: 'Africa/Accra',
    },
    { id: ADMIN_ID, displayName: 'Platform Admin', email: 'admin@example.edu', timezone: 'UTC' },
  ];
  const learners: LearnerProfile[] = [];
  const names = uniqueNames(count, rng);
  for (let i = 1; i <= count; i++) {
    const id = `demo-learner-${String(i).padStart(3, '0')}`;
    const zone = rng.weighted(ZONES);
    const [first, last] = names[i - 1]!;
    users.push({
      id,
      displayName: `${first} ${last}`,
      email: `${slug(first)}.${slug(last)}.${i}@example.edu`,
      timezone: zone,
    });
    learners.push({
      id,
      device: { ...rng.weighted(DEVICES) },
      rate: rng.weighted([
        [1, 65],
        [1.25, 15],
        [1.5, 15],
        [2, 5],
      ] as const),
      offsetMin: offsets.get(zone)!,
      studyHour: rng.weighted([
        [7, 2],
        [9, 2],
        [12, 2],
        [14, 1],
        [17, 2],
        [19, 4],
        [21, 3],
      ] as const),
    });
  }
  return { users, learners };
}

/** A name as it may appear in an e-mail address: "José" → "jose", "O'Neil" → "oneil". */
const slug = (name: string) =>
  name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');

/** `count` different names (no learner shares a name with another, or with the staff). */
function uniqueNames(count: number, rng: Rng): [string, string][] {
  const staff = new Set(['Kwame Mensah', 'Ines Ramos']);
  const all = FIRST_NAMES.flatMap((f) => LAST_NAMES.map((l): [string, string] => [f, l])).filter(
    ([f, l]) => !staff.has(`${f} ${l}`),
  );
  const names = rng.sample(all, count);
  // More learners than names: the rest get a middle initial.
  for (let i = names.length; i < count; i++) {
    const [f, l] = all[i % all.length]!;
    names.push([`${f} ${String.fromCharCode(65 + (Math.floor(i / all.length) % 26))}.`, l]);
  }
  return names;
}

/**
 * Minutes of study a four-week-old course takes in all: a keen learner (about 70 minutes a week)
 * is near the end after four weeks, a steady one half-way, so the course is alive, not finished.
 */
const COURSE_EFFORT_MIN = 270;

/** Scales the lessons' minutes so the whole course takes about `total` minutes. */
function fitEffort(items: DemoItem[], total: number): void {
  const lessons = items.filter((i) => i.type === 'lesson');
  const others = items.reduce(
    (n, i) => n + (i.type === 'video' ? i.durationSec! / 60 : i.type === 'lesson' ? 0 : i.minutes),
    0,
  );
  const drawn = lessons.reduce((n, i) => n + i.minutes, 0);
  const scale = Math.max(total - others, lessons.length * 15) / drawn;
  for (const l of lessons) l.minutes = Math.round(l.minutes * scale);
}

/** The courses from their blueprints: items with durations and workloads, learners who enrol. */
export function buildCourses(learnerIds: readonly string[], rng: Rng): DemoCourse[] {
  const courses = COURSES.map((bp, c): DemoCourse => {
    const id = `demo-course-${c + 1}`;
    const items = bp.items.map(([kind, title], k): DemoItem => {
      const position = k + 1;
      const itemId = `${id}-item-${position}`;
      if (kind === 'V') {
        return { id: itemId, type: 'video', title, position, durationSec: rng.int(300, 780), minutes: 0 };
      }
      if (kind === 'L') return { id: itemId, type: 'lesson', title, position, minutes: rng.int(40, 80) };
      if (kind === 'Q') return { id: itemId, type: 'quiz', title, position, minutes: rng.int(8, 15) };
      return { id: itemId, type: 'assignment', title, position, minutes: rng.int(40, 90) };
    });
    fitEffort(items, COURSE_EFFORT_MIN * Math.sqrt(Math.min(1, bp.openedDaysAgo / 28)));
    return {
      id,
      code: bp.code,
      input: {
        code: bp.code,
        title: bp.title,
        instructorIds: c % 2 === 1 ? [INSTRUCTOR_ID, CO_INSTRUCTOR_ID] : [INSTRUCTOR_ID],
      },
      items,
      students: learnerIds.filter(() => rng.chance(bp.popularity)),
      openedDaysAgo: bp.openedDaysAgo,
    };
  });
  // Nobody signs up without a course: the unlucky take the most popular one.
  const enrolled = new Set(courses.flatMap((c) => c.students));
  const first = courses[0]!;
  for (const id of learnerIds) if (!enrolled.has(id)) first.students.push(id);
  first.students.sort();
  return courses;
}
