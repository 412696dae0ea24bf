import { type TSchema, Type } from '@sinclair/typebox';

/** Response schemas of the progress and analytics endpoints (they double as the OpenAPI document). */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });
const Day = Type.String({ format: 'date', description: 'YYYY-MM-DD, a local day' });
const Percent = Type.Number({ description: '0–100' });

export const CourseSummaryOut = Type.Object({
  courseId: Type.String(),
  title: Type.String(),
  code: Nullable(Type.String()),
  status: Type.Union([Type.Literal('active'), Type.Literal('completed'), Type.Literal('inactive')]),
  itemsCompleted: Type.Integer(),
  totalItems: Type.Integer(),
  completionPercent: Percent,
  timeOnTaskSec: Type.Number(),
  startedAt: Nullable(Timestamp),
  lastActivityAt: Nullable(Timestamp),
  completedAt: Nullable(Timestamp),
  certificate: Nullable(Type.Object({ certificateId: Type.String(), issuedAt: Nullable(Timestamp) })),
});

export const MyCoursesOut = Type.Object({ courses: Type.Array(CourseSummaryOut) });

export const ItemProgressOut = Type.Object({
  itemId: Type.String(),
  title: Type.String(),
  type: Type.String(),
  position: Type.Integer(),
  status: Type.Union([Type.Literal('not_started'), Type.Literal('in_progress'), Type.Literal('completed')]),
  progressPercent: Percent,
  completionThreshold: Percent,
  startedAt: Nullable(Timestamp),
  lastActivityAt: Nullable(Timestamp),
  completedAt: Nullable(Timestamp),
  completedHow: Nullable(Type.String()),
  resumePositionSec: Nullable(Type.Number()),
  video: Nullable(
    Type.Object({
      watchedPercent: Percent,
      watchedSec: Type.Integer(),
      playedSec: Type.Integer(),
      watchSessions: Type.Integer(),
      maxPositionSec: Type.Number(),
    }),
  ),
  timeOnTaskSec: Type.Number(),
  scrollDepthPercent: Nullable(Type.Number()),
  requiredQuizId: Nullable(Type.String()),
  attempts: Type.Integer(),
  bestScorePercent: Nullable(Type.Number()),
  passed: Type.Boolean(),
});

export const MyCourseProgressOut = Type.Composite([
  CourseSummaryOut,
  Type.Object({ items: Type.Array(ItemProgressOut) }),
]);

const DayOut = Type.Object({
  day: Day,
  timeOnTaskSec: Type.Number(),
  visits: Type.Integer(),
  itemsCompleted: Type.Integer(),
  active: Type.Boolean(),
});

export const LearnerActivityOut = Type.Object({
  userId: Type.String(),
  courseId: Type.String(),
  timezone: Type.String(),
  today: Day,
  last28Days: Type.Array(DayOut),
});

export const MyStatsOut = Type.Object({
  userId: Type.String(),
  timezone: Type.String(),
  today: Day,
  courses: Type.Integer(),
  coursesCompleted: Type.Integer(),
  timeOnTaskSec: Type.Number(),
  itemsCompleted: Type.Integer(),
  lessonsCompleted: Type.Integer(),
  currentStreakDays: Type.Integer(),
  longestStreakDays: Type.Integer(),
  last7Days: Type.Array(DayOut),
  last28Days: Type.Array(DayOut),
  comparison: Type.Array(
    Type.Object({
      courseId: Type.String(),
      title: Type.String(),
      you: Type.Object({ progressPercent: Percent, timeOnTaskSec: Type.Number() }),
      courseAverage: Nullable(
        Type.Object({ progressPercent: Percent, timeOnTaskSec: Type.Number(), learners: Type.Integer() }),
      ),
    }),
  ),
});

export const CompletionOut = Type.Object({
  itemId: Type.String(),
  userId: Type.String(),
  status: Type.String(),
  completed: Type.Boolean(),
  completedAt: Nullable(Timestamp),
  duplicate: Type.Boolean({ description: 'The event id was already in the log' }),
});

export const ProgressOut = Type.Object({
  status: Type.String(),
  completed: Type.Boolean(),
  watchPercentage: Percent,
});

const RiskReasonOut = Type.Object({ code: Type.String(), message: Type.String() });

export const StudentOut = Type.Object({
  userId: Type.String(),
  displayName: Type.String(),
  visits7d: Type.Integer(),
  timeOnTaskSec: Type.Number(),
  sessions: Type.Integer(),
  avgSessionSec: Type.Number(),
  videoWatchedPercent: Nullable(Type.Number()),
  scrollDepthPercent: Nullable(Type.Number()),
  itemsCompleted: Type.Integer(),
  progressPercent: Percent,
  startedAt: Nullable(Timestamp),
  lastActivityAt: Nullable(Timestamp),
  engagementScore: Type.Number(),
  riskLevel: Type.Union([Type.Literal('none'), Type.Literal('medium'), Type.Literal('high')]),
  riskReasons: Type.Array(RiskReasonOut),
});

export const StudentsPageOut = Type.Object({
  items: Type.Array(StudentOut),
  total: Type.Integer(),
  nextCursor: Nullable(Type.String()),
});

export const EngagementOut = Type.Composite([
  StudentOut,
  Type.Object({
    courseId: Type.String(),
    asOf: Timestamp,
    scoreComponents: Type.Object({
      visits: Type.Number(),
      timeOnTask: Type.Number(),
      videoWatched: Type.Number(),
      scrollDepth: Type.Number(),
    }),
    weights: Type.Object({
      visits: Type.Number(),
      timeOnTask: Type.Number(),
      videoWatched: Type.Number(),
      scrollDepth: Type.Number(),
    }),
  }),
]);

export const AtRiskOut = Type.Object({
  courseId: Type.String(),
  asOf: Timestamp,
  medianProgressPercent: Percent,
  rules: Type.Object({
    atRiskInactivityDays: Type.Number(),
    atRiskProgressGap: Type.Number(),
    atRiskFailedAttempts: Type.Number(),
    atRiskActivityDrop: Type.Number(),
  }),
  items: Type.Array(
    Type.Object({
      userId: Type.String(),
      displayName: Type.String(),
      riskLevel: Type.String(),
      reasons: Type.Array(RiskReasonOut),
      inactiveDays: Type.Integer(),
      progressPercent: Percent,
      lastActivityAt: Nullable(Timestamp),
    }),
  ),
});

export const CourseAnalyticsOut = Type.Object({
  courseId: Type.String(),
  asOf: Timestamp,
  timezone: Type.String(),
  enrolledLearners: Type.Integer(),
  totalItems: Type.Integer(),
  completedLearners: Type.Integer(),
  completionRate: Percent,
  averageProgressPercent: Percent,
  medianProgressPercent: Percent,
  averageTimePerLearnerSec: Type.Number(),
  activeLearners7d: Type.Integer(),
  atRiskCount: Type.Integer(),
  certificatesIssued: Type.Integer(),
  trend: Type.Array(
    Type.Object({
      day: Day,
      activeLearners: Type.Integer(),
      timeOnTaskSec: Type.Number(),
      visits: Type.Integer(),
      itemsCompleted: Type.Integer(),
    }),
  ),
  itemFunnel: Type.Array(
    Type.Object({
      itemId: Type.String(),
      title: Type.String(),
      type: Type.String(),
      position: Type.Integer(),
      started: Type.Integer(),
      completed: Type.Integer(),
      startedPercent: Percent,
      completedPercent: Percent,
    }),
  ),
});

export const AttemptsOut = Type.Object({
  courseId: Type.String(),
  userId: Type.String(),
  items: Type.Array(
    Type.Object({
      itemId: Type.String(),
      title: Type.String(),
      kind: Type.String(),
      attemptId: Type.String(),
      attemptNumber: Type.Integer(),
      submittedAt: Timestamp,
      score: Type.Number(),
      maxScore: Type.Number(),
      scorePercent: Type.Number(),
      passed: Nullable(Type.Boolean()),
      timeSpentSec: Nullable(Type.Number()),
      best: Type.Boolean({ description: "The learner's best score on this assessment (first such attempt)" }),
    }),
  ),
});
