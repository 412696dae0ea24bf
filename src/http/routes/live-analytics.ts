import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../../app.js';
import { attendanceCsv } from '../../analytics/csv.js';
import {
  compareSessions,
  instructorOverview,
  liveSessionAnalytics,
  liveSessionAttendance,
} from '../../analytics/live.js';
import { requireLiveSessionAccess } from '../../auth/access.js';
import { isPlatform } from '../../auth/principal.js';
import { HostId } from '../../domain/events/schema.js';
import { DEFAULT_GRACE_MIN } from '../../domain/live/report.js';
import { AppError } from '../../errors/app-error.js';
import {
  CompareBody,
  CompareOut,
  LiveAnalyticsOut,
  LiveAttendanceOut,
  OverviewOut,
} from '../live-schemas.js';
import { Params } from '../schemas.js';

const GraceQuery = Type.Object(
  {
    graceMin: Type.Number({
      minimum: 0,
      maximum: 1440,
      default: DEFAULT_GRACE_MIN,
      description: 'Minutes after the scheduled start that still count as on time',
    }),
  },
  { additionalProperties: false },
);
const OverviewQuery = Type.Object(
  {
    instructorId: Type.Optional(HostId),
    from: Type.Optional(
      Type.String({ format: 'date-time', description: 'Sessions scheduled to start at or after' }),
    ),
    to: Type.Optional(
      Type.String({ format: 'date-time', description: 'Sessions scheduled to start before' }),
    ),
  },
  { additionalProperties: false },
);

export const liveAnalyticsRoutes =
  (deps: AppDeps): FastifyPluginAsync =>
  async (app) => {
    const { db } = deps;
    const tags = ['live sessions'];
    // Session staff only: the instructor running it, the course's teachers, admins, the platform.
    const staffSession = (principal: Parameters<typeof requireLiveSessionAccess>[1], id: string) =>
      requireLiveSessionAccess(db, principal, id, 'teach');

    app.get<{ Params: Static<typeof Params.session>; Querystring: Static<typeof GraceQuery> }>(
      '/live-sessions/:sessionId/analytics',
      {
        schema: {
          summary:
            'A live session: attendance, concurrency, engagement, feedback, recording and score (live while it runs)',
          tags,
          params: Params.session,
          querystring: GraceQuery,
          response: { 200: LiveAnalyticsOut },
        },
      },
      async (request) => {
        const session = await staffSession(request.principal, request.params.sessionId);
        return liveSessionAnalytics(db, session, deps.now(), request.query.graceMin);
      },
    );

    app.get<{ Params: Static<typeof Params.session>; Querystring: Static<typeof GraceQuery> }>(
      '/live-sessions/:sessionId/attendance',
      {
        schema: {
          summary:
            'Who registered and who attended, with times, minutes, chat, reactions, feedback and recording',
          tags,
          params: Params.session,
          querystring: GraceQuery,
          response: { 200: LiveAttendanceOut },
        },
      },
      async (request) => {
        const session = await staffSession(request.principal, request.params.sessionId);
        return liveSessionAttendance(db, session, deps.now(), request.query.graceMin);
      },
    );

    app.get<{ Params: Static<typeof Params.session>; Querystring: Static<typeof GraceQuery> }>(
      '/live-sessions/:sessionId/attendance.csv',
      {
        schema: {
          summary: 'The attendance list as CSV (UTF-8 with BOM, RFC 4180)',
          tags,
          params: Params.session,
          querystring: GraceQuery,
          produces: ['text/csv'],
        },
      },
      async (request, reply) => {
        const session = await staffSession(request.principal, request.params.sessionId);
        const now = deps.now();
        const { attendees } = await liveSessionAttendance(db, session, now, request.query.graceMin);
        const safeId = session.id.replace(/[^A-Za-z0-9._-]/g, '_');
        const name = `session-${safeId}-attendance-${now.toISOString().slice(0, 10)}.csv`;
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}"`)
          .send(attendanceCsv(attendees));
      },
    );

    app.post<{ Body: Static<typeof CompareBody> }>(
      '/live-sessions/compare',
      {
        schema: {
          summary: '2–10 sessions side by side in time order, with averages and the trend of each figure',
          tags,
          body: CompareBody,
          response: { 200: CompareOut },
        },
      },
      async (request) => {
        const sessions = [];
        for (const id of request.body.sessionIds) sessions.push(await staffSession(request.principal, id));
        return compareSessions(db, sessions, deps.now());
      },
    );

    app.get<{ Querystring: Static<typeof OverviewQuery> }>(
      '/live-sessions/overview',
      {
        schema: {
          summary: "An instructor's sessions: how many ran, average attendance and engagement, the latest",
          tags,
          querystring: OverviewQuery,
          response: { 200: OverviewOut },
        },
      },
      async (request) => {
        const p = request.principal;
        const instructorId = request.query.instructorId ?? (p.kind === 'user' ? p.userId : undefined);
        if (instructorId === undefined) throw new AppError('validation_failed', 'instructorId is required');
        if (!isPlatform(p) && (p.kind !== 'user' || p.userId !== instructorId || p.role === 'student')) {
          throw new AppError('forbidden', 'Instructors see their own sessions');
        }
        const { from, to } = request.query;
        return instructorOverview(db, instructorId, { from: from ?? null, to: to ?? null }, deps.now());
      },
    );
  };
