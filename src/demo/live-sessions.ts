import type { LiveSessionInput } from '../domain/catalog/schemas.js';
import { attendance, attendeesOf, feedback, registrations, type SessionMood } from './attendance.js';
import { type DemoCourse, INSTRUCTOR_ID, type LearnerProfile } from './catalog.js';
import type { Rng } from './random.js';
import { recordingViews } from './recordings.js';
import type { DemoItem, PlannedEvent } from './study.js';

const MIN = 60_000;
const DAY = 86_400_000;
export const LIVE_NOW_ID = 'demo-live-now';

export interface DemoLiveSession {
  id: string;
  input: LiveSessionInput;
  registered: string[];
}

/** The session going on while the demo runs: who may still join, who is connected now. */
export interface LiveNowState {
  sessionId: string;
  courseId: string;
  /** The registered, who come first; then the course's other learners may drop in. */
  registered: string[];
  audience: string[];
  /** Connected learners and their connection ids. */
  connected: Record<string, string>;
  /** Learners who joined at some point. */
  joined: string[];
}

interface Plan {
  id: string;
  course: DemoCourse;
  title: string;
  daysAgo: number;
  /** Start, UTC hour of the day. */
  hourUtc: number;
  minutes: number;
  mood: SessionMood;
}

/**
 * Live sessions over the past weeks and one going on now: registrations, joins and leaves (late
 * arrivals, reconnects, a second tab), chat with questions, bursts of reactions, ratings with
 * comments afterwards, and each finished session's recording watched in the days after. The
 * weekly workshop's attendance slips while its chat and ratings improve.
 */
export function liveSessions(
  courses: readonly DemoCourse[],
  learners: ReadonlyMap<string, LearnerProfile>,
  now: number,
  rng: Rng,
) {
  const [ds, web] = [courses[0]!, courses[1]!];
  const plans: Plan[] = [
    ...[27, 20, 13, 6].map((daysAgo, k) => ({
      id: `demo-live-ds-${k + 1}`,
      course: ds,
      title: `Data Science live workshop #${k + 1}: ${['getting set up', 'wrangling data', 'plots that speak', 'regression'][k]}`,
      daysAgo,
      hourUtc: 17,
      minutes: 60,
      mood: { showUp: 0.8 - k * 0.05, chatty: 0.3 + k * 0.08, rating: 3.6 + k * 0.25 },
    })),
    {
      id: 'demo-live-web-1',
      course: web,
      title: 'Web Development Q&A: your first layout',
      daysAgo: 3,
      hourUtc: 15,
      minutes: 45,
      mood: { showUp: 0.7, chatty: 0.45, rating: 4.2 },
    },
  ];
  const sessions: DemoLiveSession[] = [];
  const recordings: DemoItem[] = [];
  const events: PlannedEvent[] = [];
  for (const p of plans) {
    const start = Math.floor((now - p.daysAgo * DAY) / DAY) * DAY + p.hourUtc * 3_600_000;
    const end = start + p.minutes * MIN;
    const recording: DemoItem = {
      id: `${p.id}-recording`,
      type: 'video',
      title: `Recording: ${p.title}`,
      position: recordings.length + 1,
      durationSec: p.minutes * 60 + rng.int(60, 300),
      minutes: 0,
    };
    recordings.push(recording);
    const registered = registrations(p.course, rng);
    sessions.push({
      id: p.id,
      input: {
        courseId: p.course.id,
        title: p.title,
        instructorId: INSTRUCTOR_ID,
        scheduledStart: new Date(start).toISOString(),
        scheduledEnd: new Date(end).toISOString(),
        recordingItemId: recording.id,
      },
      registered,
    });
    const attendees = attendeesOf(p.course, registered, p.mood.showUp, rng);
    for (const [k, userId] of attendees.entries()) {
      // However small the demo, the first attendees chat, react and rate.
      const mood = k < 2 ? { ...p.mood, chatty: 1 } : p.mood;
      events.push(...attendance(p.id, userId, start, end, end + 10 * MIN, mood, rng).events);
      events.push(...feedback(p.id, userId, end, p.mood.rating, k < 2, rng));
    }
    events.push(...recordingViews(recording, p.course, registered, attendees, end, now, learners, rng));
  }

  // The session going on now: started a quarter of an hour ago, with most of its audience in.
  const start = Math.floor((now - 15 * MIN) / 1000) * 1000;
  const end = start + 60 * MIN;
  const registered = registrations(ds, rng);
  sessions.push({
    id: LIVE_NOW_ID,
    input: {
      courseId: ds.id,
      title: 'Data Science live workshop #5: evaluating models',
      instructorId: INSTRUCTOR_ID,
      scheduledStart: new Date(start).toISOString(),
      scheduledEnd: new Date(end).toISOString(),
    },
    registered,
  });
  const connected: Record<string, string> = {};
  const joined: string[] = [];
  const mood = { showUp: 0.7, chatty: 0.5, rating: 4.5 };
  for (const [k, userId] of attendeesOf(ds, registered, mood.showUp, rng).entries()) {
    // A few regulars are always there, however small the demo.
    const a = attendance(LIVE_NOW_ID, userId, start, end, now - 5_000, mood, rng, k < 3);
    if (a.events.length === 0) continue;
    events.push(...a.events);
    joined.push(userId);
    if (a.openConnection) connected[userId] = a.openConnection;
  }
  const audience = [...registered, ...ds.students.filter((id) => !registered.includes(id))];
  const liveNow: LiveNowState = {
    sessionId: LIVE_NOW_ID,
    courseId: ds.id,
    registered,
    audience,
    connected,
    joined,
  };
  return { sessions, recordings, events, liveNow };
}
