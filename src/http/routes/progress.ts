import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../../app.js';
import { myCourseProgress, myCourses, myStats } from '../../analytics/learner.js';
import type { Principal } from '../../auth/principal.js';
import { HostId } from '../../domain/events/schema.js';
import { AppError, notFound } from '../../errors/app-error.js';
import { learnerEvents, learnerOf, OnBehalf } from '../learner-events.js';
import { getUser } from '../../store/catalog/users.js';
import { saveOwnTimeZone } from '../../catalog/users.js';
import { UserOut } from '../schemas.js';
import { quizGateClosed } from '../../store/catalog/policies.js';
import { readItemProgress } from '../../store/progress/read.js';
import {
  CompletionOut,
  MyCourseProgressOut,
  MyCoursesOut,
  MyStatsOut,
  ProgressOut,
} from '../analytics-schemas.js';

const ItemParams = Type.Object({ itemId: HostId });
const CompleteBody = Type.Object(OnBehalf, { additionalProperties: false });
const ProgressBody = Type.Object(
  {
    watchPercentage: Type.Number({ minimum: 0, maximum: 100 }),
    positionSec: Type.Optional(Type.Number({ minimum: 0, maximum: 1e7 })),
    ...OnBehalf,
  },
  { additionalProperties: false },
);

const TimeZoneBody = Type.Object(
  {
    timezone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Paris' }),
  },
  { additionalProperties: false },
);

const statusOf = (p: { completed_at: Date | null } | undefined) =>
  p?.completed_at ? 'completed' : p ? 'in_progress' : 'not_started';

/** The caller as a learner: "me" views need a user token. */
function me(principal: Principal): string {
  if (principal.kind !== 'user') throw new AppError('not_a_learner');
  return principal.userId;
}

export const progressRoutes =
  (deps: AppDeps): FastifyPluginAsync =>
  async (app) => {
    const { db } = deps;
    const tags = ['progress'];

    const { itemFor, record, eventFields } = learnerEvents(deps);

    app.post<{ Params: Static<typeof ItemParams>; Body: Static<typeof CompleteBody> }>(
      '/items/:itemId/complete',
      {
        schema: {
          summary:
            'Mark an item completed by hand (refused with quiz_required until its required quiz is passed)',
          tags,
          params: ItemParams,
          body: CompleteBody,
          response: { 200: CompletionOut },
        },
      },
      async (request) => {
        const userId = learnerOf(request.principal, request.body.userId);
        const item = await itemFor(request.principal, request.params.itemId);
        if (item.requiredQuizId) {
          const closed = await quizGateClosed(db, [{ userId, itemId: item.id }]);
          if (closed.length > 0) {
            throw new AppError(
              'quiz_required',
              `Pass quiz ${item.requiredQuizId} before completing ${item.id}`,
              {
                quizItemId: item.requiredQuizId,
              },
            );
          }
        }
        const result = await record(request.principal, {
          ...eventFields(request.body),
          type: 'lesson_complete',
          userId,
          courseId: item.courseId,
          itemId: item.id,
        });
        const p = await readItemProgress(db, userId, item.id);
        return {
          itemId: item.id,
          userId,
          status: statusOf(p),
          completed: p?.completed_at != null,
          completedAt: p?.completed_at?.toISOString() ?? null,
          duplicate: result.duplicates > 0,
        };
      },
    );

    app.post<{ Params: Static<typeof ItemParams>; Body: Static<typeof ProgressBody> }>(
      '/items/:itemId/progress',
      {
        schema: {
          summary: 'Report progress on an item (stored as a lesson_progress event)',
          tags,
          params: ItemParams,
          body: ProgressBody,
          response: { 200: ProgressOut },
        },
      },
      async (request) => {
        const userId = learnerOf(request.principal, request.body.userId);
        const item = await itemFor(request.principal, request.params.itemId);
        const { watchPercentage, positionSec } = request.body;
        await record(request.principal, {
          ...eventFields(request.body),
          type: 'lesson_progress',
          userId,
          courseId: item.courseId,
          itemId: item.id,
          value: watchPercentage,
          data: positionSec === undefined ? {} : { positionSec },
        });
        const p = await readItemProgress(db, userId, item.id);
        return {
          status: statusOf(p),
          completed: p?.completed_at != null,
          watchPercentage: p?.progress_pct ?? 0,
        };
      },
    );

    app.get(
      '/me/courses',
      {
        schema: {
          summary: "The caller's courses with progress, last activity first",
          tags,
          response: { 200: MyCoursesOut },
        },
      },
      async (request) => myCourses(db, me(request.principal), deps.now()),
    );

    app.get<{ Params: { courseId: string } }>(
      '/me/courses/:courseId/progress',
      {
        schema: {
          summary: "The caller's progress in a course, item by item, with resume positions",
          tags,
          params: Type.Object({ courseId: HostId }),
          response: { 200: MyCourseProgressOut },
        },
      },
      async (request) => {
        const progress = await myCourseProgress(
          db,
          me(request.principal),
          request.params.courseId,
          deps.now(),
        );
        if (!progress) throw notFound(`Course ${request.params.courseId} among your courses`);
        return progress;
      },
    );

    app.put<{ Body: Static<typeof TimeZoneBody> }>(
      '/me/timezone',
      {
        schema: {
          summary:
            "Sets the caller's own time zone (the tracker's userTimezone); the platform's PUT /users/{id} replaces it",
          tags,
          body: TimeZoneBody,
          response: { 200: UserOut },
        },
      },
      async (request) => saveOwnTimeZone(db, deps.projections, me(request.principal), request.body.timezone),
    );

    app.get(
      '/me/stats',
      {
        schema: {
          summary: "The caller's totals, streaks, recent days and standing against course averages",
          tags,
          response: { 200: MyStatsOut },
        },
      },
      async (request) => {
        const userId = me(request.principal);
        const timezone = (await getUser(db, userId))?.timezone ?? 'UTC';
        return myStats(db, userId, timezone, deps.now());
      },
    );
  };
