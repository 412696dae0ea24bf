import { scorePercent } from '../domain/assessments/attempts.js';
import type { readAttempts } from '../store/assessments/read.js';

/** Attempts as the API shows them; `best` marks the first attempt with the best score per assessment. */
export function attemptRows(rows: Awaited<ReturnType<typeof readAttempts>>) {
  const best = new Map<string, { pct: number; attemptNumber: number }>();
  for (const r of rows) {
    const pct = scorePercent({ score: r.score, maxScore: r.max_score });
    const b = best.get(r.item_id);
    if (!b || pct > b.pct) best.set(r.item_id, { pct, attemptNumber: r.attempt_number });
  }
  return rows.map((r) => ({
    itemId: r.item_id,
    title: r.title,
    kind: r.kind,
    attemptId: r.attempt_id,
    attemptNumber: r.attempt_number,
    submittedAt: r.submitted_at.toISOString(),
    score: r.score,
    maxScore: r.max_score,
    scorePercent: scorePercent({ score: r.score, maxScore: r.max_score }),
    passed: r.passed,
    timeSpentSec: r.time_spent_sec,
    best: best.get(r.item_id)?.attemptNumber === r.attempt_number,
  }));
}
