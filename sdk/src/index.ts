/**
 * The learnpulse browser tracker. One tracker per page:
 *
 *   learnpulse.init({ endpoint: 'https://learnpulse.example.org', getToken, courseId: 'c1' });
 *   learnpulse.track('lesson_complete', { itemId: 'l1' });
 *   learnpulse.trackVideo(document.querySelector('video'), { itemId: 'v1' });
 *
 * See sdk/README.md for every option and the delivery guarantees.
 */
import { browserEnv, localKv } from './browser.js';
import { type PageOptions, type PageWatch, watchPage } from './page.js';
import { Tracker, type TrackerOptions } from './tracker.js';
import type { EventFields } from './types.js';
import { type VideoOptions, trackVideo as watchVideo } from './video.js';

export type { DroppedEvent, EventFields, LearnpulseEvent, TokenSource } from './types.js';
export type { VideoOptions } from './video.js';

export interface InitOptions extends TrackerOptions, PageOptions {
  /**
   * The learner's IANA time zone (e.g. `Intl.DateTimeFormat().resolvedOptions().timeZone`), saved
   * once with `PUT /me/timezone` for platforms that do not send zones with their users. See the README.
   */
  userTimezone?: string;
}

let current: { tracker: Tracker; page: PageWatch } | undefined;

const session = () => {
  if (!current) throw new Error('learnpulse: call learnpulse.init() first');
  return current;
};

/**
 * Starts tracking this page: loads the events earlier pages could not send, sends a
 * `course_visit`, and starts time-on-task and scroll tracking. Calling it again replaces the
 * tracker (after a sign-in change, say).
 * @example learnpulse.init({ endpoint: 'https://lp.example.org', token: jwt, courseId: 'c1' })
 */
export function init(options: InitOptions): void {
  if (!options.endpoint || !(options.token || options.getToken)) {
    throw new Error('learnpulse.init: `endpoint` and `token` or `getToken` are required');
  }
  if (current) void stop();
  const kv = localKv();
  const tracker = new Tracker(options, browserEnv(options.endpoint, kv));
  current = { tracker, page: watchPage(tracker, options, kv, Date.now) };
  if (options.userTimezone) void tracker.sendTimeZone(options.userTimezone);
}

/**
 * Records an event; returns its id. `courseId` defaults to `init`'s.
 * @example learnpulse.track('quiz_submit', { itemId: 'q1', data: { attemptId: 'a1', score: 8, maxScore: 10, passed: true } })
 */
export function track(type: string, fields?: EventFields): string {
  return session().tracker.track(type, fields).id;
}

/** Sends what is waiting now; resolves with the number of events still waiting. */
export function flush(): Promise<number> {
  return session().tracker.flush();
}

/** Events recorded but not yet acknowledged by the server (stored meanwhile). */
export function pending(): number {
  return current?.tracker.pending ?? 0;
}

/**
 * Tracks an HTML5 video (or audio) element's played segments; returns the function that stops.
 * @example const untrack = learnpulse.trackVideo(document.querySelector('video'), { itemId: 'v1' })
 */
export function trackVideo(video: HTMLMediaElement, options: VideoOptions): () => void {
  const { tracker, page } = session();
  return watchVideo(video, options, {
    track: (type, fields) => tracker.track(type, fields),
    now: Date.now,
    playing: page.playing,
    onHide: page.onHide,
  });
}

/** Stops tracking; events not yet sent stay stored and go out from the next page that calls `init`. */
export async function stop(): Promise<void> {
  const s = current;
  current = undefined;
  s?.page.detach();
  await s?.tracker.stop();
}
