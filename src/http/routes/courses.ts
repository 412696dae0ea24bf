import type { Static } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../../app.js';
import { requireCourseAccess, requirePlatform } from '../../auth/access.js';
import { isPlatform } from '../../auth/principal.js';
import { assertUniqueIds, bulkOf, CourseInput, ItemInput } from '../../domain/catalog/schemas.js';
import { notFound } from '../../errors/app-error.js';
import { saveCourse, saveItems } from '../../catalog/courses.js';
import { getCourse, listCourses } from '../../store/catalog/courses.js';
import { getItem, listItems } from '../../store/catalog/items.js';
import { BulkResult, CourseOut, ItemOut, PageOf, PageQuery, Params } from '../schemas.js';

const BulkItems = bulkOf(ItemInput, 'id');

export const courseRoutes =
  (deps: AppDeps): FastifyPluginAsync =>
  async (app) => {
    const { db } = deps;
    const tags = ['catalog'];

    app.put<{ Params: Static<typeof Params.course>; Body: CourseInput }>(
      '/courses/:courseId',
      {
        schema: {
          summary: 'Create or update a course',
          tags,
          params: Params.course,
          body: CourseInput,
          response: { 200: CourseOut },
        },
      },
      async (request) => {
        requirePlatform(request.principal);
        return saveCourse(db, deps.projections, request.params.courseId, request.body);
      },
    );

    app.get<{ Params: Static<typeof Params.course> }>(
      '/courses/:courseId',
      { schema: { summary: 'A course', tags, params: Params.course, response: { 200: CourseOut } } },
      async (request) => {
        await requireCourseAccess(db, request.principal, request.params.courseId, 'learn');
        const course = await getCourse(db, request.params.courseId);
        if (!course) throw notFound(`Course ${request.params.courseId}`);
        return course;
      },
    );

    app.get<{ Querystring: Static<typeof PageQuery> }>(
      '/courses',
      {
        schema: {
          summary: 'Courses the caller may see: all for the platform, taught or enrolled ones for users',
          tags,
          querystring: PageQuery,
          response: { 200: PageOf(CourseOut) },
        },
      },
      async (request) => {
        const p = request.principal;
        const viewer = isPlatform(p) || p.kind !== 'user' ? undefined : p.userId;
        return listCourses(db, viewer, request.query.limit, request.query.cursor);
      },
    );

    app.put<{ Params: Static<typeof Params.item>; Body: ItemInput }>(
      '/courses/:courseId/items/:itemId',
      {
        schema: {
          summary: 'Create or update an item',
          tags,
          params: Params.item,
          body: ItemInput,
          response: { 200: ItemOut },
        },
      },
      async (request) => {
        requirePlatform(request.principal);
        const { courseId, itemId } = request.params;
        const [item] = await saveItems(db, deps.projections, courseId, [{ ...request.body, id: itemId }]);
        return item;
      },
    );

    app.put<{ Params: Static<typeof Params.course>; Body: Static<typeof BulkItems> }>(
      '/courses/:courseId/items',
      {
        bodyLimit: 16 * 1024 * 1024,
        schema: {
          summary: 'Create or update many items',
          tags,
          params: Params.course,
          body: BulkItems,
          response: { 200: BulkResult },
        },
      },
      async (request) => {
        requirePlatform(request.principal);
        assertUniqueIds(request.body.items, 'id');
        const saved = await saveItems(db, deps.projections, request.params.courseId, request.body.items);
        return { upserted: saved.length };
      },
    );

    app.get<{ Params: Static<typeof Params.item> }>(
      '/courses/:courseId/items/:itemId',
      { schema: { summary: 'An item', tags, params: Params.item, response: { 200: ItemOut } } },
      async (request) => {
        const { courseId, itemId } = request.params;
        await requireCourseAccess(db, request.principal, courseId, 'learn');
        const item = await getItem(db, itemId);
        if (!item || item.courseId !== courseId) throw notFound(`Item ${itemId}`);
        return item;
      },
    );

    app.get<{ Params: Static<typeof Params.course>; Querystring: Static<typeof PageQuery> }>(
      '/courses/:courseId/items',
      {
        schema: {
          summary: "A course's items in course order",
          tags,
          params: Params.course,
          querystring: PageQuery,
          response: { 200: PageOf(ItemOut) },
        },
      },
      async (request) => {
        await requireCourseAccess(db, request.principal, request.params.courseId, 'learn');
        return listItems(db, request.params.courseId, request.query.limit, request.query.cursor);
      },
    );
  };
