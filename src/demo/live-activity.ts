import { randomUUID } from 'node:crypto';
import { saveLiveSession } from '../catalog/live-sessions.js';
import type { LearningEvent } from '../domain/events/types.js';
import type { GroupCommitter } from '../ingest/group-commit.js';
import type { Db } from '../store/db.js';
import { AppError } from '../errors/app-error.js';
import type { DemoPlatform } from './generate.js';
import { extendedEnd, liveRoomMoment } from './live-room.js';
import { Rng } from './random.js';
import {
  type DemoItem,
  type EnrollmentState,
  type PlannedEvent,
  planSitting,
  type SittingOptions,
} from './study.js';

/**
 * Live sittings go faster than real ones (a lesson in minutes, not half an hour) so the feed
 * moves every few seconds; videos still play in real time (the server's wall-clock rule).
 */
const LIVE_PACE: SittingOptions = { readBeatSec: 30, videoBeatSec: 20, pace: 0.06 };
const MIN = 60_000;

export interface LiveActivityOptions {
  db: Db;
  committer: Pick<GroupCommitter, 'submit'>;
  demo: DemoPlatform;
  /** How often a batch of activity is sent; default 1.5 s. */
  intervalMs?: number;
  /** Learners studying at once; default 4 % of the enrollments, at most 30. */
  studying?: number;
  now?: () => Date;
  random?: () => number;
  onError?: (err: unknown) => void;
}

export interface LiveActivity {
  /** Events sent so far. */
  readonly sent: number;
  /** Stops the timer and waits for the batch in flight. */
  stop(): Promise<void>;
}

interface Sitting {
  state: EnrollmentState;
  queue: PlannedEvent[];
}

/**
 * Keeps the demo platform alive: every `intervalMs`, learners studying right now send what they
 * did since (course visits, reading heartbeats and progress, video heartbeats, quiz attempts,
 * completions and certificates, carrying on from where their history left them), and the live
 * session in progress gets joins, leaves, chat and reactions. Its scheduled end is pushed back
 * while the demo runs, so it stays live. Events go through the same group committer as the API's.
 * @example const activity = startLiveActivity({ db, committer, demo }); await activity.stop();
 */
export function startLiveActivity(opts: LiveActivityOptions): LiveActivity {
  const now = opts.now ?? (() => new Date());
  const rng = new Rng(opts.random ?? Math.random);
  // Own copies of where everyone is: the demo's stay as generated.
  const enrollments = structuredClone(opts.demo.enrollments);
  const room = structuredClone(opts.demo.liveNow);
  const items = new Map(opts.demo.courses.map((c) => [c.id, c.items]));
  const studying = opts.studying ?? Math.min(30, Math.ceil(enrollments.length * 0.04));
  // About as many viewers as at the start (or half the registered, for a session just opened).
  const target = Math.max(
    5,
    Math.round(Object.keys(room.connected).length * 1.1),
    room.registered.length >> 1,
  );
  const session = opts.demo.liveSessions.find((s) => s.id === room.sessionId)!;
  const showcase = enrollments.find((s) => s.learner.id === opts.demo.showcaseLearnerId);
  let scheduledEnd = Date.parse(session.input.scheduledEnd);
  const sittings: Sitting[] = [];
  let sent = 0;
  let running: Promise<void> | undefined;
  let stopped = false;

  const startSitting = (state: EnrollmentState, at: number) => {
    const courseItems = items.get(state.courseId) as DemoItem[];
    const budgetSec = rng.int(4, 12) * 60;
    const { events } = planSitting(state, courseItems, at, budgetSec, rng, LIVE_PACE);
    sittings.push({ state, queue: events });
  };
  const idle = () => {
    const busy = new Set(sittings.map((s) => s.state));
    return enrollments.filter(
      (s) => !busy.has(s) && !s.stuck && s.next < (items.get(s.courseId)?.length ?? 0),
    );
  };
  /** Starts sittings up to `studying`, each between `from` and `to` (epoch ms). */
  const topUp = (from: number, to: number) => {
    if (sittings.length >= studying) return;
    // Never on top of a learner's previous sitting in the course.
    let candidates = idle().filter((s) => (s.lastAt ?? 0) < from - 5 * MIN);
    while (sittings.length < studying && candidates.length > 0) {
      // Some close to the end, so certificates come along too.
      const nearEnd = candidates.filter((s) => items.get(s.courseId)!.length - s.next <= 2);
      const state = rng.pick(nearEnd.length > 0 && rng.chance(0.3) ? nearEnd : candidates);
      startSitting(state, rng.int(from, to));
      candidates = candidates.filter((s) => s !== state);
    }
  };
  // The learners studying when the demo starts began a few minutes ago: what they did so far goes
  // with the first batch, so completions and attempts show from the first minute.
  const started = now().getTime();
  if (showcase) startSitting(showcase, started);
  topUp(started - 4 * MIN, started);

  const tick = async () => {
    const t = now().getTime();
    topUp(t, t + 8_000);
    const due: PlannedEvent[] = [];
    for (const s of sittings) {
      while (s.queue.length > 0 && s.queue[0]!.at <= t) due.push(s.queue.shift()!);
    }
    for (let i = sittings.length - 1; i >= 0; i--) if (sittings[i]!.queue.length === 0) sittings.splice(i, 1);
    due.push(...liveRoomMoment(room, target, t, rng));
    const later = extendedEnd(scheduledEnd, t);
    if (later !== null) {
      scheduledEnd = later;
      await saveLiveSession(opts.db, session.id, {
        ...session.input,
        scheduledEnd: new Date(scheduledEnd).toISOString(),
      });
    }
    if (due.length === 0) return;
    const events: LearningEvent[] = due.map(({ at, ...e }) => ({
      id: randomUUID(),
      occurredAt: new Date(at).toISOString(),
      ...e,
    }));
    await opts.committer.submit(events);
    sent += events.length;
  };

  const timer = setInterval(() => {
    if (running || stopped) return;
    running = tick()
      .catch((err: unknown) => {
        // The server is closing: nothing more to send.
        if (err instanceof AppError && err.code === 'shutting_down') stopped = true;
        else opts.onError?.(err);
      })
      .finally(() => {
        running = undefined;
      });
  }, opts.intervalMs ?? 1_500);
  // Never what keeps the process alive: the server is.
  timer.unref();

  return {
    get sent() {
      return sent;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
