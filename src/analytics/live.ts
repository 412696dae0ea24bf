import { DEFAULT_GRACE_MIN, LIVE_LEAD_MS, type LiveReport, liveReport } from '../domain/live/report.js';
import { type Trend, trend } from '../domain/live/trend.js';
import { getItem } from '../store/catalog/items.js';
import { type LiveSession, listInstructorSessions, registeredUsers } from '../store/catalog/live-sessions.js';
import { getUserNames } from '../store/catalog/users.js';
import type { Queryable } from '../store/db.js';
import { readAttendees } from '../store/live/attendance.js';
import { readDeviceCounts, readTotals, readViewerSummaries } from '../store/video/read.js';
import { videoAnalytics } from './video.js';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const sec = (ms: number) => ms / 1000;

/** A session's report from the projection's rows, at `now`. */
export async function sessionReport(
  db: Queryable,
  session: LiveSession,
  now: Date,
  graceMin = DEFAULT_GRACE_MIN,
): Promise<LiveReport> {
  return (await sessionReports(db, [session], now, graceMin))[0]!;
}

/** Reports of several sessions, read together. */
async function sessionReports(
  db: Queryable,
  sessions: readonly LiveSession[],
  now: Date,
  graceMin = DEFAULT_GRACE_MIN,
): Promise<LiveReport[]> {
  const ids = sessions.map((s) => s.id);
  const [registrations, attendees] = await Promise.all([registeredUsers(db, ids), readAttendees(db, ids)]);
  return sessions.map((session) =>
    liveReport(
      { scheduledStart: Date.parse(session.scheduledStart), scheduledEnd: Date.parse(session.scheduledEnd) },
      registrations.get(session.id)!,
      attendees.filter((a) => a.sessionId === session.id),
      now.getTime(),
      graceMin * 60_000,
    ),
  );
}

/** A comparison takes 2 to this many sessions. */
export const MAX_COMPARED_SESSIONS = 10;

/** The figures sessions are compared by (and their overview averages). */
export const COMPARED_METRICS = [
  'attended',
  'attendanceRate',
  'averageAttendedSec',
  'peakViewers',
  'chatMessages',
  'questions',
  'engagementRate',
  'averageRating',
  'recordingViews',
  'score',
] as const;
type Metric = (typeof COMPARED_METRICS)[number];

/** One line per session: its headline figures, oldest first. */
async function headlines(db: Queryable, sessions: readonly LiveSession[], now: Date) {
  const ordered = [...sessions].sort(
    (a, b) => a.scheduledStart.localeCompare(b.scheduledStart) || (a.id < b.id ? -1 : 1),
  );
  const recordings = ordered.flatMap((s) => (s.recordingItemId ? [s.recordingItemId] : []));
  const [reports, totals] = await Promise.all([sessionReports(db, ordered, now), readTotals(db, recordings)]);
  return ordered.map((s, i) => {
    const r = reports[i]!;
    const metrics: Record<Metric, number | null> = {
      attended: r.attendance.attended,
      attendanceRate: r.attendance.attendanceRate,
      averageAttendedSec: sec(r.attendance.averageAttendedMs),
      peakViewers: r.concurrency.peak,
      chatMessages: r.engagement.chatMessages,
      questions: r.engagement.questions,
      engagementRate: r.engagement.engagementRate,
      averageRating: r.feedback.averageRating,
      recordingViews: s.recordingItemId ? (totals.get(s.recordingItemId)?.views ?? 0) : null,
      score: r.score.score,
    };
    return {
      sessionId: s.id,
      title: s.title,
      scheduledStart: s.scheduledStart,
      isLive: r.live.isLive,
      ...metrics,
    };
  });
}

const mean = (xs: readonly number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const known = (xs: readonly (number | null)[]) => xs.filter((x): x is number => x !== null);

/**
 * Sessions side by side in time order, each metric's average over them (sessions without a value
 * left out) and its trend (SPEC §5: the later half against the earlier).
 */
export async function compareSessions(db: Queryable, sessions: readonly LiveSession[], now: Date) {
  const lines = await headlines(db, sessions, now);
  const averages = {} as Record<Metric, number | null>;
  const trends = {} as Record<Metric, Trend | null>;
  for (const m of COMPARED_METRICS) {
    const values = known(lines.map((l) => l[m]));
    averages[m] = mean(values);
    trends[m] = values.length >= 2 ? trend(values) : null;
  }
  return { asOf: now.toISOString(), sessions: lines, averages, trends };
}

/** An instructor's sessions that have started (or run) in a range: how many, averages, the latest. */
export async function instructorOverview(
  db: Queryable,
  instructorId: string,
  range: { from: string | null; to: string | null },
  now: Date,
) {
  const sessions = (await listInstructorSessions(db, instructorId, range.from, range.to)).filter(
    (s) => Date.parse(s.scheduledStart) - LIVE_LEAD_MS <= now.getTime(),
  );
  const lines = await headlines(db, sessions, now);
  const avg = (m: Metric) => mean(known(lines.map((l) => l[m])));
  return {
    instructorId,
    from: range.from,
    to: range.to,
    asOf: now.toISOString(),
    sessionsRun: lines.length,
    averageAttendanceRate: avg('attendanceRate'),
    averageAttended: avg('attended'),
    averageEngagementRate: avg('engagementRate'),
    averageRating: avg('averageRating'),
    averageScore: avg('score'),
    recentSessions: lines.slice(-10).reverse(),
  };
}

function distribution(rows: { value: string | null; viewers: number }[]) {
  const m = new Map<string, number>();
  for (const r of rows) m.set(r.value ?? 'unknown', (m.get(r.value ?? 'unknown') ?? 0) + r.viewers);
  return [...m.entries()]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .map(([value, viewers]) => ({ value, viewers }));
}

/** The recording's figures from the video engine, with its viewers' devices; null without one. */
async function recordingFigures(db: Queryable, session: LiveSession) {
  if (!session.recordingItemId) return null;
  const item = await getItem(db, session.recordingItemId);
  if (item?.type !== 'video') return null;
  const [video, devices] = await Promise.all([
    videoAnalytics(db, item.courseId, item.id, {}, false),
    readDeviceCounts(db, item.id),
  ]);
  if (!video) return null;
  return {
    itemId: item.id,
    durationSec: video.durationSec,
    views: video.views,
    viewers: video.viewers,
    uniqueViewers: video.uniqueViewers,
    totalWatchTimeSec: video.totalWatchTimeSec,
    uniqueWatchTimeSec: video.uniqueWatchTimeSec,
    averagePercentViewed: video.averagePercentViewed,
    completionRate: video.completionRate,
    medianStopSec: video.medianStopSec,
    retention: video.curve,
    devices: {
      types: distribution(devices.map((d) => ({ value: d.type, viewers: d.viewers }))),
      os: distribution(devices.map((d) => ({ value: d.os, viewers: d.viewers }))),
      browsers: distribution(devices.map((d) => ({ value: d.browser, viewers: d.viewers }))),
    },
  };
}

const header = (session: LiveSession, now: Date) => ({
  sessionId: session.id,
  title: session.title,
  courseId: session.courseId,
  instructorId: session.instructorId,
  scheduledStart: session.scheduledStart,
  scheduledEnd: session.scheduledEnd,
  recordingItemId: session.recordingItemId,
  asOf: now.toISOString(),
});

function attendanceFigures(r: LiveReport) {
  const { averageAttendedMs, totalAttendedMs, ...counts } = r.attendance;
  return { ...counts, averageAttendedSec: sec(averageAttendedMs), totalAttendedSec: sec(totalAttendedMs) };
}

/** Everything about a session: attendance, concurrency, engagement, feedback, recording, score. */
export async function liveSessionAnalytics(
  db: Queryable,
  session: LiveSession,
  now: Date,
  graceMin?: number,
) {
  const [report, recording] = await Promise.all([
    sessionReport(db, session, now, graceMin),
    recordingFigures(db, session),
  ]);
  return {
    ...header(session, now),
    live: report.live,
    attendance: attendanceFigures(report),
    concurrency: {
      peak: report.concurrency.peak,
      peakAt: iso(report.concurrency.peakAt),
      timeline: report.concurrency.timeline.map((p) => ({ at: iso(p.at)!, viewers: p.viewers })),
    },
    engagement: report.engagement,
    feedback: report.feedback,
    recording,
    score: report.score,
  };
}

/** The attendee list: everyone registered or attending, with names and their recording viewing. */
export async function liveSessionAttendance(
  db: Queryable,
  session: LiveSession,
  now: Date,
  graceMin?: number,
) {
  const report = await sessionReport(db, session, now, graceMin);
  const ids = report.attendees.map((a) => a.userId);
  const [names, recording] = await Promise.all([
    getUserNames(db, ids),
    session.recordingItemId ? readViewerSummaries(db, session.recordingItemId, ids) : new Map(),
  ]);
  return {
    ...header(session, now),
    attendance: attendanceFigures(report),
    attendees: report.attendees.map((a) => {
      const r = recording.get(a.userId);
      return {
        userId: a.userId,
        name: names.get(a.userId)?.displayName ?? null,
        email: names.get(a.userId)?.email ?? null,
        registered: a.registered,
        attended: a.attended,
        firstJoinAt: iso(a.firstJoinAt),
        lastLeaveAt: iso(a.lastLeaveAt),
        minutes: a.attendedMs / 60_000,
        onTime: a.onTime,
        messages: a.chatMessages,
        questions: a.questions,
        reactions: a.reactions,
        rating: a.rating,
        feedback: a.comment,
        watchedRecording: r !== undefined && r.uniqueSec > 0,
        recordingMinutes: r ? r.uniqueSec / 60 : 0,
        recordingPercent: r ? r.watchedPct : 0,
      };
    }),
  };
}

export type LiveAttendance = Awaited<ReturnType<typeof liveSessionAttendance>>;
