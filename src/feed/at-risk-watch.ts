import { loadRoster } from '../analytics/roster.js';
import { riskChangeFeed, riskChanges } from '../domain/feed/items.js';
import { type Course, listCourses } from '../store/catalog/courses.js';
import type { Db } from '../store/db.js';
import { readRiskStates, writeRiskStates } from '../store/feed/at-risk.js';
import { reconcileFeed } from '../store/feed/write.js';

/** Taken per course (two-int form: this and the id's hash), so two processes never announce a change twice. */
const AT_RISK_LOCK = 721_433;
const COURSE_PAGE = 200;

/**
 * Announces at-risk changes (SPEC §5's rules) as `at_risk_changed` feed items, which go to the
 * stream and the webhook like any other. Risk depends on the clock as much as on events (a
 * learner becomes inactive by doing nothing), so courses are checked on a timer rather than on
 * commits. Each course is checked in its own transaction under a try-lock: a process that finds
 * a course being checked elsewhere skips it.
 */
export class AtRiskWatch {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | null = null;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Checks every `everyMs`, the first time one interval after start (a restart loop checks nothing). */
  start(everyMs: number): void {
    this.timer = setInterval(() => {
      this.running ??= this.checkAll()
        .catch((err: unknown) => {
          this.onError(err);
          return 0;
        })
        .finally(() => {
          this.running = null;
        });
    }, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Checks every course that tracks engagement; returns the number of changes announced. */
  async checkAll(): Promise<number> {
    let changes = 0;
    let cursor: string | undefined;
    do {
      const page = await listCourses(this.db, undefined, COURSE_PAGE, cursor);
      for (const course of page.items) {
        if (course.settings.engagementTracking) changes += await this.checkCourse(course);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return changes;
  }

  async checkCourse(course: Pick<Course, 'id' | 'settings'>): Promise<number> {
    const now = this.now();
    return this.db.transaction(async (tx) => {
      const [lock] = await tx.query<{ ok: boolean }>(
        'SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS ok',
        [AT_RISK_LOCK, course.id],
      );
      if (!lock?.ok) return 0;
      const roster = await loadRoster(tx, course.id, course.settings, now);
      const announced = await readRiskStates(tx, course.id);
      const current = roster.learners.map((l) => ({
        userId: l.userId,
        level: l.risk.level,
        codes: l.risk.reasons.map((r) => r.code).sort(),
        reasons: l.risk.reasons,
      }));
      const changes = riskChanges(announced, current);
      const present = new Set(current.map((c) => c.userId));
      const gone = [...announced.keys()].filter((id) => !present.has(id));
      await writeRiskStates(
        tx,
        course.id,
        changes.map((c) => c.after),
        gone,
        now,
      );
      await reconcileFeed(
        tx,
        changes.map((c) => riskChangeFeed(course.id, now.getTime(), c)),
      );
      return changes.length;
    });
  }
}
