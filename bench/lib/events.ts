import { randomUUID } from 'node:crypto';

/** The population the issue describes: ~5,000 learners over ~20 courses. */
export const USERS = 5000;
export const COURSES = 20;
/** Share of `course_visit` events; the rest are `heartbeat`s. */
const VISIT_SHARE = 0.1;
const WINDOW_MS = 3 * 24 * 3600_000;

export interface MonthRange {
  /** First instant of the current UTC month. */
  readonly from: Date;
  /** First instant of the next UTC month. */
  readonly to: Date;
}

/** The UTC month containing `now`, the range every generated `occurredAt` falls in. */
export function currentMonth(now = new Date()): MonthRange {
  return {
    from: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)),
    to: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
  };
}

/** What the load generator asks for each request: a JSON body of `n` fresh events. */
export interface BodySource {
  body(n: number): string;
}

interface Generated {
  id: string;
  visit: boolean;
  occurredAt: string;
  user: number;
  course: number;
}

/**
 * Draws events "within the last few days", clamped to the current month so that every run needs
 * exactly one monthly partition: the baselines then write into the same partition our server does.
 */
export class EventGenerator implements BodySource {
  private readonly from: number;
  private readonly span: number;

  constructor(now = Date.now()) {
    this.from = Math.max(now - WINDOW_MS, currentMonth(new Date(now)).from.getTime());
    this.span = Math.max(1, now - this.from);
  }

  private next(): Generated {
    const user = Math.floor(Math.random() * USERS);
    return {
      id: randomUUID(),
      visit: Math.random() < VISIT_SHARE,
      occurredAt: new Date(this.from + Math.floor(Math.random() * this.span)).toISOString(),
      user,
      // Each learner follows three neighbouring courses.
      course: (user * 7 + Math.floor(Math.random() * 3)) % COURSES,
    };
  }

  /**
   * A request body of `n` fresh events, built as a string: it runs once per request inside the load
   * generator, which shares the two cores with the server and PostgreSQL, so it must stay cheap.
   * @example gen.body(100) // '{"events":[{"id":"…","type":"heartbeat",…}]}'
   */
  body(n: number): string {
    let out = '{"events":[';
    for (let i = 0; i < n; i++) {
      const e = this.next();
      if (i > 0) out += ',';
      out += `{"id":"${e.id}","type":"${e.visit ? 'course_visit' : 'heartbeat'}","occurredAt":"${e.occurredAt}","userId":"u${e.user}","courseId":"c${e.course}"`;
      out += e.visit ? '}' : ',"data":{"activeSec":30}}';
    }
    return out + ']}';
  }

  /**
   * `n` rows in COPY text format for `events (id, type, occurred_at, received_at, user_id,
   * course_id, data)`, the columns our server fills for these events.
   */
  copyRows(n: number, receivedAt: string): string {
    let out = '';
    for (let i = 0; i < n; i++) {
      const e = this.next();
      out += e.id + '\t' + (e.visit ? 'course_visit' : 'heartbeat') + '\t' + e.occurredAt + '\t' + receivedAt;
      out += '\tu' + e.user + '\tc' + e.course + (e.visit ? '\t\\N\n' : '\t{"activeSec":30}\n');
    }
    return out;
  }
}

/** Learners of the tracker-shaped stream, each studying one course. */
const TRACKER_LEARNERS = 20_000;
const HEARTBEAT_MS = 30_000;

/**
 * The traffic of browser trackers relayed by a platform: every learner sends a heartbeat every 30
 * seconds, in order, with a `course_visit` in place of every tenth; a request carries
 * the next 100 events of all learners together. Time runs from two days ago (clamped to the
 * current month) in steps of 30 s per round of learners, so a run of a few hundred thousand
 * events covers minutes, and never reaches the present.
 */
export class TrackerStream implements BodySource {
  private k = 0;
  private readonly from: number;
  private readonly offset = Array.from({ length: TRACKER_LEARNERS }, () =>
    Math.floor(Math.random() * HEARTBEAT_MS),
  );

  constructor(now = Date.now()) {
    this.from = Math.max(now - 2 * 24 * 3600_000, currentMonth(new Date(now)).from.getTime());
  }

  body(n: number): string {
    let out = '{"events":[';
    for (let i = 0; i < n; i++) {
      const k = this.k++;
      const user = k % TRACKER_LEARNERS;
      const round = Math.floor(k / TRACKER_LEARNERS);
      const at = new Date(this.from + round * HEARTBEAT_MS + this.offset[user]!).toISOString();
      const visit = round % 10 === 0;
      if (i > 0) out += ',';
      out += `{"id":"${randomUUID()}","type":"${visit ? 'course_visit' : 'heartbeat'}","occurredAt":"${at}","userId":"t${user}","courseId":"c${(user * 7) % COURSES}"`;
      out += visit ? '}' : ',"data":{"activeSec":30}}';
    }
    return out + ']}';
  }
}
