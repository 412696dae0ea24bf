import type { RiskState } from '../../domain/feed/items.js';
import type { RiskLevel } from '../../domain/engagement/at-risk.js';
import type { Queryable } from '../db.js';

/** The at-risk levels last announced in a course, by learner. */
export async function readRiskStates(db: Queryable, courseId: string): Promise<Map<string, RiskState>> {
  const rows = await db.query<{ user_id: string; level: RiskLevel; codes: string[] }>(
    'SELECT user_id, level, codes FROM at_risk_state WHERE course_id = $1',
    [courseId],
  );
  return new Map(rows.map((r) => [r.user_id, { userId: r.user_id, level: r.level, codes: r.codes }]));
}

/**
 * Records what was announced: changed learners' new states, and forgets learners who left the
 * course. Learners back to no risk keep no row.
 */
export async function writeRiskStates(
  tx: Queryable,
  courseId: string,
  changed: readonly RiskState[],
  gone: readonly string[],
  at: Date,
): Promise<void> {
  const cleared = [...gone, ...changed.filter((s) => s.level === 'none').map((s) => s.userId)];
  if (cleared.length > 0) {
    await tx.query('DELETE FROM at_risk_state WHERE course_id = $1 AND user_id = ANY($2::text[])', [
      courseId,
      cleared,
    ]);
  }
  const risky = changed.filter((s) => s.level !== 'none');
  if (risky.length === 0) return;
  await tx.query(
    `INSERT INTO at_risk_state (course_id, user_id, level, codes, changed_at)
     SELECT $1, x."userId", x.level, ARRAY(SELECT jsonb_array_elements_text(x.codes)), $3
     FROM jsonb_to_recordset($2::text::jsonb) AS x("userId" text, level text, codes jsonb)
     ON CONFLICT (course_id, user_id) DO UPDATE
       SET level = excluded.level, codes = excluded.codes, changed_at = excluded.changed_at`,
    [courseId, JSON.stringify(risky), at.toISOString()],
  );
}
