/**
 * Time on task as the `heartbeat` event counts it: time the page is visible and the learner was
 * active (an input) within the last `idleMs`. Time while a tracked video plays is left out: the
 * server already counts it from the video's played segments (docs/metrics.md, time on task), and
 * counting it here too would count it twice. Pure: every call says what time it is.
 */
export class ActiveTime {
  private activeUntil: number;
  private mark: number;
  private acc = 0;
  private busy = 0;

  constructor(
    private readonly idleMs: number,
    now: number,
    private visible: boolean,
  ) {
    this.mark = now;
    this.activeUntil = visible ? now + idleMs : now;
  }

  /** An input: the learner is active for the next `idleMs`. */
  activity(now: number): void {
    this.accrue(now);
    this.activeUntil = now + this.idleMs;
  }

  /** The page became visible (itself a sign of the learner) or hidden. */
  visibility(now: number, visible: boolean): void {
    this.accrue(now);
    this.visible = visible;
    if (visible) this.activeUntil = now + this.idleMs;
  }

  /** A tracked video started (+1) or stopped (-1) playing. */
  playing(now: number, delta: 1 | -1): void {
    this.accrue(now);
    this.busy = Math.max(0, this.busy + delta);
  }

  /** Active milliseconds since the last call. */
  take(now: number): number {
    this.accrue(now);
    const ms = this.acc;
    this.acc = 0;
    return ms;
  }

  private accrue(now: number): void {
    if (this.visible && this.busy === 0) this.acc += Math.max(0, Math.min(now, this.activeUntil) - this.mark);
    this.mark = Math.max(this.mark, now);
  }
}
