import type postgres from 'postgres';

/**
 * The reference design's method (shared/reference/000-engagement-api.go.txt,
 * `handleGetEngagementOverview` → `loadEngagementSummary`), translated to our tables: list the
 * course's active enrollments, then for each learner run four aggregate queries over the raw
 * event log, one after another on one connection, and score in application code. Our `events`
 * table stands in for `analytics.engagement_events` and `user_audit`, with the indexes our
 * migrations create and no other.
 */

interface Summary {
  userId: string;
  displayName: string;
  loginsLast7Days: number;
  avgTimeOnTaskPerSession: number;
  avgVideoWatchPct: number | null;
  avgScrollDepth: number | null;
  engagementScore: number;
}

async function summaries(sql: postgres.Sql, courseId: string): Promise<Summary[]> {
  const enrollments = await sql<{ user_id: string; display_name: string | null }[]>`
    SELECT e.user_id, coalesce(u.display_name, u.email) AS display_name
    FROM enrollments e JOIN users u ON u.id = e.user_id
    WHERE e.course_id = ${courseId} AND e.active AND e.role = 'student'
    ORDER BY display_name`;
  const out: Summary[] = [];
  for (const en of enrollments) {
    const user = en.user_id;
    // 1. Heartbeats, and the distinct days with one (the reference's "sessions").
    const [hb] = await sql<{ heartbeats: number; sessions: number }[]>`
      SELECT count(*) FILTER (WHERE type = 'heartbeat')::int AS heartbeats,
             count(DISTINCT date_trunc('day', occurred_at)) FILTER (WHERE type = 'heartbeat')::int AS sessions
      FROM events WHERE user_id = ${user} AND course_id = ${courseId}`;
    // 2. Course visits in the trailing 7 days (the reference reads them from its audit table).
    const [visits] = await sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM events
      WHERE user_id = ${user} AND course_id = ${courseId} AND type = 'course_visit'
        AND occurred_at >= now() - interval '7 days'`;
    // 3. Mean over videos of the highest percent reached (our heartbeats carry position and duration).
    const [video] = await sql<{ pct: number | null }[]>`
      SELECT avg(max_pct) AS pct FROM (
        SELECT item_id, max(CASE WHEN (data->>'ended')::boolean THEN 100
                                 ELSE least(100, (data->>'positionSec')::float8 / (data->>'durationSec')::float8 * 100)
                            END) AS max_pct
        FROM events WHERE user_id = ${user} AND course_id = ${courseId} AND type = 'video_heartbeat'
        GROUP BY item_id) sub`;
    // 4. Mean over items of the deepest scroll.
    const [scroll] = await sql<{ depth: number | null }[]>`
      SELECT avg(max_depth) AS depth FROM (
        SELECT item_id, max(value) AS max_depth
        FROM events WHERE user_id = ${user} AND course_id = ${courseId} AND type = 'scroll_depth'
        GROUP BY item_id) sub`;
    const s = {
      userId: user,
      displayName: en.display_name || 'Student',
      loginsLast7Days: visits?.n ?? 0,
      avgTimeOnTaskPerSession: hb && hb.sessions > 0 ? (hb.heartbeats * 30) / hb.sessions : 0,
      avgVideoWatchPct: video?.pct ?? null,
      avgScrollDepth: scroll?.depth ?? null,
      engagementScore: 0,
    };
    s.engagementScore = score(s);
    out.push(s);
  }
  return out;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** The reference's `engagementScore`, term for term. */
function score(s: Omit<Summary, 'engagementScore'>): number {
  return (
    clamp(s.loginsLast7Days / 5, 0, 1) * 40 +
    clamp(s.avgTimeOnTaskPerSession / 1800, 0, 1) * 30 +
    (s.avgVideoWatchPct === null ? 0 : clamp(s.avgVideoWatchPct / 100, 0, 1) * 15) +
    (s.avgScrollDepth === null ? 0 : clamp(s.avgScrollDepth / 100, 0, 1) * 15)
  );
}

/** The students page from the summaries: by score, highest first (ties by user id), first 50. */
function studentsPage(all: Summary[], limit: number): string {
  const sorted = [...all].sort(
    (a, b) => b.engagementScore - a.engagementScore || (a.userId < b.userId ? -1 : 1),
  );
  return JSON.stringify({ students: sorted.slice(0, limit), total: all.length });
}

/** Course figures from the same summaries: the reference computes nothing course-wide itself. */
function courseFigures(all: Summary[]): string {
  const n = all.length;
  const mean = (f: (s: Summary) => number | null) => {
    const xs = all.map(f).filter((x): x is number => x !== null);
    return xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
  };
  return JSON.stringify({
    enrolledLearners: n,
    activeLearners7d: all.filter((s) => s.loginsLast7Days > 0).length,
    averageEngagementScore: mean((s) => s.engagementScore),
    averageTimeOnTaskPerSession: mean((s) => s.avgTimeOnTaskPerSession),
    averageVideoWatchPct: mean((s) => s.avgVideoWatchPct),
    averageScrollDepth: mean((s) => s.avgScrollDepth),
  });
}

export interface BaselineRun {
  /** Enrollment list plus the four queries per learner. */
  loopMs: number;
  /** loopMs plus sorting and the first page's JSON. */
  studentsMs: number;
  /** loopMs plus the course figures' JSON. */
  analyticsMs: number;
  queries: number;
}

/**
 * One run of the reference method. Both answers need the same per-learner summaries, so the
 * loop runs once and each answer's own finishing step is timed and added to it.
 */
export async function referenceRun(
  sql: postgres.Sql,
  courseId: string,
  pageSize: number,
): Promise<BaselineRun> {
  const ms = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;
  const started = process.hrtime.bigint();
  const all = await summaries(sql, courseId);
  const loopMs = ms(started);
  const pageStarted = process.hrtime.bigint();
  studentsPage(all, pageSize);
  const pageMs = ms(pageStarted);
  const courseStarted = process.hrtime.bigint();
  courseFigures(all);
  const courseMs = ms(courseStarted);
  if (all.length > 0 && all.every((s) => s.avgVideoWatchPct === null && s.avgScrollDepth === null)) {
    throw new Error('reference method: no video or scroll figure for any learner; the queries match nothing');
  }
  return {
    loopMs,
    studentsMs: loopMs + pageMs,
    analyticsMs: loopMs + courseMs,
    queries: 1 + 4 * all.length,
  };
}
