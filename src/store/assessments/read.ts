import type { StoredAttempt } from '../../domain/feed/items.js';
import type { AttemptSummary } from '../../domain/progress/item-progress.js';
import type { Queryable } from '../db.js';

/**
 * A learner's attempts on a course's assessments, numbered per assessment in submission order
 * (then attempt id): the number is the attempt's place among that learner's attempts, so an attempt
 * arriving late from an offline device takes its rightful number.
 */
export async function readAttempts(
  db: Queryable,
  userId: string,
  courseId: string,
): Promise<
  {
    item_id: string;
    title: string;
    kind: string;
    attempt_id: string;
    attempt_number: number;
    submitted_at: Date;
    score: number;
    max_score: number;
    passed: boolean | null;
    time_spent_sec: number | null;
  }[]
> {
  return db.query(
    `SELECT a.item_id, coalesce(i.title, a.item_id) AS title, a.kind, a.attempt_id,
            (row_number() OVER (PARTITION BY a.item_id ORDER BY a.submitted_at, a.attempt_id))::integer AS attempt_number,
            a.submitted_at, a.score, a.max_score, a.passed, a.time_spent_sec
     FROM assessment_attempts a LEFT JOIN items i ON i.id = a.item_id
     WHERE a.user_id = $1 AND a.course_id = $2
     ORDER BY coalesce(i.position, 0), a.item_id, attempt_number`,
    [userId, courseId],
  );
}

/** Passes and failures of the stored attempts on these (learner, item) pairs. */
export async function readAttemptSummaries(
  tx: Queryable,
  keys: readonly { userId: string; itemId: string }[],
): Promise<Map<string, AttemptSummary>> {
  const rows = await tx.query<{ user_id: string; item_id: string; passed_at: Date | null; failed: number }>(
    `SELECT a.user_id, a.item_id, min(a.submitted_at) FILTER (WHERE a.passed) AS passed_at,
            (count(*) FILTER (WHERE a.passed = false))::integer AS failed
     FROM assessment_attempts a
     JOIN jsonb_to_recordset($1::text::jsonb) AS k("userId" text, "itemId" text)
       ON a.user_id = k."userId" AND a.item_id = k."itemId"
     GROUP BY a.user_id, a.item_id`,
    [JSON.stringify(keys)],
  );
  return new Map(
    rows.map((r) => [
      `${r.user_id}\u0000${r.item_id}`,
      { passedAt: r.passed_at === null ? null : r.passed_at.getTime(), failed: r.failed },
    ]),
  );
}

/** Every stored attempt on these (learner, assessment) pairs, keyed `userId\0itemId`. */
export async function readStoredAttempts(
  tx: Queryable,
  keys: readonly { userId: string; itemId: string }[],
): Promise<Map<string, StoredAttempt[]>> {
  const rows = await tx.query<{
    user_id: string;
    item_id: string;
    attempt_id: string;
    submitted_at: Date;
    course_id: string | null;
    kind: string;
    score: number;
    max_score: number;
    passed: boolean | null;
  }>(
    `SELECT a.user_id, a.item_id, a.attempt_id, a.submitted_at, a.course_id, a.kind, a.score, a.max_score, a.passed
     FROM assessment_attempts a
     JOIN jsonb_to_recordset($1::text::jsonb) AS k("userId" text, "itemId" text)
       ON a.user_id = k."userId" AND a.item_id = k."itemId"`,
    [JSON.stringify(keys)],
  );
  const out = new Map<string, StoredAttempt[]>();
  for (const r of rows) {
    const k = `${r.user_id}\u0000${r.item_id}`;
    const list = out.get(k) ?? [];
    list.push({
      attemptId: r.attempt_id,
      submittedAt: r.submitted_at.getTime(),
      courseId: r.course_id,
      kind: r.kind,
      score: r.score,
      maxScore: r.max_score,
      passed: r.passed,
    });
    out.set(k, list);
  }
  return out;
}

/** Stored certificates, as issued (the earliest issue of each). */
export async function readCertificates(
  tx: Queryable,
  keys: readonly { userId: string; certificateId: string }[],
): Promise<{ userId: string; certificateId: string; courseId: string | null; issuedAt: number }[]> {
  const rows = await tx.query<{
    user_id: string;
    certificate_id: string;
    course_id: string | null;
    issued_at: Date;
  }>(
    `SELECT c.user_id, c.certificate_id, c.course_id, c.issued_at FROM certificates c
     JOIN jsonb_to_recordset($1::text::jsonb) AS k("userId" text, "certificateId" text)
       ON c.user_id = k."userId" AND c.certificate_id = k."certificateId"`,
    [JSON.stringify(keys)],
  );
  return rows.map((r) => ({
    userId: r.user_id,
    certificateId: r.certificate_id,
    courseId: r.course_id,
    issuedAt: r.issued_at.getTime(),
  }));
}
