/**
 * The live-session answers as the dashboard reads them (src/http/live-schemas.ts is the source;
 * docs/metrics.md, "Live sessions", defines each field). Rates are 0–1; durations are seconds.
 */

export interface LiveSessionInfo {
  id: string;
  courseId: string | null;
  title: string;
  instructorId: string;
  scheduledStart: string;
  scheduledEnd: string;
  recordingItemId: string | null;
}

export interface LiveSessionList {
  items: LiveSessionInfo[];
  nextCursor: string | null;
}

/** The figures of one session, as compare and the overview's `recentSessions` give them. */
export interface MetricValues {
  attended: number | null;
  attendanceRate: number | null;
  averageAttendedSec: number | null;
  peakViewers: number | null;
  chatMessages: number | null;
  questions: number | null;
  engagementRate: number | null;
  averageRating: number | null;
  recordingViews: number | null;
  score: number | null;
}

export type Metric = keyof MetricValues;
export type Trend = 'improving' | 'declining' | 'stable' | null;

export interface SessionLine extends MetricValues {
  sessionId: string;
  title: string;
  scheduledStart: string;
  isLive: boolean;
}

export interface LiveOverview {
  instructorId: string;
  from: string | null;
  to: string | null;
  asOf: string;
  sessionsRun: number;
  averageAttendanceRate: number | null;
  averageAttended: number | null;
  averageEngagementRate: number | null;
  averageRating: number | null;
  averageScore: number | null;
  recentSessions: SessionLine[];
}

export interface LiveCompareResult {
  asOf: string;
  sessions: SessionLine[];
  averages: MetricValues;
  trends: Record<Metric, Trend>;
}

export interface LiveAttendanceFigures {
  registered: number;
  attended: number;
  registeredAttended: number;
  attendanceRate: number | null;
  walkIns: number;
  onTime: number;
  late: number;
  averageAttendedSec: number;
  totalAttendedSec: number;
}

interface Header {
  sessionId: string;
  title: string;
  courseId: string | null;
  instructorId: string;
  scheduledStart: string;
  scheduledEnd: string;
  recordingItemId: string | null;
  asOf: string;
}

export interface CurvePoint {
  startSec: number;
  endSec: number;
  retention: number;
  rewatch: number;
  exits: number;
  hazard: number;
}

export interface LiveAnalytics extends Header {
  live: { isLive: boolean; currentViewers: number };
  attendance: LiveAttendanceFigures;
  concurrency: { peak: number; peakAt: string | null; timeline: { at: string; viewers: number }[] };
  engagement: {
    chatMessages: number;
    uniqueChatters: number;
    questions: number;
    reactions: { kind: string; count: number }[];
    reactionsTotal: number;
    engagedAttendees: number;
    engagementRate: number;
  };
  feedback: {
    responses: number;
    averageRating: number | null;
    distribution: { rating: number; responses: number }[];
    themes: { term: string; comments: number }[];
  };
  recording: {
    itemId: string;
    durationSec: number;
    views: number;
    viewers: number;
    uniqueViewers: number;
    totalWatchTimeSec: number;
    uniqueWatchTimeSec: number;
    averagePercentViewed: number;
    completionRate: number;
    medianStopSec: number | null;
    retention: { resolutionSec: number; points: CurvePoint[] };
    devices: {
      types: { value: string; viewers: number }[];
      os: { value: string; viewers: number }[];
      browsers: { value: string; viewers: number }[];
    };
  } | null;
  score: {
    score: number;
    parts: { attendance: number; engagement: number; chat: number; retention: number };
  };
}

export interface Attendee {
  userId: string;
  name: string | null;
  email: string | null;
  registered: boolean;
  attended: boolean;
  firstJoinAt: string | null;
  lastLeaveAt: string | null;
  minutes: number;
  onTime: boolean | null;
  messages: number;
  questions: number;
  reactions: number;
  rating: number | null;
  feedback: string | null;
  watchedRecording: boolean;
  recordingMinutes: number;
  recordingPercent: number;
}

export interface LiveAttendance extends Header {
  attendance: LiveAttendanceFigures;
  attendees: Attendee[];
}

/** Most sessions compare accepts (MAX_COMPARED_SESSIONS in src/analytics/live.ts). */
export const MAX_COMPARED = 10;
