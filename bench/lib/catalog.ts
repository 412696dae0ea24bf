import { upsertEnrollments } from '../../src/store/catalog/enrollments.js';
import { upsertUsers } from '../../src/store/catalog/users.js';
import type { Db } from '../../src/store/db.js';

/** Catalog rows per statement: the API's bulk limit. */
const CATALOG_CHUNK = 10_000;

/**
 * Puts `count` learners in the catalog and enrolls them as students, through the store's upserts
 * (what the catalog endpoints call), in chunks of the API's bulk limit.
 */
export async function enrollLearners(
  db: Db,
  courseId: string,
  count: number,
  learner: (i: number) => { id: string; displayName: string; email: string; timezone: string },
): Promise<void> {
  for (let from = 0; from < count; from += CATALOG_CHUNK) {
    const chunk = Array.from({ length: Math.min(CATALOG_CHUNK, count - from) }, (_, k) => learner(from + k));
    await db.transaction(async (tx) => {
      await upsertUsers(tx, chunk);
      await upsertEnrollments(
        tx,
        courseId,
        chunk.map((u) => ({ userId: u.id, role: 'student' as const })),
      );
    });
  }
}
