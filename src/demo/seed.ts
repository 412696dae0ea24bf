import { saveCourse, saveItems } from '../catalog/courses.js';
import { saveLiveSession } from '../catalog/live-sessions.js';
import { saveUsers } from '../catalog/users.js';
import type { GroupCommitter } from '../ingest/group-commit.js';
import type { Projection } from '../projections/projection.js';
import { upsertEnrollments } from '../store/catalog/enrollments.js';
import { upsertRegistration } from '../store/catalog/live-sessions.js';
import type { Db } from '../store/db.js';
import type { DemoPlatform } from './generate.js';

/** Events per submission: what one ingest request may carry. */
const CHUNK = 500;
/**
 * Submissions in flight at once: the group committer folds them into its larger batches (a
 * commit costs the same for 500 events or 1,000), while each learner's events still arrive in
 * order because chunks are queued in order.
 */
const IN_FLIGHT = 4;

/**
 * Loads a generated platform through the same catalog and ingest paths the API uses. Safe to run
 * again: catalog upserts are idempotent and events carry fixed ids, so nothing doubles.
 */
export async function seedDemo(
  db: Db,
  projections: readonly Projection[],
  committer: GroupCommitter,
  demo: DemoPlatform,
) {
  await saveUsers(db, projections, demo.users);
  for (const course of demo.courses) {
    await saveCourse(db, projections, course.id, course.input);
    await saveItems(
      db,
      projections,
      course.id,
      course.items.map(({ minutes: _, ...item }) => item),
    );
    await db.transaction((tx) =>
      upsertEnrollments(
        tx,
        course.id,
        course.students.map((userId) => ({ userId, role: 'student' as const })),
      ),
    );
  }
  for (const s of demo.liveSessions) {
    await saveLiveSession(db, s.id, s.input);
    for (const userId of s.registered) await upsertRegistration(db, s.id, userId);
  }
  let accepted = 0;
  let next = 0;
  const worker = async () => {
    while (next < demo.events.length) {
      const chunk = demo.events.slice(next, next + CHUNK);
      next += CHUNK;
      const outcome = await committer.submit(chunk);
      accepted += outcome.accepted;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { events: demo.events.length, accepted };
}
