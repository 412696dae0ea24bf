import type { Device } from './types.js';

const OS: [RegExp, string][] = [
  [/Windows/, 'Windows'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Android/, 'Android'],
  [/CrOS/, 'ChromeOS'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux/, 'Linux'],
];
// Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari".
const BROWSERS: [RegExp, string][] = [
  [/Edg(e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/SamsungBrowser/, 'Samsung Internet'],
  [/Firefox|FxiOS/, 'Firefox'],
  [/Chrome|CriOS|Chromium/, 'Chrome'],
  [/Safari/, 'Safari'],
];

const first = (ua: string, list: [RegExp, string][]) => list.find(([re]) => re.test(ua))?.[1];

/**
 * The device of a User-Agent string, coarsely (SPEC §2: type, OS, browser). iPadOS presents
 * itself as a Mac; touch points tell it apart.
 * @example deviceOf(navigator.userAgent, navigator.maxTouchPoints)
 */
export function deviceOf(ua: string, touchPoints = 0): Device {
  const ipad = /iPad/.test(ua) || (/Macintosh/.test(ua) && touchPoints > 1);
  const type =
    ipad || /Tablet|PlayBook|Silk|Android(?!.*Mobile)/.test(ua)
      ? 'tablet'
      : /Mobi|iPhone|Android/.test(ua)
        ? 'mobile'
        : 'desktop';
  const os = ipad ? 'iOS' : first(ua, OS);
  const browser = first(ua, BROWSERS);
  return { type, ...(os ? { os } : {}), ...(browser ? { browser } : {}) };
}
