/** The API's answers, as far as the dashboard reads them (docs/metrics.md defines each field). */
export interface Course {
  id: string;
  code: string | null;
  title: string;
  instructorIds: string[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface CourseAnalytics {
  courseId: string;
  asOf: string;
  timezone: string;
  enrolledLearners: number;
  totalItems: number;
  completedLearners: number;
  completionRate: number;
  averageProgressPercent: number;
  medianProgressPercent: number;
  averageTimePerLearnerSec: number;
  activeLearners7d: number;
  atRiskCount: number;
  certificatesIssued: number;
  trend: {
    day: string;
    activeLearners: number;
    timeOnTaskSec: number;
    visits: number;
    itemsCompleted: number;
  }[];
  itemFunnel: {
    itemId: string;
    title: string;
    type: string;
    position: number;
    started: number;
    completed: number;
    startedPercent: number;
    completedPercent: number;
  }[];
}

export interface RiskReason {
  code: string;
  message: string;
}

export interface AtRisk {
  courseId: string;
  asOf: string;
  medianProgressPercent: number;
  items: {
    userId: string;
    displayName: string;
    riskLevel: 'medium' | 'high';
    reasons: RiskReason[];
    inactiveDays: number;
    progressPercent: number;
    lastActivityAt: string | null;
  }[];
}

export interface StudentRow {
  userId: string;
  displayName: string;
  visits7d: number;
  timeOnTaskSec: number;
  sessions: number;
  avgSessionSec: number;
  videoWatchedPercent: number | null;
  scrollDepthPercent: number | null;
  itemsCompleted: number;
  progressPercent: number;
  startedAt: string | null;
  lastActivityAt: string | null;
  engagementScore: number;
  riskLevel: 'none' | 'medium' | 'high';
  riskReasons: RiskReason[];
}

export interface StudentsPage extends Page<StudentRow> {
  total: number;
}
