import { randomUUID } from 'node:crypto';
import type { ItemInput } from '../../src/domain/catalog/schemas.js';
import type { Device, LearningEvent } from '../../src/domain/events/types.js';
import { prng } from '../../src/demo/random.js';

/**
 * The analytics bench's data set: one course of 20 items, its learners, and a history of their
 * activity over the last `days` days, generated from a seed so that every run loads the same
 * shape of data (event ids and the "now" it ends at aside).
 */
export const COURSE_ID = 'bench-course';
export const INSTRUCTOR_ID = 'bench-instructor';
const DAY = 86_400_000;
const MAX_PER_DAY = 1000;
const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'America/Los_Angeles',
  'Asia/Tokyo',
  'Asia/Kolkata',
];
const DEVICES: Device[] = [
  { type: 'desktop', os: 'Windows', browser: 'Chrome' },
  { type: 'desktop', os: 'macOS', browser: 'Safari' },
  { type: 'mobile', os: 'Android', browser: 'Chrome' },
];

export type CatalogItem = ItemInput & { id: string };

/** Lessons, videos (with durations), pages and assessments, in course order. */
export const ITEMS: CatalogItem[] = (
  'lesson video page lesson video quiz lesson video page lesson video quiz ' +
  'lesson video page lesson video assignment lesson lesson'
)
  .split(' ')
  .map((type, i) => ({
    id: `bench-item-${String(i + 1).padStart(2, '0')}`,
    type: type as ItemInput['type'],
    title: `${type[0]!.toUpperCase()}${type.slice(1)} ${i + 1}`,
    position: i,
    ...(type === 'video' ? { durationSec: 300 + 150 * (i % 5) } : {}),
  }));

export const learnerId = (i: number) => `learner-${String(i).padStart(5, '0')}`;
export const learnerZone = (i: number) => ZONES[i % ZONES.length]!;

/** The demo's seeded PRNG (mulberry32): the same seed draws the same data set. */
const seeded = prng;

export interface DataSetOptions {
  learners: number;
  events: number;
  days: number;
  /** The instant the history ends at (a little before the run's "now"). */
  end: number;
}

/**
 * Who is active on which day and with how many events. Learners differ in engagement (how many
 * days they come back, how many events they send); some start late and a fifth drop out before
 * the last week, so that the at-risk rules and the 7-day figures have something to find. The
 * event budget is shared exactly: the data set holds `events` events.
 */
export class DataSet {
  /** events[learner * days + day]: events the learner sends that day (0: inactive). */
  readonly perDay: Uint16Array;
  readonly engagement: Float64Array;
  /** Per (learner, item): video position, lesson percent or page scroll reached so far. */
  private readonly reached: Float64Array;
  private readonly scrolled: Float64Array;
  private readonly started: Uint8Array;
  private readonly cursor: Int32Array;
  readonly typeCounts = new Map<string, number>();

  constructor(readonly opts: DataSetOptions) {
    const { learners, events, days } = opts;
    const r = seeded(20_261_123);
    this.perDay = new Uint16Array(learners * days);
    this.engagement = Float64Array.from({ length: learners }, () => 0.15 + 0.85 * r() ** 0.8);
    this.reached = new Float64Array(learners * ITEMS.length);
    this.scrolled = new Float64Array(learners * ITEMS.length);
    this.started = new Uint8Array(learners * ITEMS.length);
    this.cursor = new Int32Array(learners);
    const weightSum = this.engagement.reduce((s, e) => s + e, 0);
    let left = events;
    for (let i = 0; i < learners; i++) {
      const e = this.engagement[i]!;
      const budget = i === learners - 1 ? left : Math.min(left, Math.round((events * e) / weightSum));
      left -= budget;
      const start = r() < 0.3 ? Math.floor(r() * days * 0.4) : 0;
      const stop = r() < 0.2 ? start + Math.floor(r() * Math.max(1, days - 7 - start)) : days - 1;
      const active: number[] = [];
      for (let d = start; d <= stop; d++) if (r() < 0.15 + 0.7 * e) active.push(d);
      if (active.length === 0) active.push(stop);
      // A day's sittings must fit in the day (~40 s per event, two sittings at most).
      if (budget / active.length > MAX_PER_DAY) {
        throw new Error(`${events} events over ${learners} learners is more than ${MAX_PER_DAY} a day each`);
      }
      active.forEach((d, k) => {
        const share = Math.floor(budget / active.length) + (k < budget % active.length ? 1 : 0);
        this.perDay[i * days + d] = share;
      });
    }
  }

  /**
   * One worker's events, a day at a time, in time order within the day: `worker` of `workers`
   * takes the learners whose index is congruent to it, so that workers never share a learner.
   */
  *days(worker: number, workers: number): Generator<LearningEvent[]> {
    const r = seeded(7919 * (worker + 1));
    const { learners, days, end } = this.opts;
    for (let d = 0; d < days; d++) {
      const dayStart = end - (days - d) * DAY;
      const out: LearningEvent[] = [];
      for (let i = worker; i < learners; i += workers) {
        const n = this.perDay[i * days + d]!;
        if (n > 0) this.session(i, n, dayStart, r, out);
      }
      out.sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
      for (const e of out) this.typeCounts.set(e.type, (this.typeCounts.get(e.type) ?? 0) + 1);
      yield out;
    }
  }

  /**
   * A learner's `n` events of one day, as one or two sittings: a course visit, then runs of
   * events on one item after another (video heartbeats with the segments played, lesson progress,
   * scrolling, time-on-task heartbeats, an attempt at the end of a quiz run), ~30 s apart.
   */
  private session(i: number, n: number, dayStart: number, r: () => number, out: LearningEvent[]): void {
    const sittings = n > 40 ? 2 : 1;
    const device = DEVICES[i % DEVICES.length]!;
    const base = { userId: learnerId(i), courseId: COURSE_ID, device };
    let left = n;
    for (let s = 0; s < sittings; s++) {
      let count = s === sittings - 1 ? left : Math.ceil(n / sittings);
      left -= count;
      const span = count * 40_000;
      // Each sitting in its own half of the day, so the two never overlap.
      const half = (DAY - 60_000) / sittings;
      let t = dayStart + s * half + r() * Math.max(0, half - span);
      const clientSessionId = randomUUID();
      out.push(this.event({ ...base, clientSessionId }, 'course_visit', t));
      count--;
      while (count > 0) {
        const slot = this.cursor[i]!;
        const item = ITEMS[slot]!;
        const run = Math.min(count, 3 + Math.floor(r() * 12));
        for (let k = 0; k < run; k++) {
          t += 20_000 + r() * 20_000;
          out.push(this.itemEvent(i, slot, item, k === 0, k === run - 1, r, { ...base, clientSessionId }, t));
        }
        count -= run;
        // Mostly on to the next item; sometimes back to an earlier one.
        this.cursor[i] = r() < 0.85 ? (slot + 1) % ITEMS.length : Math.floor(r() * ITEMS.length);
      }
    }
  }

  private event(
    base: Pick<LearningEvent, 'userId' | 'courseId' | 'device' | 'clientSessionId'>,
    type: string,
    t: number,
    extra: Partial<LearningEvent> = {},
  ): LearningEvent {
    return { id: randomUUID(), type, occurredAt: new Date(Math.round(t)).toISOString(), ...base, ...extra };
  }

  private itemEvent(
    i: number,
    slot: number,
    item: CatalogItem,
    first: boolean,
    last: boolean,
    r: () => number,
    base: Pick<LearningEvent, 'userId' | 'courseId' | 'device' | 'clientSessionId'>,
    t: number,
  ): LearningEvent {
    const cell = i * ITEMS.length + slot;
    const on = { itemId: item.id };
    const heartbeat = () =>
      this.event(base, 'heartbeat', t, { ...on, data: { activeSec: 15 + Math.floor(r() * 16) } });
    const e = this.engagement[i]!;
    if (item.type === 'video') {
      if (r() < 0.15) return heartbeat();
      const duration = item.durationSec!;
      // A finished video is rewatched from somewhere in its first half.
      let from = this.reached[cell]! >= duration ? r() * duration * 0.5 : this.reached[cell]!;
      if (r() < 0.05) from = Math.min(duration - 1, from + 60); // a seek forward
      const to = Math.min(duration, from + 30);
      this.reached[cell] = to;
      const data = { positionSec: to, durationSec: duration, segments: [[from, to]], playbackRate: 1 };
      return this.event(base, 'video_heartbeat', t, {
        ...on,
        data: to >= duration ? { ...data, ended: true } : data,
      });
    }
    if (item.type === 'quiz' || item.type === 'assignment') {
      if (!last) return heartbeat();
      const score = Math.min(10, Math.round(10 * (0.3 + 0.7 * r() * (0.5 + e))));
      const data = { attemptId: randomUUID(), score, maxScore: 10, passed: score >= 7, timeSpentSec: 300 };
      return this.event(base, `${item.type}_submit`, t, { ...on, data });
    }
    if (item.type === 'lesson' && first && this.started[cell] === 0) {
      this.started[cell] = 1;
      return this.event(base, 'lesson_start', t, on);
    }
    const pick = r();
    if (pick < 0.3) {
      this.reached[cell] = Math.min(100, this.reached[cell]! + 5 + Math.round(20 * r() * (0.5 + e)));
      return this.event(base, 'lesson_progress', t, { ...on, value: this.reached[cell] });
    }
    if (pick > 0.75) {
      this.scrolled[cell] = Math.min(100, this.scrolled[cell]! + 10 + Math.round(30 * r()));
      return this.event(base, 'scroll_depth', t, { ...on, value: this.scrolled[cell] });
    }
    return heartbeat();
  }
}
