import type { Static } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../../app.js';
import { feedScope, readFeed } from '../../analytics/feed.js';
import { requireCourseAccess, requireUserAccess } from '../../auth/access.js';
import type { Principal } from '../../auth/principal.js';
import { FeedStream } from '../../feed/stream.js';
import { AppError } from '../../errors/app-error.js';
import type { Queryable } from '../../store/db.js';
import type { FeedFilter } from '../../store/feed/read.js';
import { FeedPageOut, FeedQuery, FeedStreamQuery } from '../feed-schemas.js';

type FilterQuery = Static<typeof FeedStreamQuery>;

/** The filter of a request, after the caller's right to each part of it. */
async function permittedFilter(db: Queryable, principal: Principal, q: FilterQuery): Promise<FeedFilter> {
  if (q.courseId !== undefined) await requireCourseAccess(db, principal, q.courseId, 'learn');
  if (q.userId !== undefined) await requireUserAccess(db, principal, q.userId);
  if (q.since !== undefined && q.until !== undefined && Date.parse(q.since) >= Date.parse(q.until))
    throw new AppError('validation_failed', '`since` must be before `until`');
  return {
    courseId: q.courseId,
    userId: q.userId,
    types: q.types?.split(','),
    since: q.since,
    until: q.until,
  };
}

function lastEventIdOf(header: string | string[] | undefined, query: string | undefined): number | undefined {
  const raw = (Array.isArray(header) ? header[0] : header)?.trim() || query;
  if (raw === undefined || raw === '') return undefined;
  if (!/^[0-9]{1,15}$/.test(raw))
    throw new AppError('validation_failed', 'Last-Event-ID must be a feed item seq');
  return Number(raw);
}

export const feedRoutes =
  (deps: AppDeps): FastifyPluginAsync =>
  async (app) => {
    const { db, feed } = deps;
    const tags = ['feed'];
    const streams = new Set<FeedStream>();

    app.get<{ Querystring: Static<typeof FeedQuery> }>(
      '/feed',
      {
        schema: {
          tags,
          summary: 'Activity feed, newest first',
          description:
            'Learners see their own items; instructors those of the courses they teach and sessions they run; admins and API keys all.',
          querystring: FeedQuery,
          response: { 200: FeedPageOut },
        },
      },
      async (request) => {
        const filter = await permittedFilter(db, request.principal, request.query);
        const scope = await feedScope(db, request.principal);
        return readFeed(db, scope, filter, request.query.limit, request.query.cursor);
      },
    );

    app.get<{ Querystring: FilterQuery }>(
      '/feed/stream',
      {
        config: { tokenInQuery: true },
        schema: {
          tags,
          summary: 'Activity feed as Server-Sent Events',
          description:
            "Events: `item` (a feed item; its id is its seq, so `Last-Event-ID` resumes), `removed` (`{ id, seq, type }`: an item shown before is no longer so, e.g. a completion undone by a raised threshold; its id is the removal's seq), `live_session` (running figures of a live session the caller may see, while live), `ready` (caught up), `resync` (the client fell too far behind: reconnect with Last-Event-ID). A comment line is sent when idle.",
          querystring: FeedStreamQuery,
        },
      },
      async (request, reply) => {
        const filter = await permittedFilter(db, request.principal, request.query);
        const scope = await feedScope(db, request.principal);
        const lastEventId = lastEventIdOf(request.headers['last-event-id'], request.query.lastEventId);
        reply.hijack();
        reply.raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        let stopItems = () => {};
        let stopFigures = () => {};
        const stream = new FeedStream(reply.raw, scope, filter, deps.config.feedMaxBufferBytes, () => {
          stopItems();
          stopFigures();
          streams.delete(stream);
        });
        streams.add(stream);
        // Joined before reading the position: nothing committed in between can slip past.
        stopItems = feed.hub.add(stream);
        stopFigures = feed.live.add((f, session) => stream.figures(f, session));
        await stream.open(db, feed.hub.position, lastEventId).catch((err) => {
          request.log.error({ err }, 'feed stream failed to open');
          stream.end();
        });
      },
    );

    const ping = setInterval(() => {
      for (const s of streams) s.ping();
    }, deps.config.feedPingMs);
    ping.unref();
    // Open streams would hold the server's close forever: end them first (clients reconnect).
    app.addHook('preClose', async () => {
      clearInterval(ping);
      for (const s of [...streams]) s.end();
    });
  };
