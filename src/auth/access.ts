import { AppError } from '../errors/app-error.js';
import type { Queryable } from '../store/db.js';
import { courseRelation, requireCourseExists } from '../store/catalog/courses.js';
import { teachesUser } from '../store/catalog/enrollments.js';
import { getLiveSession, isRegistered, type LiveSession } from '../store/catalog/live-sessions.js';
import { isPlatform, type Principal } from './principal.js';

/** What a request may do in a course. */
export type CourseAccess = 'manage' | 'teach' | 'learn';

/**
 * The one course-permission check. `need` is the least access required: `learn` (an enrolled
 * learner reading the course), `teach` (an instructor or TA of it), `manage` (API key or admin).
 * An unknown course is 404 for those who could see it if it existed, and for everyone else too,
 * so that ids cannot be probed; a known course the caller may not use is 403.
 */
export async function requireCourseAccess(
  db: Queryable,
  principal: Principal,
  courseId: string,
  need: CourseAccess,
): Promise<CourseAccess> {
  if (isPlatform(principal)) {
    await requireCourseExists(db, courseId);
    return 'manage';
  }
  if (principal.kind !== 'user') throw new AppError('forbidden');
  const rel = await courseRelation(db, courseId, principal.userId);
  if (!rel.exists) throw new AppError('not_found', `Course ${courseId} not found`);
  const has: CourseAccess | undefined = rel.teaches ? 'teach' : rel.enrolled ? 'learn' : undefined;
  if (has === undefined || need === 'manage' || (need === 'teach' && has !== 'teach')) {
    throw new AppError('forbidden', `You may not ${need === 'learn' ? 'read' : 'manage'} course ${courseId}`);
  }
  return has;
}

/** Writes to the catalog are for the host platform (API key) and admins. */
export function requirePlatform(principal: Principal): void {
  if (!isPlatform(principal))
    throw new AppError('forbidden', 'Only the host platform or an admin may change the catalog');
}

/** A user's profile: themselves, the platform, or someone who teaches them. */
export async function requireUserAccess(db: Queryable, principal: Principal, userId: string): Promise<void> {
  if (isPlatform(principal)) return;
  if (principal.kind === 'user' && principal.userId === userId) return;
  if (
    principal.kind === 'user' &&
    principal.role === 'instructor' &&
    (await teachesUser(db, principal.userId, userId))
  ) {
    return;
  }
  throw new AppError('forbidden');
}

/**
 * A live session is visible to the platform, the instructor running it, the course's teachers,
 * and learners registered for it or enrolled in its course. `teach` is required for rosters.
 */
export async function requireLiveSessionAccess(
  db: Queryable,
  principal: Principal,
  sessionId: string,
  need: 'learn' | 'teach',
): Promise<LiveSession> {
  const session = await getLiveSession(db, sessionId);
  if (!session) throw new AppError('not_found', `Live session ${sessionId} not found`);
  if (isPlatform(principal) || principal.kind !== 'user') return session;
  if (session.instructorId === principal.userId) return session;
  const rel = session.courseId ? await courseRelation(db, session.courseId, principal.userId) : undefined;
  if (rel?.teaches) return session;
  if (need === 'learn' && (rel?.enrolled || (await isRegistered(db, sessionId, principal.userId))))
    return session;
  throw new AppError('forbidden', `You may not access live session ${sessionId}`);
}

/**
 * One learner's own figures in a course (engagement, attempts): that learner, or those who teach
 * the course. Returns whether the caller is the learner.
 */
export async function requireLearnerView(
  db: Queryable,
  principal: Principal,
  courseId: string,
  userId: string,
): Promise<boolean> {
  const self = !isPlatform(principal) && principal.kind === 'user' && principal.userId === userId;
  await requireCourseAccess(db, principal, courseId, self ? 'learn' : 'teach');
  return self;
}
