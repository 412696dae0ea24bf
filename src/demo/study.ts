import type { Device, LearningEvent } from '../domain/events/types.js';
import type { Rng } from './random.js';
import { planViewing, type ViewingPlan, viewingBeats } from './viewing.js';

/** How a learner takes a course: how often they come, how well they do. */
export type Persona = 'keen' | 'steady' | 'casual' | 'fading' | 'struggling';

export interface PersonaTraits {
  /** Days of the week the learner sets aside for the course, and the chance they keep each one. */
  studyDays: number;
  keepsDay: number;
  /** Minutes per sitting, [min, max]. */
  sittingMin: readonly [number, number];
  /** Chance of passing a quiz attempt (a retry gets +0.2). */
  pass: number;
  /** Chance of giving up on a video before its end. */
  giveUp: number;
}

export const PERSONAS: Record<Persona, PersonaTraits> = {
  keen: { studyDays: 4, keepsDay: 0.9, sittingMin: [15, 25], pass: 0.85, giveUp: 0.06 },
  steady: { studyDays: 3, keepsDay: 0.88, sittingMin: [12, 22], pass: 0.65, giveUp: 0.18 },
  casual: { studyDays: 2, keepsDay: 0.75, sittingMin: [8, 20], pass: 0.5, giveUp: 0.35 },
  fading: { studyDays: 3, keepsDay: 0.85, sittingMin: [12, 22], pass: 0.6, giveUp: 0.35 },
  struggling: { studyDays: 3, keepsDay: 0.85, sittingMin: [12, 22], pass: 0.45, giveUp: 0.3 },
};

export interface DemoItem {
  id: string;
  type: 'lesson' | 'video' | 'quiz' | 'assignment';
  title: string;
  position: number;
  durationSec?: number;
  /** Minutes of work the item takes (reading a lesson, answering a quiz, doing an assignment). */
  minutes: number;
}

export interface DemoLearner {
  id: string;
  device: Device;
  /** The learner's usual playback speed. */
  rate: number;
}

/** Where one learner is in one course: the generator's history ends here, live activity goes on. */
export interface EnrollmentState {
  learner: DemoLearner;
  courseId: string;
  courseCode: string;
  persona: Persona;
  /** The index of the item the learner works on next (items.length: done). */
  next: number;
  lessonPct: Record<string, number>;
  viewing: Record<string, { plan: ViewingPlan; playedSec: number }>;
  attempts: Record<string, number>;
  /** A struggling learner's quiz they fail every time, and how many failures until they give up. */
  nemesis?: { itemId: string; failuresLeft: number };
  /** Gave up on the nemesis quiz: only browses the course now. */
  stuck: boolean;
  /** When their last sitting ended (epoch ms). */
  lastAt?: number;
  /** Videos the learner gave up on: the course can no longer be completed. */
  gaveUp: string[];
  certified: boolean;
}

export interface SittingOptions {
  /** Seconds between time-on-task heartbeats while reading. */
  readBeatSec: number;
  /** Seconds between video heartbeats. */
  videoBeatSec: number;
  /** Reading and answering go this many times faster than the item's minutes (1: real time). */
  pace: number;
}

export const HISTORY_PACE: SittingOptions = { readBeatSec: 300, videoBeatSec: 90, pace: 1 };

/** An event before its id: `at` in epoch ms. */
export type PlannedEvent = Omit<LearningEvent, 'id' | 'occurredAt'> & { at: number };

/**
 * One study sitting of `budgetSec` from `startMs`: a course visit, then the learner's next items in
 * order — reading a lesson (time-on-task heartbeats, progress, scrolling), watching a video
 * (heartbeats of played segments, resumed where they left it), answering a quiz (an attempt that
 * passes or not, with time-on-task heartbeats while answering) — until the time is up. After a
 * failed attempt the learner reads the lesson before it again and retries another day. A
 * completed course earns a certificate. Mutates `state`; the events come back in time order.
 */
export function planSitting(
  state: EnrollmentState,
  items: readonly DemoItem[],
  startMs: number,
  budgetSec: number,
  rng: Rng,
  opts: SittingOptions = HISTORY_PACE,
): { events: PlannedEvent[]; endMs: number } {
  const { learner, courseId } = state;
  const events: PlannedEvent[] = [];
  let t = startMs;
  const emit = (type: string, extra: Partial<PlannedEvent> = {}) =>
    events.push({ type, at: t, userId: learner.id, courseId, ...extra });
  emit('course_visit');
  t += rng.int(5, 40) * 1000;
  const advance = (sec: number) => {
    t += sec * 1000;
  };
  let left = budgetSec;
  if (state.stuck) {
    // Gave up on a quiz: opens the course, looks around, leaves.
    browse(emit, Math.min(left, rng.int(2, 6) * 60), opts, advance);
    state.lastAt = t;
    return { events, endMs: t };
  }
  while (left > 120 && state.next < items.length) {
    const item = items[state.next]!;
    const before = t;
    const done =
      item.type === 'lesson'
        ? readLesson(state, item, left, emit, advance, rng, opts)
        : item.type === 'video'
          ? watchVideo(state, item, left, emit, advance, rng, opts)
          : attempt(state, item, emit, advance, rng, opts);
    left -= (t - before) / 1000;
    if (done === 'failed') {
      // Back to the lesson before the quiz for the rest of the sitting; the retry comes next time.
      const lesson = items.slice(0, state.next).findLast((i) => i.type === 'lesson');
      if (lesson) browse((type, extra) => emit(type, { ...extra, itemId: lesson.id }), left, opts, advance);
      break;
    }
    if (done === 'partial') break;
    state.next++;
    t += rng.int(10, 60) * 1000;
  }
  if (state.next >= items.length && state.gaveUp.length === 0 && !state.certified) {
    state.certified = true;
    t += 60_000;
    emit('certification_issued', {
      data: { certificateId: `CERT-${state.courseCode}-${learner.id.replace(/\D/g, '')}` },
    });
  }
  state.lastAt = t;
  return { events, endMs: t };
}

type Emit = (type: string, extra?: Partial<PlannedEvent>) => void;
type Advance = (sec: number) => void;
type Outcome = 'done' | 'partial' | 'failed';

/** Time on the course without progress: looking around, or reading a lesson again. */
function browse(emit: Emit, sec: number, opts: SittingOptions, advance: Advance): void {
  for (let s = 0; s < sec; s += opts.readBeatSec) {
    const active = Math.round(Math.min(opts.readBeatSec, sec - s));
    if (active < 1) break;
    advance(active);
    emit('heartbeat', { data: { activeSec: active } });
  }
}

/** Reads a lesson from where they stopped: heartbeats, progress at the middle and the end, scrolling. */
function readLesson(
  state: EnrollmentState,
  item: DemoItem,
  budgetSec: number,
  emit: Emit,
  advance: Advance,
  rng: Rng,
  opts: SittingOptions,
): Outcome {
  const from = state.lessonPct[item.id] ?? 0;
  const fullSec = item.minutes * 60 * opts.pace * rng.between(0.8, 1.25);
  const needSec = (fullSec * (100 - from)) / 100;
  const readSec = Math.min(needSec, budgetSec);
  const to = readSec >= needSec ? 100 : Math.min(95, Math.round(from + (readSec / fullSec) * 100));
  const base = { itemId: item.id };
  if (from === 0) emit('lesson_start', base);
  let reported = from;
  for (let s = 0; s < readSec; s += opts.readBeatSec) {
    const active = Math.max(1, Math.round(Math.min(opts.readBeatSec, readSec - s)));
    advance(active);
    emit('heartbeat', { ...base, data: { activeSec: active } });
    const last = s + opts.readBeatSec >= readSec;
    const pct = last ? to : Math.round(from + ((to - from) * (s + active)) / readSec);
    // Progress is reported past the middle and where they stop, as an LMS page tracker would.
    if (pct > reported && (last || (reported < 50 && pct >= 50))) {
      emit('lesson_progress', { ...base, value: pct });
      reported = pct;
    }
  }
  emit('scroll_depth', { ...base, value: Math.min(100, to + (to < 100 ? rng.int(0, 10) : 0)) });
  state.lessonPct[item.id] = to;
  return to >= 100 ? 'done' : 'partial';
}

/** Watches a video on from where they left it, as planned when they first opened it. */
function watchVideo(
  state: EnrollmentState,
  item: DemoItem,
  budgetSec: number,
  emit: Emit,
  advance: Advance,
  rng: Rng,
  opts: SittingOptions,
): Outcome {
  const duration = item.durationSec!;
  const giveUp = PERSONAS[state.persona].giveUp;
  const viewing = state.viewing[item.id] ?? { plan: planViewing(duration, giveUp, rng), playedSec: 0 };
  state.viewing[item.id] = viewing;
  const { learner } = state;
  const { beats, toSec } = viewingBeats(
    viewing.plan,
    viewing.playedSec,
    budgetSec,
    learner.rate,
    opts.videoBeatSec,
  );
  let wall = 0;
  for (const b of beats) {
    advance(b.wallSec - wall);
    wall = b.wallSec;
    emit('video_heartbeat', {
      itemId: item.id,
      device: learner.device,
      data: {
        positionSec: b.positionSec,
        durationSec: duration,
        segments: b.segments,
        ...(learner.rate !== 1 ? { playbackRate: learner.rate } : {}),
        ...(b.ended ? { ended: true } : {}),
      },
    });
  }
  viewing.playedSec = toSec;
  if (toSec < viewing.plan.totalSec) return 'partial';
  // A learner who gave up moves on to the next item: the video stays unfinished for good.
  if (!viewing.plan.finishes) state.gaveUp.push(item.id);
  return 'done';
}

/** Answers a quiz or hands in an assignment: an attempt that passes or fails. */
function attempt(
  state: EnrollmentState,
  item: DemoItem,
  emit: Emit,
  advance: Advance,
  rng: Rng,
  opts: SittingOptions,
): Outcome {
  const n = (state.attempts[item.id] ?? 0) + 1;
  state.attempts[item.id] = n;
  const nemesis = state.nemesis?.itemId === item.id ? state.nemesis : undefined;
  const passChance = Math.min(0.97, PERSONAS[state.persona].pass + (n > 1 ? 0.2 : 0));
  const passed = nemesis ? false : rng.chance(passChance);
  const spent = Math.round(item.minutes * 60 * opts.pace * rng.between(0.6, 1.4));
  // The page's tracker counts the time spent answering, as on any other page.
  browse((type, extra) => emit(type, { ...extra, itemId: item.id }), spent, opts, advance);
  const max = item.type === 'quiz' ? 10 : 100;
  const score = passed
    ? rng.int(Math.ceil(max * 0.6), max)
    : rng.int(Math.floor(max * 0.2), Math.ceil(max * 0.6) - 1);
  emit(item.type === 'quiz' ? 'quiz_submit' : 'assignment_submit', {
    itemId: item.id,
    data: {
      attemptId: `${item.id}-${state.learner.id}-${n}`,
      score,
      maxScore: max,
      passed,
      timeSpentSec: spent,
    },
  });
  if (nemesis && --nemesis.failuresLeft <= 0) state.stuck = true;
  return passed ? 'done' : 'failed';
}
