import { type Static, type TObject, Type } from '@sinclair/typebox';
import { AppError } from '../../errors/app-error.js';
import { HostId } from '../events/schema.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });

export const UserInput = Type.Object(
  {
    displayName: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.Optional(Nullable(Type.String({ maxLength: 320, format: 'email' }))),
    timezone: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, default UTC' }),
    ),
  },
  { additionalProperties: false },
);
export type UserInput = Static<typeof UserInput>;

export const EngagementWeights = Type.Object(
  {
    visits: Type.Number({ minimum: 0 }),
    timeOnTask: Type.Number({ minimum: 0 }),
    videoWatched: Type.Number({ minimum: 0 }),
    scrollDepth: Type.Number({ minimum: 0 }),
  },
  { additionalProperties: false },
);

export type EngagementWeightsValue = Static<typeof EngagementWeights>;

export const CourseSettings = Type.Object(
  {
    completionThreshold: Type.Optional(Type.Number({ minimum: 0, maximum: 100, default: 90 })),
    engagementWeights: Type.Optional(EngagementWeights),
    atRiskInactivityDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, default: 7 })),
    atRiskProgressGap: Type.Optional(
      Type.Number({ minimum: 1, maximum: 100, description: 'Points behind the course median progress' }),
    ),
    atRiskFailedAttempts: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100,
        description: 'Failed attempts on one assessment not yet passed',
      }),
    ),
    atRiskActivityDrop: Type.Optional(
      Type.Number({
        minimum: 1,
        maximum: 100,
        description: 'Percent fall of time on task, last 7 days vs the 7 before',
      }),
    ),
    engagementTracking: Type.Optional(
      Type.Boolean({ description: 'false: engagement events are refused and engagement views answer 404' }),
    ),
  },
  { additionalProperties: true, description: 'Unknown settings are kept for later versions' },
);
export type CourseSettings = Static<typeof CourseSettings>;

export type ResolvedCourseSettings = CourseSettings &
  Required<Omit<CourseSettings, 'engagementWeights'>> & {
    engagementWeights: Static<typeof EngagementWeights>;
  };

export const DEFAULT_COURSE_SETTINGS: ResolvedCourseSettings = {
  completionThreshold: 90,
  engagementWeights: { visits: 40, timeOnTask: 30, videoWatched: 15, scrollDepth: 15 },
  atRiskInactivityDays: 7,
  atRiskProgressGap: 30,
  atRiskFailedAttempts: 2,
  atRiskActivityDrop: 50,
  engagementTracking: true,
};

/** Stored settings with the defaults filled in. */
export const resolveCourseSettings = (stored: CourseSettings | null | undefined): ResolvedCourseSettings => ({
  ...DEFAULT_COURSE_SETTINGS,
  ...stored,
});

export const CourseInput = Type.Object(
  {
    code: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    title: Type.String({ minLength: 1, maxLength: 300 }),
    instructorIds: Type.Optional(Type.Array(HostId, { maxItems: 100, uniqueItems: true })),
    settings: Type.Optional(CourseSettings),
  },
  { additionalProperties: false },
);
export type CourseInput = Static<typeof CourseInput>;

export const ITEM_TYPES = ['lesson', 'video', 'quiz', 'assignment', 'page'] as const;

export const ItemInput = Type.Object(
  {
    type: Type.Union(ITEM_TYPES.map((t) => Type.Literal(t))),
    title: Type.String({ minLength: 1, maxLength: 300 }),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    durationSec: Type.Optional(Nullable(Type.Number({ exclusiveMinimum: 0, maximum: 1e7 }))),
    completionThreshold: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 100 }))),
    requiredQuizId: Type.Optional(Nullable(HostId)),
  },
  { additionalProperties: false },
);
export type ItemInput = Static<typeof ItemInput>;

export const ENROLLMENT_ROLES = ['student', 'instructor', 'ta'] as const;
export type EnrollmentRole = (typeof ENROLLMENT_ROLES)[number];

export const EnrollmentInput = Type.Object(
  {
    role: Type.Optional(
      Type.Union(
        ENROLLMENT_ROLES.map((r) => Type.Literal(r)),
        { default: 'student' },
      ),
    ),
    active: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);
export type EnrollmentInput = Static<typeof EnrollmentInput>;

export const LiveSessionInput = Type.Object(
  {
    courseId: Type.Optional(Nullable(HostId)),
    title: Type.String({ minLength: 1, maxLength: 300 }),
    instructorId: HostId,
    scheduledStart: Timestamp,
    scheduledEnd: Timestamp,
    recordingItemId: Type.Optional(Nullable(HostId)),
  },
  { additionalProperties: false },
);
export type LiveSessionInput = Static<typeof LiveSessionInput>;

export const BULK_MAX = 10_000;

/** A bulk names each id once (PostgreSQL cannot upsert one row twice in a statement). */
export function assertUniqueIds<K extends string>(items: readonly Record<K, string>[], idField: K): void {
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const first = seen.get(item[idField]);
    if (first !== undefined) {
      throw new AppError('validation_failed', `items/${index}/${idField} repeats items/${first}/${idField}`, {
        index,
        firstIndex: first,
        [idField]: item[idField],
      });
    }
    seen.set(item[idField], index);
  });
}
/** `{ items: [...] }` of entries that carry their own id, for the bulk upserts. */
export const bulkOf = <K extends string, T extends TObject>(entry: T, idField: K) =>
  Type.Object(
    {
      items: Type.Array(
        Type.Composite([Type.Object({ [idField]: HostId } as Record<K, typeof HostId>), entry], {
          additionalProperties: false,
        }),
        { maxItems: BULK_MAX },
      ),
    },
    { additionalProperties: false },
  );
