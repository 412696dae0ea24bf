import type { StoredEvent } from '../domain/events/types.js';
import { DEFAULT_COMPLETION_THRESHOLD } from '../domain/progress/item-progress.js';
import {
  type AggregateDelta,
  addContribution,
  contributionOf,
  emptyDelta,
  isEmptyDelta,
} from '../domain/video/aggregate.js';
import {
  byTime,
  foldViewing,
  type Heartbeat,
  heartbeatOf,
  isAfter,
  type VideoFacts,
  type Viewing,
  type WatchSession,
} from '../domain/video/viewing.js';
import type { Queryable } from '../store/db.js';
import { ALL_TIME, sessionDay, viewerKey } from '../store/video/rows.js';
import {
  addVideoAggregates,
  deleteUserViewings,
  lockViewings,
  readHeartbeats,
  readUserViewings,
  VIDEO_TABLES,
  type ViewingWrite,
  writeViewings,
} from '../store/video/write.js';
import type { ApplyContext, Projection } from './projection.js';

/** Per (video, day) deltas of a batch, merged so each aggregate row is updated once. */
class AggregateChanges {
  private readonly byRow = new Map<string, { itemId: string; day: string; delta: AggregateDelta }>();

  private delta(itemId: string, day: string): AggregateDelta {
    const k = `${itemId}\u0000${day}`;
    let entry = this.byRow.get(k);
    if (!entry) {
      entry = { itemId, day, delta: emptyDelta() };
      this.byRow.set(k, entry);
    }
    return entry.delta;
  }

  /** Takes a viewer's old viewing out and puts the new one in: all-time, and per day of their sessions. */
  replace(itemId: string, before: Viewing | undefined, after: Viewing | undefined): void {
    const total = this.delta(itemId, ALL_TIME);
    const contribution = (v: Viewing | undefined, sessions?: readonly WatchSession[]) =>
      v ? contributionOf(sessions ?? v.sessions, v.durationSec, v.threshold) : undefined;
    addContribution(total, contribution(before), -1);
    addContribution(total, contribution(after), 1);
    const oldDays = byDay(before);
    const newDays = byDay(after);
    for (const day of new Set([...oldDays.keys(), ...newDays.keys()])) {
      const o = oldDays.get(day) ?? [];
      const n = newDays.get(day) ?? [];
      const sameMeasure =
        before?.durationSec === after?.durationSec && before?.threshold === after?.threshold;
      if (sameSessions(o, n) && sameMeasure) continue;
      const d = this.delta(itemId, day);
      addContribution(d, contribution(before, o), -1);
      addContribution(d, contribution(after, n), 1);
    }
  }

  rows() {
    return [...this.byRow.values()].filter((r) => !isEmptyDelta(r.delta));
  }
}

function byDay(v: Viewing | undefined): Map<string, WatchSession[]> {
  const out = new Map<string, WatchSession[]>();
  for (const s of v?.sessions ?? []) {
    const day = sessionDay(s);
    const list = out.get(day) ?? [];
    list.push(s);
    out.set(day, list);
  }
  return out;
}

const sameArray = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** Field by field: a late heartbeat can change a session's middle and keep its first and last. */
const sameSession = (a: WatchSession, b: WatchSession) =>
  a.number === b.number &&
  a.id === b.id &&
  a.startAt === b.startAt &&
  a.lastAt === b.lastAt &&
  a.lastEventId === b.lastEventId &&
  a.lastPositionSec === b.lastPositionSec &&
  a.lastEndSec === b.lastEndSec &&
  a.maxPositionSec === b.maxPositionSec &&
  a.ended === b.ended &&
  a.clippedSec === b.clippedSec &&
  sameArray(a.seconds, b.seconds) &&
  sameArray(a.plays, b.plays);

const sameSessions = (a: readonly WatchSession[], b: readonly WatchSession[]) =>
  a.length === b.length && a.every((s, i) => sameSession(s, b[i]!));

function factsOf(ctx: ApplyContext, e: StoredEvent): VideoFacts {
  const catalog = ctx.item(e.itemId!);
  const courseId = ctx.courseOf(e);
  return {
    durationSec: catalog?.durationSec ?? null,
    threshold:
      catalog?.threshold ??
      (courseId !== undefined ? ctx.courseThreshold(courseId) : DEFAULT_COMPLETION_THRESHOLD),
  };
}

/** Can the new heartbeats be folded onto the stored viewing, or must its history be folded again? */
function continues(prev: Viewing, heartbeats: readonly Heartbeat[], facts: VideoFacts): boolean {
  if (!heartbeats.every((h) => isAfter(h, prev)) || facts.threshold !== prev.threshold) return false;
  // Without a catalog duration a longer reported one changes what earlier heartbeats were measured by.
  return facts.durationSec !== null
    ? facts.durationSec === prev.durationSec
    : heartbeats.every((h) => h.durationSec <= prev.durationSec);
}

/**
 * Video viewing (SPEC §3): per learner and video, watch sessions and the seconds watched, and per
 * video the aggregates its analytics read. Heartbeats are read against the one before them, so a
 * heartbeat that arrives after later ones makes the learner's history on that video be folded
 * again from the log: the result is what in-order arrival gives, whatever the order.
 */
export const videoProjection: Projection = {
  name: 'video',
  version: 2,
  eventTypes: new Set(['video_heartbeat']),
  tables: VIDEO_TABLES,
  async apply(tx, events, ctx) {
    const groups = new Map<string, StoredEvent[]>();
    for (const e of events) {
      if (e.itemId === undefined) continue;
      const k = viewerKey(e.itemId, e.userId);
      const list = groups.get(k);
      if (list) list.push(e);
      else groups.set(k, [e]);
    }
    const keys = [...groups.keys()].sort();
    const pairs = keys.map((k) => ({
      itemId: groups.get(k)![0]!.itemId!,
      userId: groups.get(k)![0]!.userId,
    }));
    const stored = await lockViewings(tx, pairs);

    const refold: { itemId: string; userId: string }[] = [];
    const next = new Map<string, Viewing>();
    for (const k of keys) {
      const evs = groups.get(k)!;
      const facts = factsOf(ctx, evs[0]!);
      const heartbeats = evs.map(heartbeatOf).sort(byTime);
      const prev = stored.get(k);
      if (!prev) next.set(k, foldViewing(undefined, heartbeats, facts));
      else if (continues(prev, heartbeats, facts)) next.set(k, foldViewing(prev, heartbeats, facts));
      else refold.push({ itemId: evs[0]!.itemId!, userId: evs[0]!.userId });
    }
    if (refold.length > 0) {
      const history = await readHeartbeats(tx, refold);
      for (const { itemId, userId } of refold) {
        const k = viewerKey(itemId, userId);
        const all = (history.get(k) ?? []).sort(byTime);
        next.set(k, foldViewing(undefined, all, factsOf(ctx, groups.get(k)![0]!)));
      }
    }

    const changes = new AggregateChanges();
    const writes: ViewingWrite[] = [];
    for (const k of keys) {
      const first = groups.get(k)![0]!;
      const before = stored.get(k);
      const after = next.get(k)!;
      changes.replace(first.itemId!, before, after);
      const old = new Map((before?.sessions ?? []).map((s) => [s.number, s]));
      writes.push({
        itemId: first.itemId!,
        userId: first.userId,
        courseId: ctx.courseOf(first) ?? null,
        viewing: after,
        stored: before?.sessions.length ?? 0,
        changed: after.sessions.filter((s) => {
          const o = old.get(s.number);
          return !o || !sameSession(o, s);
        }),
      });
    }
    await writeViewings(tx, writes);
    const rows = changes.rows();
    ctx.defer(() => addVideoAggregates(tx, rows));
  },
  async resetUser(tx: Queryable, userId: string) {
    const viewings = await readUserViewings(tx, userId);
    if (viewings.length === 0) return;
    const changes = new AggregateChanges();
    for (const { itemId, viewing } of viewings) changes.replace(itemId, viewing, undefined);
    await addVideoAggregates(tx, changes.rows());
    await deleteUserViewings(tx, userId);
  },
};
