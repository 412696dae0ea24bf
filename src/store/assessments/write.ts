import type { Attempt } from '../../domain/assessments/attempts.js';
import type { Queryable } from '../db.js';

/**
 * Stores attempts, one per (learner, assessment, attemptId). The same attempt resent under another
 * event id keeps the earliest submission (then the smallest event id), whatever the arrival order.
 * Rows must be unique by key and sorted.
 */
export async function upsertAttempts(tx: Queryable, rows: readonly Attempt[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO assessment_attempts AS a (user_id, item_id, attempt_id, course_id, kind, event_id, submitted_at,
       score, max_score, passed, time_spent_sec)
     SELECT "userId", "itemId", "attemptId", "courseId", kind, "eventId", "submittedAt", score, "maxScore",
       passed, "timeSpentSec"
     FROM jsonb_to_recordset($1::text::jsonb) AS x("userId" text, "itemId" text, "attemptId" text, "courseId" text,
       kind text, "eventId" uuid, "submittedAt" timestamptz, score double precision, "maxScore" double precision,
       passed boolean, "timeSpentSec" double precision)
     ON CONFLICT (user_id, item_id, attempt_id) DO UPDATE
     SET course_id = excluded.course_id, kind = excluded.kind, event_id = excluded.event_id,
         submitted_at = excluded.submitted_at, score = excluded.score, max_score = excluded.max_score,
         passed = excluded.passed, time_spent_sec = excluded.time_spent_sec
     WHERE (excluded.submitted_at, excluded.event_id) < (a.submitted_at, a.event_id)`,
    [JSON.stringify(rows)],
  );
}

export interface CertificateRow {
  userId: string;
  certificateId: string;
  courseId: string | null;
  eventId: string;
  issuedAt: string;
}

/** Stores certificates, one per (learner, certificate id); the earliest issue wins. */
export async function upsertCertificates(tx: Queryable, rows: readonly CertificateRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO certificates AS c (user_id, certificate_id, course_id, event_id, issued_at)
     SELECT "userId", "certificateId", "courseId", "eventId", "issuedAt"
     FROM jsonb_to_recordset($1::text::jsonb) AS x("userId" text, "certificateId" text, "courseId" text,
       "eventId" uuid, "issuedAt" timestamptz)
     ON CONFLICT (user_id, certificate_id) DO UPDATE
     SET course_id = excluded.course_id, event_id = excluded.event_id, issued_at = excluded.issued_at
     WHERE (excluded.issued_at, excluded.event_id) < (c.issued_at, c.event_id)`,
    [JSON.stringify(rows)],
  );
}

export const ASSESSMENT_TABLES = ['assessment_attempts', 'certificates'];

export async function deleteUserAssessments(tx: Queryable, userId: string): Promise<void> {
  for (const table of ASSESSMENT_TABLES) await tx.query(`DELETE FROM ${table} WHERE user_id = $1`, [userId]);
}
