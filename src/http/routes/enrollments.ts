import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../../app.js';
import { requireCourseAccess, requirePlatform } from '../../auth/access.js';
import { assertUniqueIds, bulkOf, EnrollmentInput } from '../../domain/catalog/schemas.js';
import { notFound } from '../../errors/app-error.js';
import { requireCourseExists } from '../../store/catalog/courses.js';
import {
  deleteEnrollment,
  getEnrollment,
  listEnrollments,
  upsertEnrollments,
} from '../../store/catalog/enrollments.js';
import { retryingTransaction } from '../../store/db.js';
import { BulkResult, EnrollmentOut, PageOf, PageQuery, Params } from '../schemas.js';

const BulkEnrollments = bulkOf(EnrollmentInput, 'userId');

export const enrollmentRoutes =
  (deps: AppDeps): FastifyPluginAsync =>
  async (app) => {
    const { db } = deps;
    const tags = ['catalog'];

    app.put<{ Params: Static<typeof Params.enrollment>; Body: EnrollmentInput }>(
      '/courses/:courseId/enrollments/:userId',
      {
        schema: {
          summary: 'Enroll a user (or change the enrollment)',
          tags,
          params: Params.enrollment,
          body: EnrollmentInput,
          response: { 200: EnrollmentOut },
        },
      },
      async (request) => {
        requirePlatform(request.principal);
        const { courseId, userId } = request.params;
        await requireCourseExists(db, courseId);
        const [e] = await retryingTransaction(db, (tx) =>
          upsertEnrollments(tx, courseId, [{ ...request.body, userId }]),
        );
        return e;
      },
    );

    app.put<{ Params: Static<typeof Params.course>; Body: Static<typeof BulkEnrollments> }>(
      '/courses/:courseId/enrollments',
      {
        bodyLimit: 16 * 1024 * 1024,
        schema: {
          summary: 'Enroll many users',
          tags,
          params: Params.course,
          body: BulkEnrollments,
          response: { 200: BulkResult },
        },
      },
      async (request) => {
        requirePlatform(request.principal);
        assertUniqueIds(request.body.items, 'userId');
        await requireCourseExists(db, request.params.courseId);
        const saved = await retryingTransaction(db, (tx) =>
          upsertEnrollments(tx, request.params.courseId, request.body.items),
        );
        return { upserted: saved.length };
      },
    );

    app.delete<{ Params: Static<typeof Params.enrollment> }>(
      '/courses/:courseId/enrollments/:userId',
      {
        schema: {
          summary: 'Remove an enrollment',
          tags,
          params: Params.enrollment,
          response: { 204: Type.Null() },
        },
      },
      async (request, reply) => {
        requirePlatform(request.principal);
        const { courseId, userId } = request.params;
        if (!(await deleteEnrollment(db, courseId, userId)))
          throw notFound(`Enrollment of ${userId} in ${courseId}`);
        return reply.status(204).send();
      },
    );

    app.get<{ Params: Static<typeof Params.enrollment> }>(
      '/courses/:courseId/enrollments/:userId',
      {
        schema: {
          summary: 'One enrollment (the learner themselves or the course staff)',
          tags,
          params: Params.enrollment,
          response: { 200: EnrollmentOut },
        },
      },
      async (request) => {
        const { courseId, userId } = request.params;
        const p = request.principal;
        const self = p.kind === 'user' && p.userId === userId;
        await requireCourseAccess(db, p, courseId, self ? 'learn' : 'teach');
        const e = await getEnrollment(db, courseId, userId);
        if (!e) throw notFound(`Enrollment of ${userId} in ${courseId}`);
        return e;
      },
    );

    app.get<{ Params: Static<typeof Params.course>; Querystring: Static<typeof PageQuery> }>(
      '/courses/:courseId/enrollments',
      {
        schema: {
          summary: "A course's roster (course staff)",
          tags,
          params: Params.course,
          querystring: PageQuery,
          response: { 200: PageOf(EnrollmentOut) },
        },
      },
      async (request) => {
        await requireCourseAccess(db, request.principal, request.params.courseId, 'teach');
        return listEnrollments(db, request.params.courseId, request.query.limit, request.query.cursor);
      },
    );
  };
