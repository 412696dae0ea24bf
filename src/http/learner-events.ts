import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { AppDeps } from '../app.js';
import { requireCourseAccess } from '../auth/access.js';
import { isPlatform, type Principal } from '../auth/principal.js';
import { HostId } from '../domain/events/schema.js';
import { AppError, notFound } from '../errors/app-error.js';
import { ingest } from '../ingest/ingest.js';
import { getItem, type Item } from '../store/catalog/items.js';

/**
 * Endpoints that record one learner event about an item (complete, progress, video heartbeat)
 * share these: who the learner is, the item, the event's id and time, and the ingest call.
 */

/** Body fields for acting on a learner's behalf, and for idempotent retries. */
export const OnBehalf = {
  userId: Type.Optional(HostId),
  eventId: Type.Optional(
    Type.String({ format: 'uuid', description: 'Idempotency key; generated if absent' }),
  ),
  occurredAt: Type.Optional(Type.String({ format: 'date-time', description: 'Default: now' })),
};

/** The learner a request is about: the token's user, or the one the platform names. */
export function learnerOf(principal: Principal, userId: string | undefined): string {
  if (principal.kind === 'user' && !isPlatform(principal)) {
    if (userId !== undefined && userId !== principal.userId) throw new AppError('event_user_mismatch');
    return principal.userId;
  }
  if (userId === undefined)
    throw new AppError('validation_failed', 'userId is required when acting for a learner');
  return userId;
}

export function learnerEvents(deps: AppDeps) {
  const { db } = deps;
  return {
    /** The item, after checking the caller may learn in its course. */
    async itemFor(principal: Principal, itemId: string): Promise<Item> {
      const item = await getItem(db, itemId);
      if (!item) throw notFound(`Item ${itemId}`);
      await requireCourseAccess(db, principal, item.courseId, 'learn');
      return item;
    },

    /** Stores one event through the ingest pipeline (validation, course rules, group commit). */
    async record(principal: Principal, event: Record<string, unknown>) {
      const result = await ingest(deps.committer, db, deps.validateEvent, principal, [event], deps.config);
      const rejection = result.rejected[0];
      if (rejection?.code === 'quiz_required') throw new AppError('quiz_required', rejection.message);
      if (rejection) throw new AppError('validation_failed', rejection.message, { code: rejection.code });
      return result;
    },

    eventFields: (body: { eventId?: string | undefined; occurredAt?: string | undefined }) => ({
      id: body.eventId ?? randomUUID(),
      occurredAt: body.occurredAt ?? deps.now().toISOString(),
    }),
  };
}
