import { Empty, Load } from '../components/states.js';
import { href } from '../lib/router.js';
import type { Course, Page } from '../lib/types.js';
import { useApi } from '../lib/use-api.js';

/** An instructor's (or admin's) courses, each opening its overview. */
export function CourseList() {
  const courses = useApi<Page<Course>>('/courses?limit=100');
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Courses</h1>
          <p>The courses you teach. Open one for its learners, videos and live activity.</p>
        </div>
        <a href={href.live()}>Live sessions →</a>
      </div>
      <Load value={courses} what="courses">
        {(page) =>
          page.items.length === 0 ? (
            <Empty>
              No courses yet. Courses appear once the platform sends them (PUT /api/v1/courses/…).
            </Empty>
          ) : (
            <div className="tiles">
              {page.items.map((c) => (
                <article key={c.id} className="card tile" data-testid="course-tile">
                  <h2>
                    <a href={href.course(c.id)}>{c.title}</a>
                  </h2>
                  <p className="crumbs">{c.code ?? c.id}</p>
                  <p className="toolbar">
                    <a href={href.course(c.id)}>Overview</a>
                    <a href={href.videos(c.id)}>Videos</a>
                  </p>
                </article>
              ))}
            </div>
          )
        }
      </Load>
    </>
  );
}
