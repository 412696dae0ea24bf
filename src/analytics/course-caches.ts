import type { courseAnalytics } from './course.js';
import { CourseCache } from './course-cache.js';
import type { CourseRoster } from './roster.js';

/** The caches of the course views, dropped together. */
export interface CourseCaches {
  rosters: CourseCache<CourseRoster>;
  overviews: CourseCache<Awaited<ReturnType<typeof courseAnalytics>>>;
  invalidate(courseIds: Iterable<string>): void;
  clear(): void;
}

export function createCourseCaches(maxAgeMs: number): CourseCaches {
  const rosters = new CourseCache<CourseRoster>(maxAgeMs);
  const overviews = new CourseCache<Awaited<ReturnType<typeof courseAnalytics>>>(maxAgeMs);
  return {
    rosters,
    overviews,
    invalidate(courseIds) {
      const ids = [...courseIds];
      rosters.invalidate(ids);
      overviews.invalidate(ids);
    },
    clear() {
      rosters.clear();
      overviews.clear();
    },
  };
}
