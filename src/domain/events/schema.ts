import { type TSchema, Type } from '@sinclair/typebox';

/** Ids from the host platform are opaque strings of at most 128 characters. */
export const HostId = Type.String({ minLength: 1, maxLength: 128 });
const Text = (maxLength: number) => Type.String({ maxLength });
const Seconds = Type.Number({ minimum: 0, maximum: 1e7 });

export const DeviceSchema = Type.Object(
  {
    type: Type.Optional(
      Type.Union([Type.Literal('desktop'), Type.Literal('mobile'), Type.Literal('tablet')]),
    ),
    os: Type.Optional(Text(64)),
    browser: Type.Optional(Text(64)),
  },
  { additionalProperties: false },
);

/** The fields every event shares; `data` is checked afterwards against its type's schema. */
export const EventEnvelopeSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    type: Type.String({ minLength: 1, maxLength: 64 }),
    occurredAt: Type.String({ format: 'date-time', maxLength: 40 }),
    userId: Type.Optional(HostId),
    courseId: Type.Optional(HostId),
    itemId: Type.Optional(HostId),
    liveSessionId: Type.Optional(HostId),
    clientSessionId: Type.Optional(HostId),
    device: Type.Optional(DeviceSchema),
    value: Type.Optional(Type.Number()),
    data: Type.Optional(Type.Object({})),
  },
  { additionalProperties: false },
);

const Closed = (props: Parameters<typeof Type.Object>[0]) =>
  Type.Object(props, { additionalProperties: false });
const Submission = Closed({
  attemptId: HostId,
  score: Type.Number(),
  maxScore: Type.Number({ exclusiveMinimum: 0 }),
  passed: Type.Optional(Type.Boolean()),
  timeSpentSec: Type.Optional(Seconds),
});

/**
 * Per native type: the schema of `data` and what else the type requires. Unknown keys in `data`
 * are refused so that a typo ("activesec") is reported instead of silently counting nothing.
 */
export const EVENT_TYPE_RULES: Record<string, { data?: TSchema; requires?: readonly string[] }> = {
  course_visit: { data: Closed({}), requires: ['courseId'] },
  heartbeat: { data: Closed({ activeSec: Type.Optional(Type.Number({ minimum: 0, maximum: 3600 })) }) },
  scroll_depth: { data: Closed({}), requires: ['value'] },
  lesson_start: { data: Closed({}), requires: ['itemId'] },
  lesson_progress: { data: Closed({ positionSec: Type.Optional(Seconds) }), requires: ['itemId', 'value'] },
  lesson_complete: { data: Closed({}), requires: ['itemId'] },
  video_heartbeat: {
    data: Closed({
      positionSec: Seconds,
      durationSec: Type.Number({ exclusiveMinimum: 0, maximum: 1e7 }),
      segments: Type.Optional(
        Type.Array(Type.Array(Type.Number(), { minItems: 2, maxItems: 2 }), { maxItems: 1000 }),
      ),
      playbackRate: Type.Optional(Type.Number({ minimum: 0.0625, maximum: 16 })),
      ended: Type.Optional(Type.Boolean()),
    }),
    requires: ['itemId', 'data'],
  },
  quiz_submit: { data: Submission, requires: ['itemId', 'data'] },
  assignment_submit: { data: Submission, requires: ['itemId', 'data'] },
  certification_issued: { data: Closed({ certificateId: HostId }), requires: ['data'] },
  live_join: { data: Closed({ connectionId: Type.Optional(HostId) }), requires: ['liveSessionId'] },
  live_leave: { data: Closed({ connectionId: Type.Optional(HostId) }), requires: ['liveSessionId'] },
  live_chat: {
    data: Closed({ text: Type.Optional(Text(4000)), isQuestion: Type.Optional(Type.Boolean()) }),
    requires: ['liveSessionId'],
  },
  live_reaction: {
    data: Closed({ kind: Type.String({ minLength: 1, maxLength: 32 }) }),
    requires: ['liveSessionId', 'data'],
  },
  live_feedback: {
    data: Closed({ rating: Type.Integer({ minimum: 1, maximum: 5 }), comment: Type.Optional(Text(4000)) }),
    requires: ['liveSessionId', 'data'],
  },
};

/** `value` ranges per type where the type gives `value` a meaning. */
export const VALUE_RANGES: Record<string, [number, number]> = {
  scroll_depth: [0, 100],
  lesson_progress: [0, 100],
};

export const CUSTOM_TYPE_PATTERN = /^x-[a-z0-9][a-z0-9_.-]{0,61}$/;
/** Limits on `data` of any type, custom ones included. */
export const MAX_DATA_DEPTH = 8;
export const MAX_DATA_BYTES = 16 * 1024;
