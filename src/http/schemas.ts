import { type TSchema, Type } from '@sinclair/typebox';
import { HostId } from '../domain/events/schema.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../store/pagination.js';

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });

export const PageQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE }),
    cursor: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);

export const PageOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });

export const Params = {
  user: Type.Object({ userId: HostId }),
  course: Type.Object({ courseId: HostId }),
  item: Type.Object({ courseId: HostId, itemId: HostId }),
  enrollment: Type.Object({ courseId: HostId, userId: HostId }),
  session: Type.Object({ sessionId: HostId }),
  registration: Type.Object({ sessionId: HostId, userId: HostId }),
};

export const UserOut = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  email: Nullable(Type.String()),
  timezone: Type.String(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const CourseOut = Type.Object({
  id: Type.String(),
  code: Nullable(Type.String()),
  title: Type.String(),
  instructorIds: Type.Array(Type.String()),
  settings: Type.Object({}, { additionalProperties: true }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const ItemOut = Type.Object({
  id: Type.String(),
  courseId: Type.String(),
  type: Type.String(),
  title: Type.String(),
  position: Type.Integer(),
  durationSec: Nullable(Type.Number()),
  completionThreshold: Nullable(Type.Number()),
  requiredQuizId: Nullable(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const EnrollmentOut = Type.Object({
  courseId: Type.String(),
  userId: Type.String(),
  role: Type.String(),
  active: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const LiveSessionOut = Type.Object({
  id: Type.String(),
  courseId: Nullable(Type.String()),
  title: Type.String(),
  instructorId: Type.String(),
  scheduledStart: Timestamp,
  scheduledEnd: Timestamp,
  recordingItemId: Nullable(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const RegistrationOut = Type.Object({
  sessionId: Type.String(),
  userId: Type.String(),
  registeredAt: Timestamp,
});

export const BulkResult = Type.Object({ upserted: Type.Integer() });

export const ErrorOut = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) }),
});
