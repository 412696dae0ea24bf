import type { LearningEvent, StoredEvent } from '../domain/events/types.js';
import type { FeedSource } from '../domain/feed/items.js';
import type { ItemCatalogFacts } from '../store/catalog/items.js';
import type { Queryable } from '../store/db.js';

/** Facts a projection may need beyond the events, loaded once per batch. */
export interface ApplyContext {
  /** The learner's IANA time zone ('UTC' when the learner is not in the catalog yet). */
  timeZoneOf(userId: string): string;
  /** The catalog's facts of an item, if the catalog has it. */
  item(itemId: string): ItemCatalogFacts | undefined;
  /**
   * The course an event belongs to: its item's catalog course, else the `courseId` it names.
   * Every projection uses this one rule, so their figures agree.
   */
  courseOf(e: LearningEvent): string | undefined;
  /** The completion threshold of a course (90 when the catalog does not have it). */
  courseThreshold(courseId: string): number;
  /**
   * Runs a write after every projection has applied the batch: rows every batch of a course or a
   * video updates are locked as late as possible, so concurrent transactions queue on them only
   * for the end of theirs.
   */
  defer(write: () => Promise<void>): void;
  /** The course of a live session in the catalog (undefined: none, or not in the catalog). */
  sessionCourse(sessionId: string): string | undefined;
  /**
   * Reports the feed items a piece of state now implies (SPEC §3); the feed rows of that source
   * are reconciled with them once the batch is applied.
   */
  feed(source: FeedSource): void;
}

/**
 * A projection is data: its name, version, the events it handles, and how it applies a batch of
 * new events inside the ingest transaction. Replay runs the same `apply` from the start of the log,
 * so a rebuild cannot drift from live updates. `apply` must be order-independent: the same events
 * in any order and any batching give the same rows.
 */
export interface Projection {
  readonly name: string;
  /** Bump when the meaning of stored rows changes: the next start-up rebuilds the projection. */
  readonly version: number;
  readonly eventTypes: ReadonlySet<string>;
  /** Tables emptied before a full rebuild. */
  readonly tables: readonly string[];
  apply(tx: Queryable, events: readonly StoredEvent[], ctx: ApplyContext): Promise<void>;
  /** Removes one learner's rows, before their events are applied again. */
  resetUser(tx: Queryable, userId: string): Promise<void>;
}
