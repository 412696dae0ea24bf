import type { FeedType } from '../../domain/feed/items.js';
import type { Queryable, Row } from '../db.js';
import { decodeCursor, encodeCursor } from '../pagination.js';

/** A feed row with the names it is told with. */
export interface FeedRow extends Row {
  id: string;
  seq: string;
  type: FeedType;
  occurred_at: Date;
  user_id: string;
  user_name: string | null;
  course_id: string | null;
  course_title: string | null;
  item_id: string | null;
  item_title: string | null;
  item_type: string | null;
  session_id: string | null;
  session_title: string | null;
  progress_pct: number | null;
  data: Record<string, unknown>;
  /** The item is no longer implied (a removal: only the stream and resumption read these). */
  removed: boolean;
}

/** Told to the course's teachers, not to the learner it is about (a label is not a nudge). */
export const LEARNER_HIDDEN = 'at_risk_changed';

/**
 * What a reader may see: everything, or their own items (but `LEARNER_HIDDEN`) plus those of the
 * courses they teach and the live sessions they run.
 */
export type FeedScope = { all: true } | { all: false; userId: string; courses: string[]; sessions: string[] };

export interface FeedFilter {
  courseId?: string | undefined;
  userId?: string | undefined;
  types?: readonly string[] | undefined;
  /** Inclusive lower bound of occurredAt. */
  since?: string | undefined;
  /** Exclusive upper bound of occurredAt. */
  until?: string | undefined;
}

const SELECT = `SELECT f.id, f.seq::text AS seq, f.type, f.occurred_at, f.user_id, u.display_name AS user_name,
    f.course_id, c.title AS course_title, f.item_id, i.title AS item_title, i.type AS item_type,
    f.session_id, s.title AS session_title, p.progress_pct, f.data, f.removed
  FROM feed_items f
  LEFT JOIN users u ON u.id = f.user_id
  LEFT JOIN courses c ON c.id = f.course_id
  LEFT JOIN items i ON i.id = f.item_id
  LEFT JOIN live_sessions s ON s.id = f.session_id
  LEFT JOIN item_progress p ON p.user_id = f.user_id AND p.item_id = f.item_id`;

/** The WHERE conditions of a scope and filter, from parameter `$1` on. */
function conditions(scope: FeedScope, filter: FeedFilter): { sql: string; params: unknown[] } {
  const s = scope.all ? { userId: null, courses: null, sessions: null } : scope;
  return {
    sql: `($1::text IS NULL OR (f.user_id = $1 AND f.type <> '${LEARNER_HIDDEN}')
        OR f.course_id = ANY($2::text[]) OR f.session_id = ANY($3::text[]))
      AND ($4::text IS NULL OR f.course_id = $4)
      AND ($5::text IS NULL OR f.user_id = $5)
      AND ($6::text[] IS NULL OR f.type = ANY($6::text[]))
      AND ($7::timestamptz IS NULL OR f.occurred_at >= $7::timestamptz)
      AND ($8::timestamptz IS NULL OR f.occurred_at < $8::timestamptz)`,
    params: [
      s.userId,
      s.courses ?? [],
      s.sessions ?? [],
      filter.courseId ?? null,
      filter.userId ?? null,
      filter.types && filter.types.length > 0 ? [...filter.types] : null,
      filter.since ?? null,
      filter.until ?? null,
    ],
  };
}

/** Newest first, by (occurredAt, id): a cursor page never repeats or skips a row that was there. */
export async function listFeed(
  db: Queryable,
  scope: FeedScope,
  filter: FeedFilter,
  limit: number,
  cursor?: string,
): Promise<{ rows: FeedRow[]; nextCursor: string | null }> {
  const after = decodeCursor(cursor, ['timestamp', 'text']);
  const where = conditions(scope, filter);
  const rows = await db.query<FeedRow>(
    `${SELECT} WHERE ${where.sql} AND NOT f.removed
       AND ($9::timestamptz IS NULL OR (f.occurred_at, f.id) < ($9::timestamptz, $10::text))
     ORDER BY f.occurred_at DESC, f.id DESC LIMIT $11`,
    [...where.params, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
  );
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return {
    rows: kept,
    nextCursor: more && last ? encodeCursor([last.occurred_at.toISOString(), last.id]) : null,
  };
}

/**
 * Rows committed after `seq`, in commit order, removals included, optionally within a scope and
 * filter (resumption).
 */
export async function feedAfter(
  db: Queryable,
  seq: number,
  limit: number,
  scope: FeedScope = { all: true },
  filter: FeedFilter = {},
): Promise<FeedRow[]> {
  const where = conditions(scope, filter);
  return db.query<FeedRow>(`${SELECT} WHERE f.seq > $9::bigint AND ${where.sql} ORDER BY f.seq LIMIT $10`, [
    ...where.params,
    seq,
    limit,
  ]);
}

/** The highest seq committed so far. */
export async function lastFeedSeq(db: Queryable): Promise<number> {
  const rows = await db.query<{ last: string }>('SELECT last::text AS last FROM feed_sequence WHERE id = 1');
  return Number(rows[0]?.last ?? 0);
}

/** The courses a user teaches and the live sessions they run: the feed items they may see beyond their own. */
export async function teachingScope(
  db: Queryable,
  userId: string,
): Promise<{ courses: string[]; sessions: string[] }> {
  const [courses, sessions] = await Promise.all([
    db.query<{ id: string }>(
      `SELECT c.id FROM courses c WHERE $1 = ANY (c.instructor_ids)
       UNION SELECT e.course_id FROM enrollments e WHERE e.user_id = $1 AND e.active AND e.role IN ('instructor', 'ta')`,
      [userId],
    ),
    db.query<{ id: string }>('SELECT id FROM live_sessions WHERE instructor_id = $1', [userId]),
  ]);
  return { courses: courses.map((r) => r.id), sessions: sessions.map((r) => r.id) };
}
