import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../../app.js';
import { courseAnalytics } from '../../analytics/course.js';
import { studentsCsv } from '../../analytics/csv.js';
import { courseRoster } from '../../analytics/roster.js';
import { STUDENT_SORTS, searchStudents, sortStudents, studentRow } from '../../analytics/students.js';
import { requireCourseAccess, requireLearnerView } from '../../auth/access.js';
import type { Principal } from '../../auth/principal.js';
import { compareUrgency } from '../../domain/engagement/at-risk.js';
import { canonicalTimeZone } from '../../domain/time/local-day.js';
import { AppError, notFound } from '../../errors/app-error.js';
import { type Course, getCourse } from '../../store/catalog/courses.js';
import type { Queryable } from '../../store/db.js';
import { decodeCursor, encodeCursor, MAX_PAGE_SIZE } from '../../store/pagination.js';
import { attemptRows } from '../../analytics/attempts.js';
import { readAttempts } from '../../store/assessments/read.js';
import { isLearnerOf } from '../../store/catalog/enrollments.js';
import {
  AtRiskOut,
  AttemptsOut,
  CourseAnalyticsOut,
  EngagementOut,
  LearnerActivityOut,
  MyCourseProgressOut,
  StudentsPageOut,
} from '../analytics-schemas.js';
import { learnerCourseActivity, myCourseProgress } from '../../analytics/learner.js';
import { getUser } from '../../store/catalog/users.js';
import { Params } from '../schemas.js';

const StudentsQuery = Type.Object(
  {
    sort: Type.Union(
      STUDENT_SORTS.map((s) => Type.Literal(s)),
      { default: 'engagement' },
    ),
    order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'desc' }),
    limit: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 1024 })),
    q: Type.Optional(
      Type.String({ maxLength: 200, description: 'Only learners whose name or id contains this (any case)' }),
    ),
  },
  { additionalProperties: false },
);
const CsvQuery = Type.Pick(StudentsQuery, ['sort', 'order', 'q']);
const TimezoneQuery = Type.Object(
  { timezone: Type.String({ default: 'UTC', maxLength: 64, description: "The viewer's IANA time zone" }) },
  { additionalProperties: false },
);

/** The course, after the caller's permission to teach it (instructors, TAs, platform). */
async function taughtCourse(db: Queryable, principal: Principal, courseId: string): Promise<Course> {
  await requireCourseAccess(db, principal, courseId, 'teach');
  const course = await getCourse(db, courseId);
  if (!course) throw notFound(`Course ${courseId}`);
  return course;
}

function requireEngagement(course: Course): void {
  if (course.settings.engagementTracking === false) {
    throw new AppError('engagement_disabled', `Engagement tracking is turned off for course ${course.id}`);
  }
}

export const analyticsRoutes =
  (deps: AppDeps): FastifyPluginAsync =>
  async (app) => {
    const { db } = deps;
    const tags = ['analytics'];

    app.get<{ Params: Static<typeof Params.course>; Querystring: Static<typeof TimezoneQuery> }>(
      '/courses/:courseId/analytics',
      {
        schema: {
          summary: "A course's overview for its instructors: completion, time, activity trend, item funnel",
          tags,
          params: Params.course,
          querystring: TimezoneQuery,
          response: { 200: CourseAnalyticsOut },
        },
      },
      async (request) => {
        const course = await taughtCourse(db, request.principal, request.params.courseId);
        const timezone = canonicalTimeZone(request.query.timezone);
        if (!timezone)
          throw new AppError('validation_failed', `Unknown time zone "${request.query.timezone}"`);
        const { rosters, overviews } = deps.courseCaches;
        return overviews.get(course.id, `${timezone}\u0000${JSON.stringify(course.settings)}`, async () =>
          courseAnalytics(db, course, await courseRoster(rosters, db, course, deps.now()), timezone),
        );
      },
    );

    app.get<{ Params: Static<typeof Params.course>; Querystring: Static<typeof StudentsQuery> }>(
      '/courses/:courseId/students',
      {
        schema: {
          summary: "The course's learners with engagement, progress and risk; sortable, paginated",
          tags,
          params: Params.course,
          querystring: StudentsQuery,
          response: { 200: StudentsPageOut },
        },
      },
      async (request) => {
        const course = await taughtCourse(db, request.principal, request.params.courseId);
        requireEngagement(course);
        const { sort, order, limit, cursor, q } = request.query;
        const offset = Number(decodeCursor(cursor, ['int'])?.[0] ?? 0);
        const roster = await courseRoster(deps.courseCaches.rosters, db, course, deps.now());
        const sorted = sortStudents(searchStudents(roster.learners, q), sort, order);
        const page = sorted.slice(offset, offset + limit);
        return {
          items: page.map(studentRow),
          total: sorted.length,
          nextCursor: offset + limit < sorted.length ? encodeCursor([offset + limit]) : null,
        };
      },
    );

    app.get<{ Params: Static<typeof Params.course>; Querystring: Static<typeof CsvQuery> }>(
      '/courses/:courseId/students.csv',
      {
        schema: {
          summary: 'The engagement table as CSV (UTF-8 with BOM, RFC 4180)',
          tags,
          params: Params.course,
          querystring: CsvQuery,
        },
      },
      async (request, reply) => {
        const course = await taughtCourse(db, request.principal, request.params.courseId);
        requireEngagement(course);
        const roster = await courseRoster(deps.courseCaches.rosters, db, course, deps.now());
        const csv = studentsCsv(
          sortStudents(
            searchStudents(roster.learners, request.query.q),
            request.query.sort,
            request.query.order,
          ),
        );
        const name = `${course.id.replace(/[^\w.-]+/g, '_')}-students.csv`;
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}"`)
          .send(csv);
      },
    );

    app.get<{ Params: Static<typeof Params.enrollment> }>(
      '/courses/:courseId/students/:userId/engagement',
      {
        schema: {
          summary: "One learner's engagement in a course: for that learner and the course's instructors",
          tags,
          params: Params.enrollment,
          response: { 200: EngagementOut },
        },
      },
      async (request) => {
        const { courseId, userId } = request.params;
        await requireLearnerView(db, request.principal, courseId, userId);
        const course = await getCourse(db, courseId);
        if (!course) throw notFound(`Course ${courseId}`);
        requireEngagement(course);
        const roster = await courseRoster(deps.courseCaches.rosters, db, course, deps.now());
        const learner = roster.learners.find((l) => l.userId === userId);
        if (!learner) throw notFound(`Learner ${userId} in course ${courseId}`);
        return {
          ...studentRow(learner),
          courseId,
          asOf: roster.asOf.toISOString(),
          scoreComponents: learner.engagement.components,
          weights: course.settings.engagementWeights,
        };
      },
    );

    /** A learner of the course, as its instructors (or the learner) may see them; 404 for anyone else. */
    const viewedLearner = async (principal: Principal, courseId: string, userId: string) => {
      const self = await requireLearnerView(db, principal, courseId, userId);
      if (!self && !(await isLearnerOf(db, courseId, userId))) {
        throw notFound(`Learner ${userId} in course ${courseId}`);
      }
    };

    app.get<{ Params: Static<typeof Params.enrollment> }>(
      '/courses/:courseId/students/:userId/attempts',
      {
        schema: {
          summary:
            "A learner's assessment attempts in a course, numbered: for that learner and the course's instructors",
          tags,
          params: Params.enrollment,
          response: { 200: AttemptsOut },
        },
      },
      async (request) => {
        const { courseId, userId } = request.params;
        await viewedLearner(request.principal, courseId, userId);
        return { courseId, userId, items: attemptRows(await readAttempts(db, userId, courseId)) };
      },
    );

    app.get<{ Params: Static<typeof Params.enrollment> }>(
      '/courses/:courseId/students/:userId/progress',
      {
        schema: {
          summary:
            "A learner's progress in a course, item by item (as GET /me/courses/{id}/progress gives it to them)",
          tags,
          params: Params.enrollment,
          response: { 200: MyCourseProgressOut },
        },
      },
      async (request) => {
        const { courseId, userId } = request.params;
        await viewedLearner(request.principal, courseId, userId);
        const progress = await myCourseProgress(db, userId, courseId, deps.now());
        if (!progress) throw notFound(`Learner ${userId} in course ${courseId}`);
        return progress;
      },
    );

    app.get<{ Params: Static<typeof Params.enrollment> }>(
      '/courses/:courseId/students/:userId/activity',
      {
        schema: {
          summary: "A learner's last 28 local days in a course: time on task, visits, items completed",
          tags,
          params: Params.enrollment,
          response: { 200: LearnerActivityOut },
        },
      },
      async (request) => {
        const { courseId, userId } = request.params;
        await viewedLearner(request.principal, courseId, userId);
        const timezone = (await getUser(db, userId))?.timezone ?? 'UTC';
        return learnerCourseActivity(db, userId, courseId, timezone, deps.now());
      },
    );

    app.get<{ Params: Static<typeof Params.course> }>(
      '/courses/:courseId/at-risk',
      {
        schema: {
          summary: 'Learners at risk, most urgent first, each with reasons in plain words',
          tags,
          params: Params.course,
          response: { 200: AtRiskOut },
        },
      },
      async (request) => {
        const course = await taughtCourse(db, request.principal, request.params.courseId);
        requireEngagement(course);
        const roster = await courseRoster(deps.courseCaches.rosters, db, course, deps.now());
        const s = course.settings;
        return {
          courseId: course.id,
          asOf: roster.asOf.toISOString(),
          medianProgressPercent: roster.medianProgress,
          rules: {
            atRiskInactivityDays: s.atRiskInactivityDays,
            atRiskProgressGap: s.atRiskProgressGap,
            atRiskFailedAttempts: s.atRiskFailedAttempts,
            atRiskActivityDrop: s.atRiskActivityDrop,
          },
          items: roster.learners
            .filter((l) => l.risk.level !== 'none')
            .sort(compareUrgency)
            .map((l) => ({
              userId: l.userId,
              displayName: l.displayName,
              riskLevel: l.risk.level,
              reasons: l.risk.reasons,
              inactiveDays: l.risk.inactiveDays,
              progressPercent: l.progressPercent,
              lastActivityAt: l.lastActivityAt,
            })),
        };
      },
    );
  };
