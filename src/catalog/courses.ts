import type { CourseInput, ItemInput } from '../domain/catalog/schemas.js';
import { DEFAULT_COMPLETION_THRESHOLD } from '../domain/progress/item-progress.js';
import { lockLogExclusive } from '../projections/apply.js';
import type { Projection } from '../projections/projection.js';
import { replayUsers } from '../projections/replay.js';
import { type Course, requireCourseExists, upsertCourse } from '../store/catalog/courses.js';
import { type Item, upsertItems } from '../store/catalog/items.js';
import { type Db, retryingTransaction } from '../store/db.js';

// Progress rows are judged against the catalog (an item's course, type and completion threshold).
// When a catalog write changes one of those facts, the learners with rows it touches are rebuilt
// from their events in the same transaction, under the log lock taken exclusively, so the
// projections answer to the new catalog and lose nothing of the history.

export async function saveCourse(
  db: Db,
  projections: readonly Projection[],
  id: string,
  input: CourseInput,
): Promise<Course> {
  return retryingTransaction(db, async (tx) => {
    // Row lock first: a concurrent write of the same course waits, then reads what this one wrote.
    const before = await tx.query<{ threshold: number }>(
      `SELECT coalesce((settings->>'completionThreshold')::double precision, $2) AS threshold
       FROM courses WHERE id = $1 FOR UPDATE`,
      [id, DEFAULT_COMPLETION_THRESHOLD],
    );
    const threshold = input.settings?.completionThreshold ?? DEFAULT_COMPLETION_THRESHOLD;
    const changed = before[0]?.threshold !== threshold;
    if (changed) await lockLogExclusive(tx);
    const course = await upsertCourse(tx, id, input);
    if (changed) {
      const users = await tx.query<{ user_id: string }>(
        'SELECT DISTINCT user_id FROM item_progress WHERE course_id = $1',
        [id],
      );
      await replayUsers(
        tx,
        projections,
        users.map((u) => u.user_id),
      );
    }
    return course;
  });
}

export async function saveItems(
  db: Db,
  projections: readonly Projection[],
  courseId: string,
  items: readonly (ItemInput & { id: string })[],
): Promise<Item[]> {
  // An item needs its course in the catalog first, as an enrollment does.
  await requireCourseExists(db, courseId);
  return retryingTransaction(db, async (tx) => {
    const ids = items.map((i) => i.id).sort();
    const before = await tx.query<{
      id: string;
      type: string;
      completion_threshold: number | null;
      duration_sec: number | null;
    }>(
      'SELECT id, type, completion_threshold, duration_sec FROM items WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
      [ids],
    );
    const known = new Map(before.map((r) => [r.id, r]));
    const changed = items
      .filter((i) => {
        const b = known.get(i.id);
        // A video's duration is what its viewers' seconds are measured against.
        return (
          !b ||
          b.type !== i.type ||
          b.completion_threshold !== (i.completionThreshold ?? null) ||
          b.duration_sec !== (i.durationSec ?? null)
        );
      })
      .map((i) => i.id);
    if (changed.length > 0) await lockLogExclusive(tx);
    const saved = await upsertItems(tx, courseId, items);
    if (changed.length > 0) {
      const users = await tx.query<{ user_id: string }>(
        `SELECT user_id FROM item_progress WHERE item_id = ANY($1::text[])
         UNION SELECT user_id FROM assessment_attempts WHERE item_id = ANY($1::text[])`,
        [changed],
      );
      await replayUsers(
        tx,
        projections,
        users.map((u) => u.user_id),
      );
    }
    return saved;
  });
}
