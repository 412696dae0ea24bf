import type { LiveNowState } from './live-sessions.js';
import type { Rng } from './random.js';
import type { PlannedEvent } from './study.js';
import { CHAT_LINES, QUESTIONS, REACTIONS } from './texts.js';

const MIN = 60_000;

/**
 * The live session's new scheduled end when less than 10 minutes of it are left (30 minutes on
 * from then, or from now after a pause), so it stays live while the demo runs; null until then.
 */
export function extendedEnd(scheduledEnd: number, now: number): number | null {
  return now > scheduledEnd - 10 * MIN ? Math.max(scheduledEnd, now) + 30 * MIN : null;
}

/**
 * A moment of the live session in progress: someone joins (mostly registered latecomers, some
 * walk-ins, some coming back) or leaves, keeping the audience near `target`; someone chats or asks; a burst of
 * reactions. At one moment every 1.5 s that is a few joins and leaves, six chat messages and five
 * bursts of reactions a minute. Mutates `room` (who is connected, who has joined); the events
 * are at `now`.
 */
export function liveRoomMoment(room: LiveNowState, target: number, now: number, rng: Rng): PlannedEvent[] {
  const base = { liveSessionId: room.sessionId, at: now };
  const events: PlannedEvent[] = [];
  const connected = Object.keys(room.connected);
  if (rng.chance(connected.length < target ? 0.12 : 0.04)) {
    const joined = new Set(room.joined);
    const away = room.audience.filter((id) => !room.connected[id]);
    const expected = room.registered.filter((id) => !joined.has(id));
    // Latecomers who registered most often, a few walk-ins, and some coming back.
    const pool = rng.weighted([
      [expected, expected.length > 0 ? 6 : 0],
      [away.filter((id) => !joined.has(id)), 1],
      [away, 3],
    ] as const);
    if (pool.length > 0) {
      const userId = rng.pick(pool);
      const connectionId = `${userId}-tab-1`;
      room.connected[userId] = connectionId;
      if (!joined.has(userId)) room.joined.push(userId);
      events.push({ ...base, type: 'live_join', userId, data: { connectionId } });
    }
  }
  if (connected.length > 0 && rng.chance(connected.length > target ? 0.12 : 0.04)) {
    const userId = rng.pick(connected);
    events.push({ ...base, type: 'live_leave', userId, data: { connectionId: room.connected[userId]! } });
    delete room.connected[userId];
  }
  const present = Object.keys(room.connected);
  if (present.length === 0) return events;
  if (rng.chance(0.15)) {
    const asks = rng.chance(0.3);
    events.push({
      ...base,
      type: 'live_chat',
      userId: rng.pick(present),
      data: asks ? { text: rng.pick(QUESTIONS), isQuestion: true } : { text: rng.pick(CHAT_LINES) },
    });
  }
  if (rng.chance(0.12)) {
    const kind = rng.weighted(REACTIONS);
    for (const userId of rng.sample(present, rng.int(1, 4))) {
      events.push({ ...base, type: 'live_reaction', userId, data: { kind } });
    }
  }
  return events;
}
