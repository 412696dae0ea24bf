import type { EngagementWeightsValue } from '../catalog/schemas.js';

/** Per-learner inputs of the engagement score (SPEC §5). */
export interface EngagementInputs {
  visits7d: number;
  /** Average time on task per learning session, in seconds. */
  avgSessionSec: number;
  videoWatchedPercent: number | null;
  scrollDepthPercent: number | null;
}

/** Where each component of the score reaches its full weight. */
export const FULL_VISITS_7D = 5;
export const FULL_SESSION_SEC = 30 * 60;

export interface EngagementScore {
  /** 0–100. */
  score: number;
  /** Points each component contributed (they add up to `score`). */
  components: { visits: number; timeOnTask: number; videoWatched: number; scrollDepth: number };
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/**
 * The engagement score: each component's fill (0–1) times its weight, scaled so that full marks
 * are 100 whatever the weights add up to. A learner without video or scroll data scores 0 there.
 * @example engagementScore({ visits7d: 5, avgSessionSec: 1800, videoWatchedPercent: 100, scrollDepthPercent: 100 }, weights).score // 100
 */
export function engagementScore(x: EngagementInputs, w: EngagementWeightsValue): EngagementScore {
  const total = w.visits + w.timeOnTask + w.videoWatched + w.scrollDepth;
  const scale = total > 0 ? 100 / total : 0;
  const components = {
    visits: clamp01(x.visits7d / FULL_VISITS_7D) * w.visits * scale,
    timeOnTask: clamp01(x.avgSessionSec / FULL_SESSION_SEC) * w.timeOnTask * scale,
    videoWatched: clamp01((x.videoWatchedPercent ?? 0) / 100) * w.videoWatched * scale,
    scrollDepth: clamp01((x.scrollDepthPercent ?? 0) / 100) * w.scrollDepth * scale,
  };
  const score = components.visits + components.timeOnTask + components.videoWatched + components.scrollDepth;
  return { score, components };
}
