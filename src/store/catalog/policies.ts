import type { Queryable } from '../db.js';

/**
 * Which of these courses, and which of these items' courses, have engagement tracking turned off.
 * Answered in one query per ingest request that carries engagement events.
 */
export async function engagementDisabled(
  db: Queryable,
  courseIds: readonly string[],
  itemIds: readonly string[],
): Promise<{ courses: Set<string>; items: Set<string> }> {
  const rows = await db.query<{ kind: 'course' | 'item'; id: string }>(
    `SELECT 'course' AS kind, id FROM courses
     WHERE id = ANY($1::text[]) AND settings->>'engagementTracking' = 'false'
     UNION ALL
     SELECT 'item', i.id FROM items i JOIN courses c ON c.id = i.course_id
     WHERE i.id = ANY($2::text[]) AND c.settings->>'engagementTracking' = 'false'`,
    [courseIds, itemIds],
  );
  return {
    courses: new Set(rows.filter((r) => r.kind === 'course').map((r) => r.id)),
    items: new Set(rows.filter((r) => r.kind === 'item').map((r) => r.id)),
  };
}

/** Of these (learner, item) pairs, the items that require a quiz the learner has not passed. */
export async function quizGateClosed(
  db: Queryable,
  pairs: readonly { userId: string; itemId: string }[],
): Promise<{ user_id: string; item_id: string; quiz_id: string }[]> {
  return db.query(
    `SELECT k."userId" AS user_id, i.id AS item_id, i.required_quiz_id AS quiz_id
     FROM jsonb_to_recordset($1::text::jsonb) AS k("userId" text, "itemId" text)
     JOIN items i ON i.id = k."itemId"
     WHERE i.required_quiz_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM assessment_attempts a
                       WHERE a.user_id = k."userId" AND a.item_id = i.required_quiz_id AND a.passed)`,
    [JSON.stringify(pairs)],
  );
}
