import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../../app.js';
import { courseVideos, videoAnalytics, viewerDetail } from '../../analytics/video.js';
import { requireCourseAccess, requireLearnerView } from '../../auth/access.js';
import { isLearnerOf } from '../../store/catalog/enrollments.js';
import { HostId } from '../../domain/events/schema.js';
import { AppError, notFound } from '../../errors/app-error.js';
import { readViewing } from '../../store/video/read.js';
import { viewingSummary } from '../../domain/video/viewing.js';
import { learnerEvents, learnerOf, OnBehalf } from '../learner-events.js';
import { Params } from '../schemas.js';
import { HeartbeatBody, HeartbeatOut, VideoAnalyticsOut, VideoListOut, ViewerOut } from '../video-schemas.js';

const VideoParams = Type.Object({ courseId: HostId, itemId: HostId });
const ViewerParams = Type.Object({ courseId: HostId, itemId: HostId, userId: HostId });
const Day = Type.String({ format: 'date', description: 'YYYY-MM-DD (UTC day a watch session started)' });
const AnalyticsQuery = Type.Object(
  {
    from: Type.Optional(Day),
    to: Type.Optional(Day),
    resolution: Type.Union([Type.Literal('auto'), Type.Literal('full')], {
      default: 'auto',
      description: 'auto: at most 500 curve points; full: one per second',
    }),
  },
  { additionalProperties: false },
);
const Heartbeat = Type.Composite([HeartbeatBody, Type.Object(OnBehalf)], { additionalProperties: false });

export const videoRoutes =
  (deps: AppDeps): FastifyPluginAsync =>
  async (app) => {
    const { db } = deps;
    const tags = ['videos'];
    const { itemFor, record, eventFields } = learnerEvents(deps);

    app.get<{ Params: Static<typeof Params.course> }>(
      '/courses/:courseId/videos',
      {
        schema: {
          summary: "A course's videos with their headline figures",
          tags,
          params: Params.course,
          response: { 200: VideoListOut },
        },
      },
      async (request) => {
        await requireCourseAccess(db, request.principal, request.params.courseId, 'teach');
        return { videos: await courseVideos(db, request.params.courseId) };
      },
    );

    app.get<{ Params: Static<typeof VideoParams>; Querystring: Static<typeof AnalyticsQuery> }>(
      '/courses/:courseId/videos/:itemId/analytics',
      {
        schema: {
          summary:
            'A video: viewers, watch time, retention and rewatch curves, exits, skips and drop-off points',
          tags,
          params: VideoParams,
          querystring: AnalyticsQuery,
          response: { 200: VideoAnalyticsOut },
        },
      },
      async (request) => {
        const { courseId, itemId } = request.params;
        await requireCourseAccess(db, request.principal, courseId, 'teach');
        const { from, to, resolution } = request.query;
        if (from !== undefined && to !== undefined && from > to) {
          throw new AppError('validation_failed', 'from must not be after to');
        }
        const report = await videoAnalytics(db, courseId, itemId, { from, to }, resolution === 'full');
        if (!report) throw notFound(`Video ${itemId} in course ${courseId}`);
        return report;
      },
    );

    app.get<{ Params: Static<typeof ViewerParams> }>(
      '/courses/:courseId/videos/:itemId/viewers/:userId',
      {
        schema: {
          summary:
            "One learner's viewing of a video, session by session: for that learner and the course's instructors",
          tags,
          params: ViewerParams,
          response: { 200: ViewerOut },
        },
      },
      async (request) => {
        const { courseId, itemId, userId } = request.params;
        const self = await requireLearnerView(db, request.principal, courseId, userId);
        // Instructors see the course's learners only, never someone else's viewing.
        if (!self && !(await isLearnerOf(db, courseId, userId))) {
          throw notFound(`Learner ${userId} in course ${courseId}`);
        }
        const detail = await viewerDetail(db, courseId, itemId, userId);
        if (!detail) throw notFound(`Video ${itemId} in course ${courseId}`);
        return detail;
      },
    );

    app.post<{ Params: { itemId: string }; Body: Static<typeof Heartbeat> }>(
      '/videos/:itemId/heartbeat',
      {
        schema: {
          summary: 'A video heartbeat from a player that does not batch (stored as a video_heartbeat event)',
          tags,
          params: Type.Object({ itemId: HostId }),
          body: Heartbeat,
          response: { 200: HeartbeatOut },
        },
      },
      async (request) => {
        const userId = learnerOf(request.principal, request.body.userId);
        const item = await itemFor(request.principal, request.params.itemId);
        if (item.type !== 'video') throw new AppError('not_a_video', `Item ${item.id} is a ${item.type}`);
        const { positionSec, durationSec, segments, playbackRate, ended } = request.body;
        const fields = eventFields(request.body);
        const result = await record(request.principal, {
          ...fields,
          type: 'video_heartbeat',
          userId,
          courseId: item.courseId,
          itemId: item.id,
          data: {
            positionSec,
            durationSec,
            ...(segments !== undefined ? { segments } : {}),
            ...(playbackRate !== undefined ? { playbackRate } : {}),
            ...(ended !== undefined ? { ended } : {}),
          },
        });
        const viewing = await readViewing(db, item.id, userId);
        const at = Date.parse(fields.occurredAt);
        const session =
          viewing?.sessions.find((s) => s.startAt <= at && at <= s.lastAt) ?? viewing?.sessions.at(-1);
        if (!viewing || !session)
          throw new Error(`heartbeat ${fields.id} was stored but its viewing is missing`);
        return {
          watchSessionId: session.id,
          sessionNumber: session.number,
          maxPositionSec: session.maxPositionSec,
          completed: viewing.completedAt !== null,
          watchedPercent: viewingSummary(viewing).watchedPct,
          clippedSec: session.clippedSec,
          duplicate: result.duplicates > 0,
        };
      },
    );
  };
