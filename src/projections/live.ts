import type { StoredEvent } from '../domain/events/types.js';
import { foldAttendee, LIVE_EVENT_TYPES } from '../domain/live/attendee.js';
import {
  deleteUserAttendance,
  LIVE_TABLES,
  lockAttendees,
  writeAttendees,
} from '../store/live/attendance.js';
import type { Projection } from './projection.js';
import { attendanceFeed } from '../domain/feed/items.js';

/**
 * Live attendance (SPEC §3): per session and learner, their joins and leaves, chat, reactions and
 * feedback. Intervals, concurrency and every session figure are computed from these rows when
 * read, against the clock, so a session's figures move while it is live.
 */
export const liveProjection: Projection = {
  name: 'live',
  version: 2,
  eventTypes: LIVE_EVENT_TYPES,
  tables: LIVE_TABLES,
  async apply(tx, events, ctx) {
    const groups = new Map<string, StoredEvent[]>();
    for (const e of events) {
      if (e.liveSessionId === undefined) continue;
      const k = `${e.liveSessionId}\u0000${e.userId}`;
      const list = groups.get(k);
      if (list) list.push(e);
      else groups.set(k, [e]);
    }
    const keys = [...groups.keys()].sort();
    if (keys.length === 0) return;
    const stored = await lockAttendees(
      tx,
      keys.map((k) => ({ sessionId: groups.get(k)![0]!.liveSessionId!, userId: groups.get(k)![0]!.userId })),
    );
    const states = keys.map((k) => foldAttendee(stored.get(k), groups.get(k)!));
    await writeAttendees(tx, states);
    for (const [i, a] of states.entries()) {
      if (a.firstJoinAt !== (stored.get(keys[i]!)?.firstJoinAt ?? null))
        ctx.feed(attendanceFeed(a, ctx.sessionCourse(a.sessionId) ?? null));
    }
  },
  resetUser: deleteUserAttendance,
};
