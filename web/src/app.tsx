import { type ReactElement, useMemo, useState } from 'react';
import { href, type Route, useRoute } from './lib/router.js';
import { forgetToken, saveToken, seesTeaching, type Session, storedSession } from './lib/session.js';
import { SessionContext, type SessionState } from './lib/session-context.js';
import { Empty } from './components/states.js';
import { SignIn } from './views/sign-in.js';
import { CourseList } from './views/course-list.js';
import { CourseOverview } from './views/course-overview.js';
import { LearnerDetail } from './views/learner-detail.js';
import { Videos } from './views/videos.js';
import { LiveSessions } from './views/live-sessions.js';
import { LiveSession } from './views/live-session.js';
import { LiveCompare } from './views/live-compare.js';
import { LearnerHome } from './views/learner-home.js';
import { MyCourse } from './views/my-course.js';

const roleName: Record<Session['role'], string> = {
  platform: 'API key',
  admin: 'Admin',
  instructor: 'Instructor',
  student: 'Learner',
};

function Forbidden() {
  return (
    <div className="state state-error" role="alert" data-testid="forbidden">
      <strong>Not allowed</strong>
      <p>This view is for instructors and admins. Your token is a learner’s.</p>
      <a href={href.home()}>Go to my learning</a>
    </div>
  );
}

function View({ route, session }: { route: Route; session: Session }) {
  const teaching = seesTeaching(session);
  const teacherOnly = (node: ReactElement) => (teaching ? node : <Forbidden />);
  switch (route.view) {
    case 'home':
      return teaching ? <CourseList /> : <LearnerHome />;
    case 'course':
      return teacherOnly(<CourseOverview courseId={route.courseId} />);
    case 'learner':
      return teacherOnly(<LearnerDetail courseId={route.courseId} userId={route.userId} />);
    case 'videos':
      return teacherOnly(<Videos courseId={route.courseId} itemId={route.itemId} />);
    case 'live':
      return teacherOnly(route.sessionId ? <LiveSession sessionId={route.sessionId} /> : <LiveSessions />);
    case 'compare':
      return teacherOnly(<LiveCompare ids={route.ids} />);
    case 'my-course':
      return <MyCourse courseId={route.courseId} />;
    default:
      return (
        <Empty>
          There is no such page. <a href={href.home()}>Back to the start</a>
        </Empty>
      );
  }
}

export function App() {
  const [session, setSession] = useState<Session | null>(storedSession);
  const route = useRoute();
  const state = useMemo<SessionState>(
    () => ({
      session,
      signIn: (token) => setSession(saveToken(token.trim())),
      signOut: () => {
        forgetToken();
        setSession(null);
      },
    }),
    [session],
  );
  return (
    <SessionContext.Provider value={state}>
      <header className="topbar">
        <a className="brand" href={href.home()}>
          <span className="brand-mark" aria-hidden="true">
            ◠
          </span>{' '}
          learnpulse
        </a>
        {session && (
          <nav aria-label="Main">
            {seesTeaching(session) ? (
              <>
                <a href={href.home()}>Courses</a>
                <a href={href.live()}>Live sessions</a>
              </>
            ) : (
              <a href={href.home()}>My learning</a>
            )}
          </nav>
        )}
        {session && (
          <div className="who">
            <span className="role" data-testid="role">
              {roleName[session.role]}
              {session.name ? ` · ${session.name}` : session.userId ? ` · ${session.userId}` : ''}
            </span>
            <button type="button" className="link" onClick={state.signOut}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main className="page">{session ? <View route={route} session={session} /> : <SignIn />}</main>
    </SessionContext.Provider>
  );
}
