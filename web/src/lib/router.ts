import { useEffect, useState } from 'react';

/**
 * Hash routes (`#/courses/c1/learners/u1`): the server serves one page at `/` and needs no
 * fallback for deep links.
 */
export type Route =
  | { view: 'home' }
  | { view: 'course'; courseId: string }
  | { view: 'learner'; courseId: string; userId: string }
  | { view: 'videos'; courseId: string; itemId?: string }
  | { view: 'live'; sessionId?: string }
  | { view: 'compare'; ids: string[] }
  | { view: 'my-course'; courseId: string }
  | { view: 'not-found' };

const dec = decodeURIComponent;

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const p = path.split('/').filter(Boolean).map(dec);
  const q = new URLSearchParams(query);
  if (p.length === 0) return { view: 'home' };
  if (p[0] === 'courses' && p[1]) {
    if (p.length === 2) return { view: 'course', courseId: p[1] };
    if (p[2] === 'learners' && p[3]) return { view: 'learner', courseId: p[1], userId: p[3] };
    if (p[2] === 'videos')
      return p[3] ? { view: 'videos', courseId: p[1], itemId: p[3] } : { view: 'videos', courseId: p[1] };
  }
  if (p[0] === 'live') {
    if (p[1] === 'compare') return { view: 'compare', ids: (q.get('ids') ?? '').split(',').filter(Boolean) };
    return p[1] ? { view: 'live', sessionId: p[1] } : { view: 'live' };
  }
  if (p[0] === 'my' && p[1]) return { view: 'my-course', courseId: p[1] };
  return { view: 'not-found' };
}

const e = encodeURIComponent;
export const href = {
  home: () => '#/',
  course: (c: string) => `#/courses/${e(c)}`,
  learner: (c: string, u: string) => `#/courses/${e(c)}/learners/${e(u)}`,
  videos: (c: string, item?: string) => `#/courses/${e(c)}/videos${item ? `/${e(item)}` : ''}`,
  live: (s?: string) => `#/live${s ? `/${e(s)}` : ''}`,
  compare: (ids: string[]) => `#/live/compare?ids=${ids.map(e).join(',')}`,
  myCourse: (c: string) => `#/my/${e(c)}`,
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onHash = () => {
      setRoute(parseRoute(window.location.hash));
      window.scrollTo(0, 0);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return route;
}
