import type { StoredEvent } from '../domain/events/types.js';
import { DEFAULT_COMPLETION_THRESHOLD } from '../domain/progress/item-progress.js';
import { type ItemCatalogFacts, loadItemFacts } from '../store/catalog/items.js';
import type { Queryable } from '../store/db.js';
import type { ApplyContext, Projection } from './projection.js';

/**
 * Ingest transactions hold this advisory lock shared; a full replay holds it exclusively, so a
 * replay never interleaves with live updates, in this process or any other.
 */
export const LOG_LOCK = 7_214_330_003;

async function loadContext(
  tx: Queryable,
  events: readonly StoredEvent[],
  deferred: (() => Promise<void>)[],
): Promise<ApplyContext> {
  const userIds = [...new Set(events.map((e) => e.userId))];
  const rows =
    userIds.length === 0
      ? []
      : await tx.query<{ id: string; timezone: string }>(
          'SELECT id, timezone FROM users WHERE id = ANY($1::text[])',
          [userIds],
        );
  const zones = new Map(rows.map((r) => [r.id, r.timezone]));
  const itemIds = [...new Set(events.flatMap((e) => (e.itemId !== undefined ? [e.itemId] : [])))];
  const courseIds = [...new Set(events.flatMap((e) => (e.courseId !== undefined ? [e.courseId] : [])))];
  const facts =
    itemIds.length > 0
      ? await loadItemFacts(tx, itemIds, courseIds)
      : { items: new Map<string, ItemCatalogFacts>(), courseThresholds: new Map<string, number>() };
  return {
    timeZoneOf: (userId) => zones.get(userId) ?? 'UTC',
    item: (itemId) => facts.items.get(itemId),
    courseOf: (e) => (e.itemId !== undefined ? facts.items.get(e.itemId)?.courseId : undefined) ?? e.courseId,
    courseThreshold: (courseId) => facts.courseThresholds.get(courseId) ?? DEFAULT_COMPLETION_THRESHOLD,
    defer: (write) => deferred.push(write),
  };
}

/**
 * Applies new events to every projection that handles some of them, in the caller's transaction.
 * Returns the courses the events belong to (by the projections' one course rule).
 */
export async function applyProjections(
  tx: Queryable,
  projections: readonly Projection[],
  events: readonly StoredEvent[],
): Promise<Set<string>> {
  const work = projections
    .map((p) => ({ p, relevant: events.filter((e) => p.eventTypes.has(e.type)) }))
    .filter((w) => w.relevant.length > 0);
  const courses = new Set<string>();
  if (work.length === 0) return courses;
  const deferred: (() => Promise<void>)[] = [];
  const ctx = await loadContext(
    tx,
    work.flatMap((w) => w.relevant),
    deferred,
  );
  for (const { p, relevant } of work) await p.apply(tx, relevant, ctx);
  for (const write of deferred) await write();
  for (const e of events) {
    const c = ctx.courseOf(e);
    if (c !== undefined) courses.add(c);
  }
  return courses;
}
