import type { Attendee } from './attendee.js';
import { attendedIntervals, concurrency, type Interval, isConnected, totalMs } from './attendance.js';
import { feedbackThemes } from './feedback.js';
import { liveScore } from './score.js';

/** Arriving up to this long after the scheduled start is on time (SPEC §5); `?graceMin=` changes it. */
export const DEFAULT_GRACE_MIN = 5;
/** A session counts as live from this long before its scheduled start… */
export const LIVE_LEAD_MS = 15 * 60_000;
/** …and past its scheduled end while someone is connected and something happened this recently. */
export const OVERRUN_IDLE_MS = 30 * 60_000;
export const TIMELINE_POINTS = 100;

export interface SessionFacts {
  scheduledStart: number;
  scheduledEnd: number;
}

export interface AttendeeFigures {
  userId: string;
  registered: boolean;
  attended: boolean;
  firstJoinAt: number | null;
  lastLeaveAt: number | null;
  attendedMs: number;
  onTime: boolean | null;
  chatMessages: number;
  questions: number;
  reactions: number;
  rating: number | null;
  comment: string | null;
}

/**
 * Everything about a live session from its attendees' states, its registrations and the clock.
 * An attendee's connection still open when they stopped sending anything closes at the later of
 * the scheduled end and their last live activity, never after `now` (while live: at `now`).
 */
export function liveReport(
  session: SessionFacts,
  registrations: ReadonlySet<string>,
  attendees: readonly Attendee[],
  now: number,
  graceMs = DEFAULT_GRACE_MIN * 60_000,
) {
  const byUser = new Map(attendees.map((a) => [a.userId, a]));
  const lastActivity = attendees.reduce(
    (t, a) => Math.max(t, a.lastActivityAt ?? t),
    Number.NEGATIVE_INFINITY,
  );
  const connected = attendees.filter((a) => isConnected(a.marks));
  const isLive =
    now >= session.scheduledStart - LIVE_LEAD_MS &&
    (now <= session.scheduledEnd || (connected.length > 0 && now - lastActivity < OVERRUN_IDLE_MS));
  const intervals = new Map<string, Interval[]>();
  for (const a of attendees) {
    const closeAt = isLive ? now : Math.min(now, Math.max(session.scheduledEnd, a.lastActivityAt ?? 0));
    intervals.set(a.userId, attendedIntervals(a.marks, closeAt));
  }

  const people = [
    ...new Set([...registrations, ...attendees.filter((a) => a.firstJoinAt !== null).map((a) => a.userId)]),
  ];
  const figures: AttendeeFigures[] = people.sort().map((userId) => {
    const a = byUser.get(userId);
    const own = intervals.get(userId) ?? [];
    const attended = a?.firstJoinAt != null;
    return {
      userId,
      registered: registrations.has(userId),
      attended,
      firstJoinAt: a?.firstJoinAt ?? null,
      lastLeaveAt: own.length > 0 ? own[own.length - 1]!.end : null,
      attendedMs: totalMs(own),
      onTime: attended ? a!.firstJoinAt! <= session.scheduledStart + graceMs : null,
      chatMessages: a?.chatMessages ?? 0,
      questions: a?.questions ?? 0,
      reactions: [...(a?.reactions.values() ?? [])].reduce((n, c) => n + c, 0),
      rating: a?.rating ?? null,
      comment: a?.comment ?? null,
    };
  });
  const came = figures.filter((f) => f.attended);
  const registeredAttended = came.filter((f) => f.registered).length;
  const attendedMs = came.reduce((n, f) => n + f.attendedMs, 0);

  const reactionsByKind = new Map<string, number>();
  for (const a of attendees)
    for (const [k, n] of a.reactions) reactionsByKind.set(k, (reactionsByKind.get(k) ?? 0) + n);
  const chatMessages = attendees.reduce((n, a) => n + a.chatMessages, 0);
  const engaged = came.filter((f) => f.chatMessages > 0 || f.reactions > 0).length;

  const rated = attendees.filter((a) => a.rating !== null);
  const distribution = [1, 2, 3, 4, 5].map((rating) => ({
    rating,
    responses: rated.filter((a) => a.rating === rating).length,
  }));

  const firstJoin = came.reduce((t, f) => Math.min(t, f.firstJoinAt!), Number.POSITIVE_INFINITY);
  const lastEnd = [...intervals.values()]
    .flat()
    .reduce((t, i) => Math.max(t, i.end), Number.NEGATIVE_INFINITY);
  const from = Math.min(session.scheduledStart, firstJoin);
  const to = Math.max(isLive ? Math.min(now, session.scheduledEnd) : session.scheduledEnd, lastEnd);
  const peaks = concurrency([...intervals.values()], from, to, TIMELINE_POINTS);
  const averageAttendedMs = came.length > 0 ? attendedMs / came.length : 0;

  return {
    live: {
      isLive,
      currentViewers: isLive ? connected.length : 0,
    },
    attendance: {
      registered: registrations.size,
      attended: came.length,
      registeredAttended,
      attendanceRate: registrations.size > 0 ? registeredAttended / registrations.size : null,
      walkIns: came.length - registeredAttended,
      onTime: came.filter((f) => f.onTime).length,
      late: came.filter((f) => f.onTime === false).length,
      averageAttendedMs,
      totalAttendedMs: attendedMs,
    },
    concurrency: peaks,
    engagement: {
      chatMessages,
      uniqueChatters: attendees.filter((a) => a.chatMessages > 0).length,
      questions: attendees.reduce((n, a) => n + a.questions, 0),
      reactions: [...reactionsByKind.entries()]
        .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
        .map(([kind, count]) => ({ kind, count })),
      reactionsTotal: [...reactionsByKind.values()].reduce((n, c) => n + c, 0),
      engagedAttendees: engaged,
      engagementRate: came.length > 0 ? engaged / came.length : 0,
    },
    feedback: {
      responses: rated.length,
      averageRating: rated.length > 0 ? rated.reduce((n, a) => n + a.rating!, 0) / rated.length : null,
      distribution,
      themes: feedbackThemes(rated.flatMap((a) => (a.comment ? [a.comment] : []))),
    },
    score: liveScore({
      registered: registrations.size,
      registeredAttended,
      attendees: came.length,
      engagedAttendees: engaged,
      chatMessages,
      averageAttendedMs,
      scheduledMs: session.scheduledEnd - session.scheduledStart,
    }),
    attendees: figures,
  };
}

export type LiveReport = ReturnType<typeof liveReport>;
