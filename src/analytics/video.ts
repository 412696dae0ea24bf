import {
  addContribution,
  applyDelta,
  contributionOf,
  emptyAggregate,
  emptyDelta,
  sumAggregates,
  type VideoAggregate,
} from '../domain/video/aggregate.js';
import { medianStop, type VideoReport, videoReport } from '../domain/video/report.js';
import { listVideos } from '../store/catalog/items.js';
import type { Queryable } from '../store/db.js';
import { sessionDay } from '../store/video/rows.js';
import {
  readDays,
  readMultiDayViewings,
  readReportedDuration,
  readTotals,
  readViewing,
} from '../store/video/read.js';
import { playTotal, rangesOf, setSize } from '../domain/video/seconds.js';
import { reachesThreshold, viewingSummary } from '../domain/video/viewing.js';

/** A date range of watch sessions (UTC days, inclusive); either end may be open. */
export interface DayRange {
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * A video's aggregate over the sessions of a date range: the days' rows summed, then each viewer
 * seen on more than one of those days counted once (their per-day parts taken out, their whole
 * range put in), so the figures equal a count over the range's sessions.
 */
async function rangeAggregate(db: Queryable, itemId: string, range: DayRange): Promise<VideoAggregate> {
  const from = range.from ?? '0001-01-01';
  const to = range.to ?? '9999-12-31';
  const [days, multi] = await Promise.all([
    readDays(db, itemId, from, to),
    readMultiDayViewings(db, itemId, from, to),
  ]);
  const delta = emptyDelta();
  for (const v of multi) {
    const byDay = new Map<string, typeof v.sessions>();
    for (const s of v.sessions) byDay.set(sessionDay(s), [...(byDay.get(sessionDay(s)) ?? []), s]);
    for (const sessions of byDay.values()) {
      addContribution(delta, contributionOf(sessions, v.durationSec, v.threshold), -1);
    }
    addContribution(delta, contributionOf(v.sessions, v.durationSec, v.threshold), 1);
  }
  return applyDelta(sumAggregates(days), delta);
}

export interface VideoItemFacts {
  id: string;
  title: string;
  position: number;
  durationSec: number;
  completionThreshold: number;
}

/** The catalog facts of a course's videos (duration from the players when the catalog has none). */
async function videoFacts(db: Queryable, courseId: string, itemId?: string): Promise<VideoItemFacts[]> {
  const items = await listVideos(db, courseId, itemId);
  return Promise.all(
    items.map(async (i) => ({
      id: i.id,
      title: i.title,
      position: i.position,
      durationSec: i.durationSec ?? (await readReportedDuration(db, i.id)) ?? 0,
      completionThreshold: i.threshold,
    })),
  );
}

export type VideoAnalytics = VideoItemFacts & { from: string | null; to: string | null } & VideoReport;

/** One video's analytics, or undefined when the course has no such video. */
export async function videoAnalytics(
  db: Queryable,
  courseId: string,
  itemId: string,
  range: DayRange,
  full: boolean,
): Promise<VideoAnalytics | undefined> {
  const [video] = await videoFacts(db, courseId, itemId);
  if (!video) return undefined;
  const aggregate =
    range.from === undefined && range.to === undefined
      ? ((await readTotals(db, [itemId])).get(itemId) ?? emptyAggregate())
      : await rangeAggregate(db, itemId, range);
  return {
    ...video,
    from: range.from ?? null,
    to: range.to ?? null,
    ...videoReport(aggregate, video.durationSec, video.completionThreshold, full),
  };
}

/** Every video of a course with its headline figures, in course order. */
export async function courseVideos(db: Queryable, courseId: string) {
  const videos = await videoFacts(db, courseId);
  const totals = await readTotals(
    db,
    videos.map((v) => v.id),
  );
  return videos.map((v) => {
    const a = totals.get(v.id) ?? emptyAggregate();
    const ratio = (n: number) => (a.viewers > 0 ? n / a.viewers : 0);
    return {
      ...v,
      viewers: a.viewers,
      uniqueViewers: a.playedViewers,
      views: a.views,
      totalWatchTimeSec: a.playedSec,
      uniqueWatchTimeSec: a.uniqueSec,
      averagePercentViewed: ratio(a.pctSum / 100),
      completionRate: ratio(a.completions),
      replayRate: ratio(a.replays),
      medianStopSec: medianStop(a.exits),
    };
  });
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** One learner's viewing of a video, session by session; undefined when the course has no such video. */
export async function viewerDetail(db: Queryable, courseId: string, itemId: string, userId: string) {
  const [video] = await videoFacts(db, courseId, itemId);
  if (!video) return undefined;
  const v = await readViewing(db, itemId, userId);
  const summary = v ? viewingSummary(v) : undefined;
  return {
    courseId,
    itemId,
    userId,
    durationSec: v?.durationSec ?? video.durationSec,
    completionThreshold: video.completionThreshold,
    watchedPercent: summary?.watchedPct ?? 0,
    watchedSec: summary?.uniqueSec ?? 0,
    playedSec: summary?.playedSec ?? 0,
    maxPositionSec: summary?.maxPositionSec ?? 0,
    lastPositionSec: summary?.lastPositionSec ?? null,
    completed: v?.completedAt != null,
    completedAt: iso(v?.completedAt ?? null),
    clippedSec: summary?.clippedSec ?? 0,
    watchedRanges: rangesOf(v?.seconds ?? []),
    sessions: (v?.sessions ?? []).map((s) => ({
      watchSessionId: s.id,
      sessionNumber: s.number,
      startedAt: iso(s.startAt)!,
      lastHeartbeatAt: iso(s.lastAt)!,
      maxPositionSec: s.maxPositionSec,
      lastPositionSec: s.lastPositionSec,
      watchedSec: setSize(s.seconds),
      playedSec: playTotal(s.plays),
      ended: s.ended,
      completed: reachesThreshold(s.seconds, v!.durationSec, v!.threshold),
      clippedSec: s.clippedSec,
    })),
  };
}
