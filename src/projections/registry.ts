import { dailyActivityProjection } from './daily-activity.js';
import type { Projection } from './projection.js';

/** Every projection, in the order they are applied. */
export const PROJECTIONS: readonly Projection[] = [dailyActivityProjection];
