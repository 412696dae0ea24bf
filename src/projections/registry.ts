import { assessmentsProjection } from './assessments.js';
import { dailyActivityProjection } from './daily-activity.js';
import type { Projection } from './projection.js';
import { liveProjection } from './live.js';
import { progressProjection } from './progress.js';
import { videoProjection } from './video.js';

/**
 * Every projection, in the order they are applied (and rows locked: keep it fixed). Video and
 * assessments come before progress, which reads the stored viewings and attempts; the video
 * aggregates, shared by all viewers of a video, are written after everything (deferred). Daily activity comes last: its per-course
 * daily totals are rows every batch of the course updates, so they are locked as late as possible
 * (until commit) to keep concurrent transactions from queueing behind them.
 */
export const PROJECTIONS: readonly Projection[] = [
  videoProjection,
  assessmentsProjection,
  progressProjection,
  dailyActivityProjection,
  liveProjection,
];
