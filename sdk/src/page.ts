import { ActiveTime } from './activity.js';
import type { KeyValue } from './store.js';
import type { Tracker } from './tracker.js';

export interface PageOptions {
  courseId?: string;
  /** The item this page shows: heartbeats and scroll depth are filed under it. */
  itemId?: string;
  /** `false` turns every automatic event off; or pick: `{ visits, time, scroll }`, each on unless false. */
  autoTrack?: boolean | { visits?: boolean; time?: boolean; scroll?: boolean };
  /** Seconds without input after which the learner counts as away (default 60). */
  idleAfterSec?: number;
  /** Seconds between `heartbeat` events while the learner is active (default 30). */
  heartbeatSec?: number;
}

export interface PageWatch {
  /** Runs `fn` when the page is hidden or closed, before the buffer is sent; returns the way to stop. */
  onHide(fn: () => void): () => void;
  /** A tracked video started or stopped playing. */
  playing(delta: 1 | -1): void;
  detach(): void;
}

/** A new `course_visit` after this long without the learner in the course: a visit is a learning session (SPEC §5). */
export const VISIT_GAP_MS = 30 * 60_000;
const ACTIVITY = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'scroll'];

/** Scroll depth of the page, 0–100: how far down the bottom of the viewport has been. */
function depthNow(): number {
  const height = document.documentElement.scrollHeight;
  return height > 0 ? Math.min(100, Math.round(((scrollY + innerHeight) / height) * 100)) : 100;
}

/**
 * The page's automatic tracking: a `course_visit` when the learner comes to the course (a page
 * load or the tab shown again) after 30 minutes or more away from it in this browser,
 * `heartbeat` events with the active seconds, the deepest scroll on hide, and the hide and
 * `online` signals the tracker acts on.
 */
export function watchPage(
  tracker: Tracker,
  opts: PageOptions,
  kv: KeyValue | undefined,
  now: () => number,
): PageWatch {
  const auto = opts.autoTrack ?? true;
  const want = (k: 'visits' | 'time' | 'scroll') => auto !== false && (auto === true || auto[k] !== false);
  const item = opts.itemId !== undefined ? { itemId: opts.itemId } : {};
  const hideHooks = new Set<() => void>();
  const visible = () => document.visibilityState === 'visible';
  const active = new ActiveTime((opts.idleAfterSec ?? 60) * 1000, now(), visible());
  const visitKey = `learnpulse:visit:${opts.courseId}`;
  const seen = () => {
    try {
      kv?.setItem(visitKey, String(now()));
    } catch {
      // storage full or refused: the next page load counts a visit, no more
    }
  };
  let carryMs = 0;
  let maxDepth = 0;
  let sentDepth = 0;

  const heartbeat = () => {
    const ms = active.take(now()) + carryMs;
    const sec = Math.floor(ms / 1000);
    carryMs = ms - sec * 1000;
    if (sec < 1) return;
    tracker.track('heartbeat', { ...item, data: { activeSec: Math.min(3600, sec) } });
    seen();
  };
  const scrolled = () => {
    maxDepth = Math.max(maxDepth, depthNow());
  };
  const hide = () => {
    for (const fn of hideHooks) fn();
    if (want('time')) heartbeat();
    if (want('scroll')) {
      scrolled();
      if (maxDepth > sentDepth) {
        sentDepth = maxDepth;
        tracker.track('scroll_depth', { ...item, value: maxDepth });
      }
    }
    tracker.flushOnHide();
  };
  const visit = () => {
    if (!want('visits') || opts.courseId === undefined) return;
    const last = Number(kv?.getItem(visitKey));
    if (!(now() - last < VISIT_GAP_MS)) tracker.track('course_visit');
    seen();
  };
  const onVisibility = () => {
    active.visibility(now(), visible());
    if (!visible()) hide();
    else visit(); // back after 30 minutes or more away: a new visit
  };
  const onActivity = () => active.activity(now());
  const onOnline = () => tracker.retryNow();

  visit();
  const interval = want('time') ? setInterval(heartbeat, (opts.heartbeatSec ?? 30) * 1000) : undefined;
  const listeners: [EventTarget, string, () => void][] = [
    [document, 'visibilitychange', onVisibility],
    [window, 'pagehide', hide],
    [window, 'online', onOnline],
    ...ACTIVITY.map((t): [EventTarget, string, () => void] => [window, t, onActivity]),
  ];
  if (want('scroll')) listeners.push([window, 'scroll', scrolled]);
  for (const [target, type, fn] of listeners)
    target.addEventListener(type, fn, { passive: true, capture: true });

  return {
    onHide(fn) {
      hideHooks.add(fn);
      return () => hideHooks.delete(fn);
    },
    playing: (delta) => active.playing(now(), delta),
    detach() {
      clearInterval(interval);
      for (const [target, type, fn] of listeners) target.removeEventListener(type, fn, { capture: true });
    },
  };
}
