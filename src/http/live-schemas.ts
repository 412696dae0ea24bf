import { type TSchema, Type } from '@sinclair/typebox';
import { MAX_COMPARED_SESSIONS } from '../analytics/live.js';

/** Response schemas of the live-session analytics endpoints (they double as the OpenAPI document). */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });
const Share = Type.Number({ description: '0–1' });

const Header = {
  sessionId: Type.String(),
  title: Type.String(),
  courseId: Nullable(Type.String()),
  instructorId: Type.String(),
  scheduledStart: Timestamp,
  scheduledEnd: Timestamp,
  recordingItemId: Nullable(Type.String()),
  asOf: Timestamp,
};

const Attendance = Type.Object({
  registered: Type.Integer(),
  attended: Type.Integer(),
  registeredAttended: Type.Integer(),
  attendanceRate: Nullable(Share),
  walkIns: Type.Integer(),
  onTime: Type.Integer(),
  late: Type.Integer(),
  averageAttendedSec: Type.Number(),
  totalAttendedSec: Type.Number(),
});

const Count = (name: string) => Type.Object({ [name]: Type.String(), viewers: Type.Integer() });

export const LiveAnalyticsOut = Type.Object({
  ...Header,
  live: Type.Object({ isLive: Type.Boolean(), currentViewers: Type.Integer() }),
  attendance: Attendance,
  concurrency: Type.Object({
    peak: Type.Integer(),
    peakAt: Nullable(Timestamp),
    timeline: Type.Array(Type.Object({ at: Timestamp, viewers: Type.Integer() })),
  }),
  engagement: Type.Object({
    chatMessages: Type.Integer(),
    uniqueChatters: Type.Integer(),
    questions: Type.Integer(),
    reactions: Type.Array(Type.Object({ kind: Type.String(), count: Type.Integer() })),
    reactionsTotal: Type.Integer(),
    engagedAttendees: Type.Integer(),
    engagementRate: Share,
  }),
  feedback: Type.Object({
    responses: Type.Integer(),
    averageRating: Nullable(Type.Number()),
    distribution: Type.Array(Type.Object({ rating: Type.Integer(), responses: Type.Integer() })),
    themes: Type.Array(Type.Object({ term: Type.String(), comments: Type.Integer() })),
  }),
  recording: Nullable(
    Type.Object({
      itemId: Type.String(),
      durationSec: Type.Number(),
      views: Type.Integer(),
      viewers: Type.Integer(),
      uniqueViewers: Type.Integer(),
      totalWatchTimeSec: Type.Number(),
      uniqueWatchTimeSec: Type.Number(),
      averagePercentViewed: Type.Number(),
      completionRate: Share,
      medianStopSec: Nullable(Type.Number()),
      retention: Type.Object({
        resolutionSec: Type.Integer(),
        points: Type.Array(
          Type.Object({
            startSec: Type.Integer(),
            endSec: Type.Integer(),
            retention: Share,
            rewatch: Type.Number(),
            exits: Type.Integer(),
            hazard: Share,
          }),
        ),
      }),
      devices: Type.Object({
        types: Type.Array(Count('value')),
        os: Type.Array(Count('value')),
        browsers: Type.Array(Count('value')),
      }),
    }),
  ),
  score: Type.Object({
    score: Type.Number({ description: '0–100' }),
    parts: Type.Object({
      attendance: Type.Number(),
      engagement: Type.Number(),
      chat: Type.Number(),
      retention: Type.Number(),
    }),
  }),
});

export const LiveAttendanceOut = Type.Object({
  ...Header,
  attendance: Attendance,
  attendees: Type.Array(
    Type.Object({
      userId: Type.String(),
      name: Nullable(Type.String()),
      email: Nullable(Type.String()),
      registered: Type.Boolean(),
      attended: Type.Boolean(),
      firstJoinAt: Nullable(Timestamp),
      lastLeaveAt: Nullable(Timestamp),
      minutes: Type.Number(),
      onTime: Nullable(Type.Boolean()),
      messages: Type.Integer(),
      questions: Type.Integer(),
      reactions: Type.Integer(),
      rating: Nullable(Type.Integer()),
      feedback: Nullable(Type.String()),
      watchedRecording: Type.Boolean(),
      recordingMinutes: Type.Number(),
      recordingPercent: Type.Number(),
    }),
  ),
});

const MetricValues = Type.Object({
  attended: Nullable(Type.Number()),
  attendanceRate: Nullable(Type.Number()),
  averageAttendedSec: Nullable(Type.Number()),
  peakViewers: Nullable(Type.Number()),
  chatMessages: Nullable(Type.Number()),
  questions: Nullable(Type.Number()),
  engagementRate: Nullable(Type.Number()),
  averageRating: Nullable(Type.Number()),
  recordingViews: Nullable(Type.Number()),
  score: Nullable(Type.Number()),
});
const TrendValue = Nullable(
  Type.Union([Type.Literal('improving'), Type.Literal('declining'), Type.Literal('stable')]),
);

const SessionLine = Type.Composite([
  Type.Object({
    sessionId: Type.String(),
    title: Type.String(),
    scheduledStart: Timestamp,
    isLive: Type.Boolean(),
  }),
  MetricValues,
]);

export const CompareBody = Type.Object(
  {
    sessionIds: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
      minItems: 2,
      maxItems: MAX_COMPARED_SESSIONS,
      uniqueItems: true,
    }),
  },
  { additionalProperties: false },
);

export const CompareOut = Type.Object({
  asOf: Timestamp,
  sessions: Type.Array(SessionLine),
  averages: MetricValues,
  trends: Type.Object(Object.fromEntries(Object.keys(MetricValues.properties).map((k) => [k, TrendValue]))),
});

export const OverviewOut = Type.Object({
  instructorId: Type.String(),
  from: Nullable(Type.String()),
  to: Nullable(Type.String()),
  asOf: Timestamp,
  sessionsRun: Type.Integer(),
  averageAttendanceRate: Nullable(Type.Number()),
  averageAttended: Nullable(Type.Number()),
  averageEngagementRate: Nullable(Type.Number()),
  averageRating: Nullable(Type.Number()),
  averageScore: Nullable(Type.Number()),
  recentSessions: Type.Array(SessionLine),
});
