/** A played stretch of a video, [startSec, endSec) in media time. */
export type Segment = [number, number];

/**
 * How far past the last observed position a seek may have left from: players report the position
 * about four times a second (Chromium: every 250 ms), so the segment before a seek is extended by
 * the time since that report, at most this many media seconds.
 */
export const SEEK_EXTRAPOLATION_MAX_SEC = 0.3;
/** An observed position further than this from where playing would have taken it is a jump (a seek we missed). */
export const JUMP_TOLERANCE_SEC = 1.5;

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The segments a video element played, from what it reports: `start` when it plays (after a
 * pause, a seek or buffering), `observe` on each position report while playing, `seekFrom` when
 * a seek begins, `stop` when it pauses, stalls or ends. `take` hands over what was played since
 * the previous `take` — the server wants each heartbeat's segments played since the last one
 * (SPEC §2; docs/metrics.md, Videos), rewatches included, so a replayed stretch is sent again.
 * Pure: the caller passes positions (media seconds) and wall-clock times (ms).
 */
export class SegmentTracker {
  private from: number | null = null;
  private last = 0;
  private lastAt = 0;
  private done: Segment[] = [];

  /** Playing, and since when (media time), or null. */
  get playingFrom(): number | null {
    return this.from;
  }

  /** Playback (re)started at `pos`. An open segment is closed first where it was last seen. */
  start(pos: number, at: number): void {
    if (this.from !== null) {
      if (Math.abs(pos - this.last) < 0.001) return;
      this.close(this.last);
    }
    this.from = pos;
    this.last = pos;
    this.lastAt = at;
  }

  /** A position report while playing; a jump the caller did not announce as a seek splits the segment. */
  observe(pos: number, at: number, rate: number): void {
    if (this.from === null) return;
    const expected = this.last + ((at - this.lastAt) / 1000) * rate;
    if (pos < this.last - 0.5 || pos > expected + JUMP_TOLERANCE_SEC) {
      this.close(this.last);
      this.from = pos;
    }
    this.last = pos;
    this.lastAt = at;
  }

  /** A seek began (the element already reports the new position): close the segment where it was left. */
  seekFrom(at: number, rate: number): void {
    if (this.from === null) return;
    const since = Math.max(0, ((at - this.lastAt) / 1000) * rate);
    this.close(this.last + Math.min(since, SEEK_EXTRAPOLATION_MAX_SEC));
    this.from = null;
  }

  /** Paused, stalled or ended at `pos`. */
  stop(pos: number): void {
    if (this.from === null) return;
    this.close(pos);
    this.from = null;
  }

  /** Segments played since the last take; a segment still playing is cut at its last position and goes on from there. */
  take(): Segment[] {
    if (this.from !== null) {
      const at = this.last;
      this.close(at);
      this.from = at;
    }
    const out = this.done;
    this.done = [];
    return out;
  }

  private close(end: number): void {
    const start = this.from!;
    if (end - start >= 0.001) this.done.push([round(start), round(end)]);
  }
}
