import { assessmentsProjection } from './assessments.js';
import { dailyActivityProjection } from './daily-activity.js';
import type { Projection } from './projection.js';
import { progressProjection } from './progress.js';

/**
 * Every projection, in the order they are applied (and rows locked: keep it fixed). Assessments
 * come before progress, which reads the stored attempts.
 */
export const PROJECTIONS: readonly Projection[] = [
  dailyActivityProjection,
  assessmentsProjection,
  progressProjection,
];
