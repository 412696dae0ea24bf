import { assessmentsProjection } from './assessments.js';
import { dailyActivityProjection } from './daily-activity.js';
import type { Projection } from './projection.js';
import { progressProjection } from './progress.js';

/** Every projection, in the order they are applied (and rows locked: keep it fixed). */
export const PROJECTIONS: readonly Projection[] = [
  dailyActivityProjection,
  progressProjection,
  assessmentsProjection,
];
