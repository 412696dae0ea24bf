import type { DemoCourse } from './catalog.js';
import type { Rng } from './random.js';
import type { PlannedEvent } from './study.js';
import { CHAT_LINES, FEEDBACK, QUESTIONS, REACTIONS } from './texts.js';

const MIN = 60_000;

/** What differs from one finished session to the next: the trends the comparison view shows. */
export interface SessionMood {
  showUp: number;
  chatty: number;
  rating: number;
}

/** About two in five of a course's learners register for one of its sessions. */
export function registrations(course: DemoCourse, rng: Rng): string[] {
  return course.students.filter(() => rng.chance(0.4));
}

/** The registered who show up, and a few walk-ins from the course. */
export function attendeesOf(
  course: DemoCourse,
  registered: readonly string[],
  showUp: number,
  rng: Rng,
): string[] {
  const came = registered.filter(() => rng.chance(showUp));
  const reg = new Set(registered);
  const walkIns = rng.sample(
    course.students.filter((id) => !reg.has(id)),
    Math.round(came.length * rng.between(0.05, 0.12)),
  );
  return [...came, ...walkIns];
}

/**
 * One attendee's marks and messages: a join (most on time, some late), perhaps a dropped
 * connection and a rejoin, perhaps a second tab, leaving early or at the end; chat and reactions
 * while present (the reactions in bursts at the session's highlights). Nothing after `until`. A
 * `regular` comes on time and stays to the end.
 */
export function attendance(
  sessionId: string,
  userId: string,
  start: number,
  end: number,
  until: number,
  mood: SessionMood,
  rng: Rng,
  regular = false,
): { events: PlannedEvent[]; openConnection: string | undefined } {
  const conn = `${userId}-tab-1`;
  const base = { userId, liveSessionId: sessionId };
  const marks: PlannedEvent[] = [];
  const arrive = regular
    ? ([-4, 3] as const)
    : rng.weighted([
        [[-4, 3], 55],
        [[3, 15], 30],
        [[15, 40], 15],
      ] as const);
  const t = start + rng.between(arrive[0], arrive[1]) * MIN;
  const leave = Math.max(
    t + 2 * MIN,
    regular || rng.chance(0.6) ? end + rng.between(0, 3) * MIN : rng.between(t + 5 * MIN, end),
  );
  marks.push({ ...base, type: 'live_join', at: t, data: { connectionId: conn } });
  if (!regular && rng.chance(0.15)) {
    const drop = rng.between(t + 2 * MIN, leave);
    if (drop < leave - 3 * MIN) {
      marks.push({ ...base, type: 'live_leave', at: drop, data: { connectionId: conn } });
      marks.push({
        ...base,
        type: 'live_join',
        at: drop + rng.between(0.3, 2) * MIN,
        data: { connectionId: conn },
      });
    }
  }
  if (rng.chance(0.05)) {
    const second = `${userId}-tab-2`;
    const open = rng.between(t, leave);
    marks.push({ ...base, type: 'live_join', at: open, data: { connectionId: second } });
    marks.push({ ...base, type: 'live_leave', at: rng.between(open, leave), data: { connectionId: second } });
  }
  marks.push({ ...base, type: 'live_leave', at: leave, data: { connectionId: conn } });
  const present = [t, leave] as const;
  if (rng.chance(mood.chatty)) {
    for (let i = rng.int(1, 4); i > 0; i--) {
      const asks = rng.chance(0.3);
      marks.push({
        ...base,
        type: 'live_chat',
        at: rng.between(present[0], present[1]),
        data: asks ? { text: rng.pick(QUESTIONS), isQuestion: true } : { text: rng.pick(CHAT_LINES) },
      });
    }
  }
  if (rng.chance(0.3 + mood.chatty)) {
    const highlights = [0.2, 0.45, 0.7, 0.95].map((f) => start + f * (end - start));
    for (let i = rng.int(1, 5); i > 0; i--) {
      const h = rng.pick(highlights) + rng.between(-0.5, 0.5) * MIN;
      if (h < present[0] || h > present[1]) continue;
      marks.push({ ...base, type: 'live_reaction', at: h, data: { kind: rng.weighted(REACTIONS) } });
    }
  }
  const events = marks.filter((m) => m.at <= until).sort((a, b) => a.at - b.at);
  for (const e of events) e.at = Math.round(e.at);
  const mine = events.filter((e) => e.type === 'live_join' || e.type === 'live_leave');
  const lastOfMain = mine.filter((e) => (e.data as { connectionId: string }).connectionId === conn).pop();
  return { events, openConnection: lastOfMain?.type === 'live_join' ? conn : undefined };
}

/** Half the attendees rate the session after it, a comment from some, the band their rating says. */
export function feedback(
  sessionId: string,
  userId: string,
  end: number,
  mean: number,
  surely: boolean,
  rng: Rng,
): PlannedEvent[] {
  if (!rng.chance(0.55) && !surely) return [];
  const rating = Math.max(1, Math.min(5, Math.round(mean + rng.between(-1.6, 1.3))));
  const band = rating <= 2 ? 'low' : rating === 3 ? 'mid' : 'high';
  const comment = rng.chance(0.5) ? rng.pick(FEEDBACK[band]) : undefined;
  return [
    {
      type: 'live_feedback',
      at: Math.round(end + rng.between(1, 25) * MIN),
      userId,
      liveSessionId: sessionId,
      data: { rating, ...(comment ? { comment } : {}) },
    },
  ];
}
