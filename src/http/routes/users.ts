import type { Static } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../../app.js';
import { requirePlatform, requireUserAccess } from '../../auth/access.js';
import { saveUsers } from '../../catalog/users.js';
import { assertUniqueIds, bulkOf, UserInput } from '../../domain/catalog/schemas.js';
import { notFound } from '../../errors/app-error.js';
import { getUser, listUsers } from '../../store/catalog/users.js';
import { BulkResult, PageOf, PageQuery, Params, UserOut } from '../schemas.js';

const BulkUsers = bulkOf(UserInput, 'id');

export const userRoutes =
  (deps: AppDeps): FastifyPluginAsync =>
  async (app) => {
    const { db } = deps;
    const tags = ['catalog'];

    app.put<{ Params: Static<typeof Params.user>; Body: UserInput }>(
      '/users/:userId',
      {
        schema: {
          summary: 'Create or update a user',
          tags,
          params: Params.user,
          body: UserInput,
          response: { 200: UserOut },
        },
      },
      async (request) => {
        requirePlatform(request.principal);
        const [user] = await saveUsers(db, deps.projections, [
          { ...request.body, id: request.params.userId },
        ]);
        return user;
      },
    );

    app.put<{ Body: Static<typeof BulkUsers> }>(
      '/users',
      {
        bodyLimit: 16 * 1024 * 1024,
        schema: {
          summary: 'Create or update many users',
          tags,
          body: BulkUsers,
          response: { 200: BulkResult },
        },
      },
      async (request) => {
        requirePlatform(request.principal);
        assertUniqueIds(request.body.items, 'id');
        const saved = await saveUsers(db, deps.projections, request.body.items);
        return { upserted: saved.length };
      },
    );

    app.get<{ Params: Static<typeof Params.user> }>(
      '/users/:userId',
      { schema: { summary: 'A user', tags, params: Params.user, response: { 200: UserOut } } },
      async (request) => {
        await requireUserAccess(db, request.principal, request.params.userId);
        const user = await getUser(db, request.params.userId);
        if (!user) throw notFound(`User ${request.params.userId}`);
        return user;
      },
    );

    app.get<{ Querystring: Static<typeof PageQuery> }>(
      '/users',
      {
        schema: {
          summary: 'All users (platform and admins)',
          tags,
          querystring: PageQuery,
          response: { 200: PageOf(UserOut) },
        },
      },
      async (request) => {
        requirePlatform(request.principal);
        return listUsers(db, request.query.limit, request.query.cursor);
      },
    );
  };
