import type postgres from 'postgres';

/**
 * The reference design's video drop-off method. 001-video-heartbeat-sessions.go.txt promises
 * drop-off rates on its dashboard but its text stops at recording sessions; the reference designs'
 * one drop-off computation is 000-engagement-api.go.txt's `handleGetVideoDropoff` →
 * `buildDropoffCurve` ("drop-off from each viewer's furthest percentage"), run here term for term:
 * per request, count the video's distinct viewers over all its raw progress rows, then read every
 * viewer's furthest percent (max over their rows, grouped by viewer, sorted), and in code count
 * for each of 21 thresholds (0, 5, …, 100 %) the viewers who reached it; the median stop is the
 * middle viewer's percent. Two queries over all the video's rows per request, one after the
 * other on one connection.
 *
 * It runs against one of two stores of the same heartbeats:
 * - `reference`: a table shaped like the reference's `analytics.engagement_events` (user, course,
 *   item, item type, event type, value = percent watched, time), one `video_progress` row per
 *   heartbeat with value = min(100, positionSec ÷ durationSec × 100), indexed on
 *   (course_id, item_id, event_type, occurred_at) — the index its per-video queries can use;
 * - `events`: our `events` table as ingestion left it (the percent computed from each row's
 *   `data` on the fly), with only our own indexes.
 */
export type BaselineSource = 'reference' | 'events';

export const REFERENCE_TABLE = 'ref_engagement_events';

/** Creates and fills the reference-shaped table from the heartbeats in `events`; returns its row count. */
export async function createReferenceTable(sql: postgres.Sql): Promise<number> {
  await sql.unsafe(`DROP TABLE IF EXISTS ${REFERENCE_TABLE}`);
  await sql.unsafe(`
    CREATE TABLE ${REFERENCE_TABLE} (
      id          bigserial PRIMARY KEY,
      user_id     text NOT NULL,
      course_id   text NOT NULL,
      item_id     text NOT NULL,
      item_type   text NOT NULL,
      event_type  text NOT NULL,
      value       double precision,
      occurred_at timestamptz NOT NULL
    )`);
  await sql.unsafe(`
    INSERT INTO ${REFERENCE_TABLE} (user_id, course_id, item_id, item_type, event_type, value, occurred_at)
    SELECT user_id, course_id, item_id, 'video', 'video_progress',
           least(100, (data->>'positionSec')::float8 / (data->>'durationSec')::float8 * 100), occurred_at
    FROM events WHERE type = 'video_heartbeat' ORDER BY occurred_at`);
  await sql.unsafe(
    `CREATE INDEX ${REFERENCE_TABLE}_item_idx ON ${REFERENCE_TABLE} (course_id, item_id, event_type, occurred_at)`,
  );
  await sql.unsafe(`VACUUM (ANALYZE) ${REFERENCE_TABLE}`);
  const [row] = await sql.unsafe(`SELECT count(*)::bigint AS n FROM ${REFERENCE_TABLE}`);
  return Number(row?.n);
}

/** UTC dates, inclusive; the reference has no range of its own, so it filters rows by their time. */
export interface DayRange {
  from: string;
  to: string;
}

function sourceSql(source: BaselineSource, range: DayRange | undefined) {
  const time = range
    ? `AND occurred_at >= '${range.from}T00:00:00Z'::timestamptz AND occurred_at < '${range.to}T00:00:00Z'::timestamptz + interval '1 day'`
    : '';
  return source === 'reference'
    ? {
        table: REFERENCE_TABLE,
        where: `course_id = $1 AND item_id = $2 AND event_type = 'video_progress' ${time}`,
        value: 'value',
      }
    : {
        table: 'events',
        where: `course_id = $1 AND item_id = $2 AND type = 'video_heartbeat' ${time}`,
        value: `least(100, (data->>'positionSec')::float8 / (data->>'durationSec')::float8 * 100)`,
      };
}

interface DropoffPoint {
  second: number;
  pctStillWatching: number;
}

/** The reference's `buildDropoffCurve`, term for term: 21 thresholds, each counted over all viewers. */
function buildDropoffCurve(watchPcts: number[], total: number): DropoffPoint[] {
  if (total === 0 || watchPcts.length === 0) return [];
  const buckets = 20;
  const points: DropoffPoint[] = [];
  for (let i = 0; i <= buckets; i++) {
    const threshold = (i / buckets) * 100;
    let stillWatching = 0;
    for (const p of watchPcts) if (p >= threshold) stillWatching++;
    points.push({ second: i * (3600 / buckets), pctStillWatching: (stillWatching / total) * 100 });
  }
  return points;
}

export interface BaselineAnswer {
  ms: number;
  watchers: number;
  body: string;
}

/**
 * One request of the reference method, timed from the first query to the JSON answer (no HTTP:
 * that would only add to its time).
 */
export async function referenceDropoff(
  sql: postgres.Sql,
  source: BaselineSource,
  courseId: string,
  itemId: string,
  range?: DayRange,
): Promise<BaselineAnswer> {
  const { table, where, value } = sourceSql(source, range);
  const started = process.hrtime.bigint();
  const [count] = await sql.unsafe(
    `SELECT count(DISTINCT user_id)::bigint AS n FROM ${table} WHERE ${where}`,
    [courseId, itemId],
  );
  const totalWatchers = Number(count?.n ?? 0);
  let body: string;
  if (totalWatchers === 0) {
    body = JSON.stringify({ objectId: itemId, totalWatchers: 0, dropoff: [], medianStopSecond: null });
  } else {
    const rows = await sql.unsafe(
      `SELECT max(${value})::float8 AS max_pct FROM ${table} WHERE ${where} GROUP BY user_id ORDER BY max_pct ASC`,
      [courseId, itemId],
    );
    const watchPcts = rows.map((r) => Number(r.max_pct));
    const dropoff = buildDropoffCurve(watchPcts, totalWatchers);
    const medianStopPct = watchPcts.length > 0 ? watchPcts[Math.floor(watchPcts.length / 2)]! : null;
    body = JSON.stringify({ objectId: itemId, totalWatchers, dropoff, medianStopPct });
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ms, watchers: totalWatchers, body };
}
