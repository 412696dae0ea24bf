import { saveUsers } from '../catalog/users.js';
import type { GroupCommitter } from '../ingest/group-commit.js';
import type { Projection } from '../projections/projection.js';
import { upsertCourse } from '../store/catalog/courses.js';
import { upsertEnrollments } from '../store/catalog/enrollments.js';
import { upsertItems } from '../store/catalog/items.js';
import { upsertLiveSession, upsertRegistration } from '../store/catalog/live-sessions.js';
import type { Db } from '../store/db.js';
import type { DemoPlatform } from './generate.js';

/**
 * Loads a generated platform through the same store and ingest paths the API uses. Safe to run
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
    await upsertCourse(db, course.id, course.input);
    await db.transaction((tx) => upsertItems(tx, course.id, course.items));
    await db.transaction((tx) =>
      upsertEnrollments(tx, course.id, [
        ...course.students.map((userId) => ({ userId, role: 'student' as const })),
      ]),
    );
  }
  for (const s of demo.liveSessions) {
    await upsertLiveSession(db, s.id, s.input);
    for (const userId of s.registered) await upsertRegistration(db, s.id, userId);
  }
  let accepted = 0;
  for (let i = 0; i < demo.events.length; i += 500) {
    accepted += (await committer.submit(demo.events.slice(i, i + 500))).accepted;
  }
  return { events: demo.events.length, accepted };
}
