import { type TProperties, Type } from '@sinclair/typebox';
import { HostId } from '../domain/events/schema.js';
import { FEED_TYPES } from '../domain/feed/items.js';
import { Nullable } from './schemas.js';

const typeList = `(${FEED_TYPES.join('|')})`;

/** The filters GET /feed and the stream share. */
export const FeedFilterQuery = {
  courseId: Type.Optional(HostId),
  userId: Type.Optional(HostId),
  types: Type.Optional(
    Type.String({
      pattern: `^${typeList}(,${typeList})*$`,
      description: `Comma-separated item types: ${FEED_TYPES.join(', ')}`,
    }),
  ),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'Items that happened at or after' })),
  until: Type.Optional(Type.String({ format: 'date-time', description: 'Items that happened before' })),
};

export const FeedQuery = Type.Object(
  {
    ...FeedFilterQuery,
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 20 }),
    cursor: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);

export const FeedStreamQuery = Type.Object(
  {
    ...FeedFilterQuery,
    lastEventId: Type.Optional(
      Type.String({
        pattern: '^[0-9]{1,15}$',
        description: 'Resume after this item (as the Last-Event-ID header)',
      }),
    ),
    access_token: Type.Optional(
      Type.String({
        maxLength: 8192,
        description: 'The bearer token, for clients that cannot set headers (EventSource)',
      }),
    ),
  },
  { additionalProperties: false },
);

const Named = <T extends TProperties>(fields: T) => Nullable(Type.Object({ id: Type.String(), ...fields }));

export const FeedItemOut = Type.Object({
  id: Type.String({ description: 'Stable: the same milestone always has this id' }),
  seq: Type.Integer({ description: 'Commit order; the stream event id' }),
  type: Type.Union(FEED_TYPES.map((t) => Type.Literal(t))),
  occurredAt: Type.String({ format: 'date-time' }),
  learner: Type.Object({ id: Type.String(), name: Nullable(Type.String()) }),
  course: Named({ title: Nullable(Type.String()) }),
  item: Named({ title: Nullable(Type.String()), type: Nullable(Type.String()) }),
  session: Named({ title: Nullable(Type.String()) }),
  progressPct: Nullable(Type.Number({ description: "The learner's progress on the item now" })),
  data: Type.Record(Type.String(), Type.Unknown()),
  sentence: Type.String(),
});

export const FeedPageOut = Type.Object({
  items: Type.Array(FeedItemOut),
  nextCursor: Nullable(Type.String()),
});
