/**
 * The API's answers that the learner views read (docs/metrics.md defines each field). Kept here
 * rather than in lib/types.ts, which the learner views do not own.
 */
import type { StudentRow } from '../lib/types.js';

export interface EngagementParts {
  visits: number;
  timeOnTask: number;
  videoWatched: number;
  scrollDepth: number;
}

/** GET /courses/{courseId}/students/{userId}/engagement */
export interface Engagement extends StudentRow {
  courseId: string;
  asOf: string;
  scoreComponents: EngagementParts;
  weights: EngagementParts;
}

/** GET /courses/{courseId}/students/{userId}/attempts */
export interface Attempts {
  courseId: string;
  userId: string;
  items: {
    itemId: string;
    title: string;
    kind: string;
    attemptId: string;
    attemptNumber: number;
    submittedAt: string;
    score: number;
    maxScore: number;
    scorePercent: number;
    passed: boolean | null;
    timeSpentSec: number | null;
    best: boolean;
  }[];
}

/** GET /users/{userId} */
export interface User {
  id: string;
  displayName: string;
  email: string | null;
  timezone: string;
}

export type CourseStatus = 'active' | 'completed' | 'inactive';

/** One course of GET /me/courses, and the head of GET /me/courses/{courseId}/progress. */
export interface CourseSummary {
  courseId: string;
  title: string;
  code: string | null;
  status: CourseStatus;
  itemsCompleted: number;
  totalItems: number;
  completionPercent: number;
  timeOnTaskSec: number;
  startedAt: string | null;
  lastActivityAt: string | null;
  completedAt: string | null;
  certificate: { certificateId: string; issuedAt: string | null } | null;
}

export interface MyCourses {
  courses: CourseSummary[];
}

export type ItemStatus = 'not_started' | 'in_progress' | 'completed';

export interface ItemProgress {
  itemId: string;
  title: string;
  type: string;
  position: number;
  status: ItemStatus;
  progressPercent: number;
  completionThreshold: number;
  startedAt: string | null;
  lastActivityAt: string | null;
  completedAt: string | null;
  completedHow: string | null;
  resumePositionSec: number | null;
  video: {
    watchedPercent: number;
    watchedSec: number;
    playedSec: number;
    watchSessions: number;
    maxPositionSec: number;
  } | null;
  timeOnTaskSec: number;
  scrollDepthPercent: number | null;
  requiredQuizId: string | null;
  attempts: number;
  bestScorePercent: number | null;
  passed: boolean;
}

/** GET /me/courses/{courseId}/progress, and GET /courses/{courseId}/students/{userId}/progress */
export interface MyCourseProgress extends CourseSummary {
  items: ItemProgress[];
}

export interface StatsDay {
  day: string;
  timeOnTaskSec: number;
  visits: number;
  itemsCompleted: number;
  active: boolean;
}

/** GET /courses/{courseId}/students/{userId}/activity: the learner's local days, this course only */
export interface LearnerActivity {
  userId: string;
  courseId: string;
  timezone: string;
  today: string;
  last28Days: StatsDay[];
}

/** GET /me/stats */
export interface MyStats {
  userId: string;
  timezone: string;
  today: string;
  courses: number;
  coursesCompleted: number;
  timeOnTaskSec: number;
  itemsCompleted: number;
  lessonsCompleted: number;
  currentStreakDays: number;
  longestStreakDays: number;
  last7Days: StatsDay[];
  last28Days: StatsDay[];
  comparison: {
    courseId: string;
    title: string;
    you: { progressPercent: number; timeOnTaskSec: number };
    courseAverage: { progressPercent: number; timeOnTaskSec: number; learners: number } | null;
  }[];
}
