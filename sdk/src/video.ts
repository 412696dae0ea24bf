import { SegmentTracker } from './segments.js';
import type { EventFields } from './types.js';

export interface VideoOptions {
  /** The video's item id in the catalog (required by `video_heartbeat`). */
  itemId: string;
  /** Defaults to the `courseId` given to `init`. */
  courseId?: string;
  /** Seconds of playing between heartbeats (default 10). */
  heartbeatSec?: number;
}

/** What a tracked video needs from the tracker around it. */
export interface VideoHost {
  track(type: string, fields: EventFields): void;
  now(): number;
  /** A tracked video started (+1) or stopped (-1) playing: time on task leaves that time out. */
  playing(delta: 1 | -1): void;
  /** Runs `fn` when the page is hidden or closed; returns the way to stop. */
  onHide(fn: () => void): () => void;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
// The server's accepted playback rates.
const clampRate = (x: number) => Math.min(16, Math.max(0.0625, x));

/**
 * Sends `video_heartbeat` events for a media element: the segments it played since the previous
 * heartbeat, every `heartbeatSec` of playing, on pause, at the end, before a rate change (a
 * heartbeat's segments are judged against one `playbackRate`) and when the page is hidden.
 * Returns the function that stops tracking (after a last heartbeat).
 */
export function trackVideo(video: HTMLMediaElement, opts: VideoOptions, host: VideoHost): () => void {
  const seg = new SegmentTracker();
  const every = (opts.heartbeatSec ?? 10) * 1000;
  let rate = video.playbackRate;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let busy = false;

  const setBusy = (playing: boolean) => {
    if (playing !== busy) host.playing(playing ? 1 : -1);
    busy = playing;
  };
  const beat = (ended = false) => {
    clearTimeout(timer);
    timer = undefined;
    const duration = video.duration;
    // Without a finite duration (metadata not loaded, a live stream) the segments wait for the next beat.
    if (duration > 0 && duration < Number.POSITIVE_INFINITY) {
      seg.observe(video.currentTime, host.now(), rate);
      const segments = seg.take();
      if (segments.length > 0 || ended) {
        host.track('video_heartbeat', {
          itemId: opts.itemId,
          ...(opts.courseId !== undefined ? { courseId: opts.courseId } : {}),
          data: {
            positionSec: r3(video.currentTime),
            durationSec: r3(duration),
            segments,
            ...(rate !== 1 ? { playbackRate: clampRate(rate) } : {}),
            ...(ended ? { ended: true } : {}),
          },
        });
      }
    }
    if (seg.playingFrom !== null) timer = setTimeout(beat, every);
  };
  const stopAt = () => seg.stop(video.currentTime);

  const on: Record<string, () => void> = {
    playing: () => {
      seg.start(video.currentTime, host.now());
      setBusy(true);
      timer ??= setTimeout(beat, every);
    },
    timeupdate: () => seg.observe(video.currentTime, host.now(), rate),
    seeking: () => seg.seekFrom(host.now(), rate),
    seeked: () => {
      if (!video.paused) seg.start(video.currentTime, host.now());
    },
    waiting: stopAt,
    pause: () => {
      stopAt();
      setBusy(false);
      // Reaching the end pauses first: the `ended` heartbeat carries these segments, in one event.
      if (!video.ended) beat();
    },
    ended: () => {
      stopAt();
      setBusy(false);
      beat(true);
    },
    emptied: () => {
      stopAt();
      setBusy(false);
      beat();
    },
    ratechange: () => {
      beat(); // what was played at the old rate goes out with the old rate
      rate = video.playbackRate;
    },
  };
  for (const [name, fn] of Object.entries(on)) video.addEventListener(name, fn);
  const offHide = host.onHide(() => beat());
  // A video already playing when tracking starts plays from here.
  if (!video.paused && video.readyState > 2) on.playing!();

  return () => {
    for (const [name, fn] of Object.entries(on)) video.removeEventListener(name, fn);
    offHide();
    stopAt();
    beat();
    clearTimeout(timer);
    setBusy(false);
  };
}
