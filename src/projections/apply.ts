import type { StoredEvent } from '../domain/events/types.js';
import { DEFAULT_COMPLETION_THRESHOLD } from '../domain/progress/item-progress.js';
import { type ItemCatalogFacts, loadItemFacts } from '../store/catalog/items.js';
import type { Queryable } from '../store/db.js';
import type { ApplyContext, Projection } from './projection.js';
import type { FeedSource } from '../domain/feed/items.js';
import { LIVE_EVENT_TYPES } from '../domain/live/attendee.js';
import { reconcileFeed } from '../store/feed/write.js';

/**
 * Ingest transactions hold this advisory lock shared; a full replay holds it exclusively, so a
 * replay never interleaves with live updates, in this process or any other.
 */
export const LOG_LOCK = 7_214_330_003;

/**
 * Takes the log lock exclusively, until commit: ingest transactions in flight (holding it shared
 * from before they read the catalog and time zones) finish first, and later ones see this
 * transaction's catalog changes. For rebuilds and catalog writes that change how events project.
 */
export const lockLogExclusive = (tx: Queryable) => tx.query('SELECT pg_advisory_xact_lock($1)', [LOG_LOCK]);

async function loadContext(
  tx: Queryable,
  events: readonly StoredEvent[],
  deferred: (() => Promise<void>)[],
  feed: FeedSink,
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
  const sessionIds = [
    ...new Set(events.flatMap((e) => (e.liveSessionId !== undefined ? [e.liveSessionId] : []))),
  ];
  const sessionCourses =
    sessionIds.length > 0
      ? await tx.query<{ id: string; course_id: string | null }>(
          'SELECT id, course_id FROM live_sessions WHERE id = ANY($1::text[])',
          [sessionIds],
        )
      : [];
  const courseOfSession = new Map(sessionCourses.map((r) => [r.id, r.course_id ?? undefined]));
  return {
    sessionCourse: (sessionId) => courseOfSession.get(sessionId),
    feed: (source) => feed.set(source.source, source),
    timeZoneOf: (userId) => zones.get(userId) ?? 'UTC',
    item: (itemId) => facts.items.get(itemId),
    courseOf: (e) => (e.itemId !== undefined ? facts.items.get(e.itemId)?.courseId : undefined) ?? e.courseId,
    courseThreshold: (courseId) => facts.courseThresholds.get(courseId) ?? DEFAULT_COMPLETION_THRESHOLD,
    defer: (write) => deferred.push(write),
  };
}

/** Feed sources reported while applying, by source (the latest report of a source wins). */
export type FeedSink = Map<string, FeedSource>;

/** The channel live-session activity is announced on (payload: a JSON array of session ids). */
export const LIVE_CHANNEL = 'learnpulse_live';
/** NOTIFY payloads must stay under 8,000 bytes. */
const NOTIFY_PAYLOAD_BYTES = 7_000;

/** Tells every server process which live sessions this transaction changed (on commit). */
async function announceLiveSessions(tx: Queryable, events: readonly StoredEvent[]): Promise<void> {
  const ids = [
    ...new Set(
      events.flatMap((e) =>
        e.liveSessionId !== undefined && LIVE_EVENT_TYPES.has(e.type) ? [e.liveSessionId] : [],
      ),
    ),
  ].sort();
  let chunk: string[] = [];
  let bytes = 2;
  const flush = async () => {
    if (chunk.length > 0) await tx.query('SELECT pg_notify($1, $2)', [LIVE_CHANNEL, JSON.stringify(chunk)]);
    chunk = [];
    bytes = 2;
  };
  for (const id of ids) {
    const size = Buffer.byteLength(JSON.stringify(id)) + 1;
    if (bytes + size > NOTIFY_PAYLOAD_BYTES) await flush();
    chunk.push(id);
    bytes += size;
  }
  await flush();
}

/**
 * Applies new events to every projection that handles some of them, in the caller's transaction,
 * then brings the feed in line with what they reported (or leaves that to the caller, when it
 * passes its own `feed` sink: a rebuild reconciles once, at its end). Returns the courses the
 * events belong to (by the projections' one course rule).
 */
export async function applyProjections(
  tx: Queryable,
  projections: readonly Projection[],
  events: readonly StoredEvent[],
  feed?: FeedSink,
): Promise<Set<string>> {
  const work = projections
    .map((p) => ({ p, relevant: events.filter((e) => p.eventTypes.has(e.type)) }))
    .filter((w) => w.relevant.length > 0);
  const courses = new Set<string>();
  if (work.length === 0) return courses;
  const deferred: (() => Promise<void>)[] = [];
  const sink: FeedSink = feed ?? new Map();
  const ctx = await loadContext(
    tx,
    work.flatMap((w) => w.relevant),
    deferred,
    sink,
  );
  for (const { p, relevant } of work) await p.apply(tx, relevant, ctx);
  for (const write of deferred) await write();
  if (!feed) {
    await reconcileFeed(tx, [...sink.values()]);
    await announceLiveSessions(tx, events);
  }
  for (const e of events) {
    const c = ctx.courseOf(e);
    if (c !== undefined) courses.add(c);
  }
  return courses;
}
