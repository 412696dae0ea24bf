import { compareUrgency } from '../domain/engagement/at-risk.js';
import type { LearnerEngagement } from './roster.js';

export const STUDENT_SORTS = [
  'engagement',
  'progress',
  'lastActivity',
  'visits',
  'timeOnTask',
  'name',
  'risk',
] as const;
export type StudentSort = (typeof STUDENT_SORTS)[number];

const byId = (a: LearnerEngagement, b: LearnerEngagement) =>
  a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0;
const num = (f: (l: LearnerEngagement) => number) => (a: LearnerEngagement, b: LearnerEngagement) =>
  f(a) - f(b);

const COMPARE: Record<StudentSort, (a: LearnerEngagement, b: LearnerEngagement) => number> = {
  engagement: num((l) => l.engagement.score),
  progress: num((l) => l.progressPercent),
  lastActivity: num((l) =>
    l.lastActivityAt === null ? Number.NEGATIVE_INFINITY : Date.parse(l.lastActivityAt),
  ),
  visits: num((l) => l.visits7d),
  timeOnTask: num((l) => l.timeOnTaskSec),
  name: (a, b) => (a.displayName < b.displayName ? -1 : a.displayName > b.displayName ? 1 : 0),
  // Ascending risk is least urgent first, so that `desc` (the default) puts the most urgent first.
  risk: (a, b) => compareUrgency(b, a),
};

/** Sorts learners by a column; ties always by user id ascending, so pages are stable. */
export function sortStudents(
  learners: readonly LearnerEngagement[],
  sort: StudentSort,
  order: 'asc' | 'desc',
): LearnerEngagement[] {
  const sign = order === 'asc' ? 1 : -1;
  return [...learners].sort((a, b) => sign * COMPARE[sort](a, b) || byId(a, b));
}

/** Learners whose name or id contains `q`, ignoring case and accents; all when `q` is blank. */
export function searchStudents(
  learners: readonly LearnerEngagement[],
  q: string | undefined,
): readonly LearnerEngagement[] {
  const fold = (x: string) => x.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const needle = fold(q?.trim() ?? '');
  if (needle === '') return learners;
  return learners.filter((l) => fold(l.displayName).includes(needle) || fold(l.userId).includes(needle));
}

/** The row the students table, its CSV and the one-learner view share. */
export const studentRow = (l: LearnerEngagement) => ({
  userId: l.userId,
  displayName: l.displayName,
  visits7d: l.visits7d,
  timeOnTaskSec: l.timeOnTaskSec,
  sessions: l.sessions,
  avgSessionSec: l.avgSessionSec,
  videoWatchedPercent: l.videoWatchedPercent,
  scrollDepthPercent: l.scrollDepthPercent,
  itemsCompleted: l.itemsCompleted,
  progressPercent: l.progressPercent,
  startedAt: l.startedAt,
  lastActivityAt: l.lastActivityAt,
  engagementScore: l.engagement.score,
  riskLevel: l.risk.level,
  riskReasons: l.risk.reasons,
});
