import { assessRisk, median, type Risk } from '../domain/engagement/at-risk.js';
import { type EngagementScore, engagementScore } from '../domain/engagement/score.js';
import type { ResolvedCourseSettings } from '../domain/catalog/schemas.js';
import { completionPercent } from '../domain/progress/course-progress.js';
import { localDay } from '../domain/time/local-day.js';
import { countItems, readFailing, readRoster, rosterZones } from '../store/analytics/roster.js';
import type { Queryable } from '../store/db.js';

/** Everything the engagement views say about one learner of a course. */
export interface LearnerEngagement {
  userId: string;
  displayName: string;
  timezone: string;
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
  engagement: EngagementScore;
  risk: Risk;
}

export interface CourseRoster {
  totalItems: number;
  medianProgress: number;
  learners: LearnerEngagement[];
}

/**
 * A course's learners with their engagement and risk, in a constant number of queries whatever
 * the size of the course: the figures come from projections, and the per-learner formulas are
 * the pure functions of `domain/engagement`. The median progress is the whole course's even when
 * only one learner is asked for.
 */
export async function loadRoster(
  db: Queryable,
  courseId: string,
  settings: ResolvedCourseSettings,
  now: Date,
  onlyUser?: string,
): Promise<CourseRoster> {
  const zones = await rosterZones(db, courseId);
  const todayByZone = Object.fromEntries(zones.map((z) => [z, localDay(now, z)]));
  const [totalItems, rows, failing] = [
    await countItems(db, courseId),
    await readRoster(db, courseId, todayByZone),
    await readFailing(db, courseId, onlyUser),
  ];
  const failingByUser = new Map<string, { itemId: string; title: string; failures: number }[]>();
  for (const f of failing) {
    const list = failingByUser.get(f.user_id) ?? [];
    list.push({ itemId: f.item_id, title: f.title, failures: f.failures });
    failingByUser.set(f.user_id, list);
  }
  const progressOf = (r: (typeof rows)[number]) => completionPercent(r.items_completed ?? 0, totalItems);
  const medianProgress = median(rows.map(progressOf));
  const nowMs = now.getTime();
  const learners = rows
    .filter((r) => onlyUser === undefined || r.user_id === onlyUser)
    .map((r): LearnerEngagement => {
      const timeOnTaskSec = (r.time_spent_ms ?? 0) / 1000;
      const sessions = r.sessions ?? 0;
      const inputs = {
        visits7d: r.visits7 ?? 0,
        avgSessionSec: sessions > 0 ? timeOnTaskSec / sessions : 0,
        videoWatchedPercent: r.videos_started ? (r.video_pct_sum ?? 0) / 100 / r.videos_started : null,
        scrollDepthPercent: r.scroll_items ? (r.scroll_pct_sum ?? 0) / 100 / r.scroll_items : null,
      };
      const progressPercent = progressOf(r);
      const lastAt = r.last_at?.getTime() ?? null;
      return {
        userId: r.user_id,
        displayName: r.display_name,
        timezone: r.zone,
        ...inputs,
        timeOnTaskSec,
        sessions,
        itemsCompleted: r.items_completed ?? 0,
        progressPercent,
        startedAt: r.first_at?.toISOString() ?? null,
        lastActivityAt: r.last_at?.toISOString() ?? null,
        engagement: engagementScore(inputs, settings.engagementWeights),
        risk: assessRisk(
          {
            lastActivityAt: lastAt,
            enrolledAt: r.enrolled_at.getTime(),
            progressPercent,
            failing: failingByUser.get(r.user_id) ?? [],
            activeMsLast7: r.active7 ?? 0,
            activeMsPrevious7: r.active_prev7 ?? 0,
          },
          medianProgress,
          settings,
          nowMs,
        ),
      };
    });
  return { totalItems, medianProgress, learners };
}
