import type { LiveSessionInput } from '../domain/catalog/schemas.js';
import { attendanceFeed } from '../domain/feed/items.js';
import { lockLogExclusive } from '../projections/apply.js';
import { type LiveSession, upsertLiveSession } from '../store/catalog/live-sessions.js';
import { type Db, retryingTransaction } from '../store/db.js';
import { reconcileFeed } from '../store/feed/write.js';
import { readAttendees } from '../store/live/attendance.js';

/**
 * Attendance feed items carry the session's course as the catalog had it when they were written.
 * A session that gets (or changes) its course after learners joined has their items moved to the
 * new course in the same transaction, under the log lock taken exclusively so no ingest writes
 * attendance with the old course meanwhile.
 */
export async function saveLiveSession(db: Db, id: string, input: LiveSessionInput): Promise<LiveSession> {
  return retryingTransaction(db, async (tx) => {
    const before = await tx.query<{ course_id: string | null }>(
      'SELECT course_id FROM live_sessions WHERE id = $1 FOR UPDATE',
      [id],
    );
    const courseId = input.courseId ?? null;
    // Events may precede the session's catalog entry: a new session with a course moves them too.
    const moved = (before[0]?.course_id ?? null) !== courseId;
    if (moved) await lockLogExclusive(tx);
    const session = await upsertLiveSession(tx, id, input);
    if (moved) {
      const attendees = await readAttendees(tx, [id]);
      await reconcileFeed(
        tx,
        attendees.map((a) => attendanceFeed(a, courseId)),
      );
    }
    return session;
  });
}
