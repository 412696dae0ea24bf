import type { ItemInput } from '../../domain/catalog/schemas.js';
import { DEFAULT_COMPLETION_THRESHOLD } from '../../domain/progress/item-progress.js';
import { AppError } from '../../errors/app-error.js';
import type { Queryable, Row } from '../db.js';
import { decodeCursor, type Page, toPage } from '../pagination.js';

export interface Item {
  id: string;
  courseId: string;
  type: ItemInput['type'];
  title: string;
  position: number;
  durationSec: number | null;
  completionThreshold: number | null;
  requiredQuizId: string | null;
  createdAt: string;
  updatedAt: string;
}

interface ItemRow extends Row {
  id: string;
  course_id: string;
  type: ItemInput['type'];
  title: string;
  position: number;
  duration_sec: number | null;
  completion_threshold: number | null;
  required_quiz_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const toItem = (r: ItemRow): Item => ({
  id: r.id,
  courseId: r.course_id,
  type: r.type,
  title: r.title,
  position: r.position,
  durationSec: r.duration_sec,
  completionThreshold: r.completion_threshold,
  requiredQuizId: r.required_quiz_id,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/**
 * Upserts a course's items in one statement. An item id already used by another course is a
 * conflict (item ids are global): 409, and the caller's transaction rolls back.
 */
export async function upsertItems(
  tx: Queryable,
  courseId: string,
  items: readonly (ItemInput & { id: string })[],
): Promise<Item[]> {
  const sorted = [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rows = await tx.query<ItemRow>(
    `INSERT INTO items (id, course_id, type, title, position, duration_sec, completion_threshold, required_quiz_id)
     SELECT id, $2, type, title, coalesce(position, 0), "durationSec", "completionThreshold", "requiredQuizId"
     FROM jsonb_to_recordset($1::text::jsonb) AS x(id text, type text, title text, position integer,
       "durationSec" double precision, "completionThreshold" double precision, "requiredQuizId" text)
     ON CONFLICT (id) DO UPDATE SET type = excluded.type, title = excluded.title, position = excluded.position,
       duration_sec = excluded.duration_sec, completion_threshold = excluded.completion_threshold,
       required_quiz_id = excluded.required_quiz_id, updated_at = now()
     WHERE items.course_id = $2
     RETURNING *`,
    [JSON.stringify(sorted), courseId],
  );
  if (rows.length < items.length) {
    // The upsert skips ids owned by another course (WHERE above, race-free); name the first one.
    // Throwing rolls back the caller's transaction, so nothing of this request is kept.
    const mine = new Set(rows.map((r) => r.id));
    const itemId = sorted.find((i) => !mine.has(i.id))!.id;
    const owner = await tx.query<{ course_id: string }>('SELECT course_id FROM items WHERE id = $1', [
      itemId,
    ]);
    const other = owner[0]?.course_id;
    throw new AppError('item_course_mismatch', `Item ${itemId} belongs to course ${other}`, {
      itemId,
      courseId: other,
    });
  }
  return rows.map(toItem);
}

export async function getItem(db: Queryable, id: string): Promise<Item | undefined> {
  const rows = await db.query<ItemRow>('SELECT * FROM items WHERE id = $1', [id]);
  return rows[0] && toItem(rows[0]);
}

/** A course's videos (or one of them) in course order, with their effective completion threshold. */
export async function listVideos(
  db: Queryable,
  courseId: string,
  itemId?: string,
): Promise<(Item & { threshold: number })[]> {
  const rows = await db.query<ItemRow & { threshold: number }>(
    `SELECT i.*, coalesce(i.completion_threshold, (c.settings->>'completionThreshold')::double precision, $3)
       AS threshold
     FROM items i JOIN courses c ON c.id = i.course_id
     WHERE i.course_id = $1 AND i.type = 'video' AND ($2::text IS NULL OR i.id = $2)
     ORDER BY i.position, i.id`,
    [courseId, itemId ?? null, DEFAULT_COMPLETION_THRESHOLD],
  );
  return rows.map((r) => ({ ...toItem(r), threshold: r.threshold }));
}

/** A course's items in course order (position, then id). */
export async function listItems(
  db: Queryable,
  courseId: string,
  limit: number,
  cursor?: string,
): Promise<Page<Item>> {
  const after = decodeCursor(cursor, ['int', 'text']);
  const rows = await db.query<ItemRow>(
    `SELECT * FROM items WHERE course_id = $1
       AND ($2::integer IS NULL OR (position, id) > ($2::integer, $3::text))
     ORDER BY position, id LIMIT $4`,
    [courseId, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
  );
  return toPage(rows, limit, (r) => [r.position, r.id], toItem);
}

/** What projections need to know of items: their course, type and effective completion threshold. */
export interface ItemCatalogFacts {
  courseId: string;
  type: ItemInput['type'];
  threshold: number;
  durationSec: number | null;
}

/**
 * Catalog facts for items, and the completion threshold of courses (for items the catalog does
 * not have yet, whose events name a course). A threshold falls back to the course's, then 90.
 */
export async function loadItemFacts(
  db: Queryable,
  itemIds: readonly string[],
  courseIds: readonly string[],
): Promise<{ items: Map<string, ItemCatalogFacts>; courseThresholds: Map<string, number> }> {
  const items = await db.query<{
    id: string;
    course_id: string;
    type: ItemInput['type'];
    threshold: number;
    duration_sec: number | null;
  }>(
    `SELECT i.id, i.course_id, i.type, i.duration_sec,
            coalesce(i.completion_threshold, (c.settings->>'completionThreshold')::double precision, $2) AS threshold
     FROM items i LEFT JOIN courses c ON c.id = i.course_id WHERE i.id = ANY($1::text[])`,
    [itemIds, DEFAULT_COMPLETION_THRESHOLD],
  );
  const courses =
    courseIds.length === 0
      ? []
      : await db.query<{ id: string; threshold: number }>(
          `SELECT id, coalesce((settings->>'completionThreshold')::double precision, $2) AS threshold
           FROM courses WHERE id = ANY($1::text[])`,
          [courseIds, DEFAULT_COMPLETION_THRESHOLD],
        );
  return {
    items: new Map(
      items.map((r) => [
        r.id,
        { courseId: r.course_id, type: r.type, threshold: r.threshold, durationSec: r.duration_sec },
      ]),
    ),
    courseThresholds: new Map(courses.map((r) => [r.id, r.threshold])),
  };
}
