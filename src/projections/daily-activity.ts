import { DAILY_ACTIVITY_TYPES, dailyActivityDeltas } from '../domain/daily-activity.js';
import type { Projection } from './projection.js';

const UPSERT_SQL = `
INSERT INTO daily_activity (user_id, course_id, day, active_ms, visits, events, quiz_attempts)
SELECT "userId", "courseId", day, "activeMs", visits, events, "quizAttempts"
FROM jsonb_to_recordset($1::text::jsonb) AS x("userId" text, "courseId" text, day date, "activeMs" bigint,
  visits integer, events integer, "quizAttempts" integer)
ON CONFLICT (user_id, course_id, day) DO UPDATE
SET active_ms = daily_activity.active_ms + excluded.active_ms,
    visits = daily_activity.visits + excluded.visits,
    events = daily_activity.events + excluded.events,
    quiz_attempts = daily_activity.quiz_attempts + excluded.quiz_attempts`;

/** Daily activity per (learner, course, local day): the basis of weekly charts and streaks. */
export const dailyActivityProjection: Projection = {
  name: 'daily_activity',
  version: 2,
  eventTypes: new Set(DAILY_ACTIVITY_TYPES),
  tables: ['daily_activity'],
  async apply(tx, events, ctx) {
    const deltas = dailyActivityDeltas(events, (u) => ctx.timeZoneOf(u));
    if (deltas.length > 0) await tx.query(UPSERT_SQL, [JSON.stringify(deltas)]);
  },
  async resetUser(tx, userId) {
    await tx.query('DELETE FROM daily_activity WHERE user_id = $1', [userId]);
  },
};
