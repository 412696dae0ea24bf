import { assessmentsProjection } from './assessments.js';
import { dailyActivityProjection } from './daily-activity.js';
import type { Projection } from './projection.js';
import { progressProjection } from './progress.js';

/**
 * Every projection, in the order they are applied (and rows locked: keep it fixed). Assessments
 * come before progress, which reads the stored attempts. Daily activity comes last: its per-course
 * daily totals are rows every batch of the course updates, so they are locked as late as possible
 * (until commit) to keep concurrent transactions from queueing behind them.
 */
export const PROJECTIONS: readonly Projection[] = [
  assessmentsProjection,
  progressProjection,
  dailyActivityProjection,
];
