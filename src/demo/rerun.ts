import { saveLiveSession } from '../catalog/live-sessions.js';
import { getLiveSession, type LiveSession, upsertRegistration } from '../store/catalog/live-sessions.js';
import type { Db } from '../store/db.js';
import type { DemoPlatform } from './generate.js';

const MIN = 60_000;

/**
 * The live session of a demo already in the database (an earlier `learnpulse demo` on the same
 * data folder), or null for a fresh database. Such a folder is kept as it is, never seeded again:
 * this run's events carry the same ids as the earlier run's but other contents (they are drawn for
 * another clock), so seeding would mix two platforms.
 */
export function earlierDemo(db: Db, demo: DemoPlatform): Promise<LiveSession | undefined> {
  return getLiveSession(db, demo.liveNow.sessionId);
}

/**
 * Points the live activity at a session that is live now in an earlier demo's folder: the
 * earlier one while it has 10 minutes or more to go (as scheduled there), else a new session
 * starting now under an id of its own, which the live activity fills. Mutates `demo`; returns
 * the session's id.
 */
export async function resumeLiveSession(
  db: Db,
  demo: DemoPlatform,
  earlier: LiveSession,
  now: Date,
): Promise<string> {
  const planned = demo.liveSessions.find((s) => s.id === demo.liveNow.sessionId)!;
  if (Date.parse(earlier.scheduledEnd) - now.getTime() >= 10 * MIN) {
    planned.input = {
      ...planned.input,
      scheduledStart: earlier.scheduledStart,
      scheduledEnd: earlier.scheduledEnd,
    };
    return earlier.id;
  }
  const id = `${planned.id}-${now.toISOString().slice(0, 16).replace(/\D/g, '')}`;
  const input = {
    ...planned.input,
    scheduledStart: now.toISOString(),
    scheduledEnd: new Date(now.getTime() + 60 * MIN).toISOString(),
  };
  await saveLiveSession(db, id, input);
  for (const userId of planned.registered) await upsertRegistration(db, id, userId);
  demo.liveSessions.push({ id, input, registered: planned.registered });
  demo.liveNow = { ...demo.liveNow, sessionId: id, connected: {}, joined: [] };
  return id;
}
