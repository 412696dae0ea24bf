import { type Static, Type } from '@sinclair/typebox';
import { HostId } from '../../domain/events/schema.js';
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../../app.js';
import { requireLiveSessionAccess, requirePlatform } from '../../auth/access.js';
import { isPlatform } from '../../auth/principal.js';
import { LiveSessionInput } from '../../domain/catalog/schemas.js';
import { saveLiveSession } from '../../catalog/live-sessions.js';
import { isSupportedInstant } from '../../domain/time/range.js';
import { AppError, notFound } from '../../errors/app-error.js';
import {
  getRegistration,
  listLiveSessions,
  listRegistrations,
  upsertRegistration,
} from '../../store/catalog/live-sessions.js';
import { LiveSessionOut, PageOf, PageQuery, Params, RegistrationOut } from '../schemas.js';

const ListQuery = Type.Composite(
  [
    PageQuery,
    Type.Object({
      instructorId: Type.Optional(HostId),
      from: Type.Optional(
        Type.String({ format: 'date-time', description: 'Scheduled to start at or after' }),
      ),
      to: Type.Optional(Type.String({ format: 'date-time', description: 'Scheduled to start before' })),
    }),
  ],
  { additionalProperties: false },
);

export const liveSessionRoutes =
  (deps: AppDeps): FastifyPluginAsync =>
  async (app) => {
    const { db } = deps;
    const tags = ['catalog'];

    app.put<{ Params: Static<typeof Params.session>; Body: LiveSessionInput }>(
      '/live-sessions/:sessionId',
      {
        schema: {
          summary: 'Create or update a live session',
          tags,
          params: Params.session,
          body: LiveSessionInput,
          response: { 200: LiveSessionOut },
        },
      },
      async (request) => {
        requirePlatform(request.principal);
        const start = Date.parse(request.body.scheduledStart);
        const end = Date.parse(request.body.scheduledEnd);
        if (!isSupportedInstant(start) || !isSupportedInstant(end)) {
          throw new AppError(
            'validation_failed',
            'scheduledStart and scheduledEnd must be between 1900 and 9999',
          );
        }
        if (end < start) {
          throw new AppError('validation_failed', 'scheduledEnd is before scheduledStart');
        }
        return saveLiveSession(db, request.params.sessionId, request.body);
      },
    );

    app.get<{ Params: Static<typeof Params.session> }>(
      '/live-sessions/:sessionId',
      {
        schema: {
          summary: 'A live session',
          tags,
          params: Params.session,
          response: { 200: LiveSessionOut },
        },
      },
      async (request) => requireLiveSessionAccess(db, request.principal, request.params.sessionId, 'learn'),
    );

    app.get<{ Querystring: Static<typeof ListQuery> }>(
      '/live-sessions',
      {
        schema: {
          summary:
            'Live sessions the caller may see, newest first (optionally one instructor’s, in a time range)',
          tags,
          querystring: ListQuery,
          response: { 200: PageOf(LiveSessionOut) },
        },
      },
      async (request) => {
        const p = request.principal;
        const viewer = isPlatform(p) || p.kind !== 'user' ? undefined : p.userId;
        const { limit, cursor, instructorId, from, to } = request.query;
        return listLiveSessions(db, viewer, limit, cursor, { instructorId, from, to });
      },
    );

    app.put<{ Params: Static<typeof Params.registration> }>(
      '/live-sessions/:sessionId/registrations/:userId',
      {
        schema: {
          summary: 'Register a user for a live session',
          tags,
          params: Params.registration,
          response: { 200: RegistrationOut },
        },
      },
      async (request) => {
        requirePlatform(request.principal);
        await requireLiveSessionAccess(db, request.principal, request.params.sessionId, 'teach');
        return upsertRegistration(db, request.params.sessionId, request.params.userId);
      },
    );

    app.get<{ Params: Static<typeof Params.registration> }>(
      '/live-sessions/:sessionId/registrations/:userId',
      {
        schema: {
          summary: 'One registration (the learner themselves or the session staff)',
          tags,
          params: Params.registration,
          response: { 200: RegistrationOut },
        },
      },
      async (request) => {
        const { sessionId, userId } = request.params;
        const p = request.principal;
        const self = p.kind === 'user' && p.userId === userId;
        await requireLiveSessionAccess(db, p, sessionId, self ? 'learn' : 'teach');
        const registration = await getRegistration(db, sessionId, userId);
        if (!registration) throw notFound(`Registration of ${userId} for ${sessionId}`);
        return registration;
      },
    );

    app.get<{ Params: Static<typeof Params.session>; Querystring: Static<typeof PageQuery> }>(
      '/live-sessions/:sessionId/registrations',
      {
        schema: {
          summary: 'Who registered (session staff)',
          tags,
          params: Params.session,
          querystring: PageQuery,
          response: { 200: PageOf(RegistrationOut) },
        },
      },
      async (request) => {
        await requireLiveSessionAccess(db, request.principal, request.params.sessionId, 'teach');
        return listRegistrations(db, request.params.sessionId, request.query.limit, request.query.cursor);
      },
    );
  };
