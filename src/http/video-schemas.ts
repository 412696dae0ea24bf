import { type TSchema, Type } from '@sinclair/typebox';

/** Request and response schemas of the video endpoints (they double as the OpenAPI document). */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Share = Type.Number({ description: '0–1' });
const Seconds = Type.Number({ description: 'seconds' });

const Headline = {
  id: Type.String(),
  title: Type.String(),
  position: Type.Integer(),
  durationSec: Seconds,
  completionThreshold: Type.Number({ description: '0–100' }),
  viewers: Type.Integer(),
  uniqueViewers: Type.Integer(),
  views: Type.Integer(),
  totalWatchTimeSec: Seconds,
  uniqueWatchTimeSec: Seconds,
  averagePercentViewed: Type.Number({ description: '0–100' }),
  completionRate: Share,
  replayRate: Share,
  medianStopSec: Nullable(Seconds),
};

export const VideoListOut = Type.Object({ videos: Type.Array(Type.Object(Headline)) });

const Span = { startSec: Type.Integer(), endSec: Type.Integer() };

export const VideoAnalyticsOut = Type.Object({
  ...Headline,
  from: Nullable(Type.String({ format: 'date' })),
  to: Nullable(Type.String({ format: 'date' })),
  completions: Type.Integer(),
  replays: Type.Integer(),
  curve: Type.Object({
    resolutionSec: Type.Integer(),
    points: Type.Array(
      Type.Object({
        ...Span,
        retention: Share,
        rewatch: Type.Number(),
        exits: Type.Integer(),
        hazard: Share,
      }),
    ),
  }),
  rewatchHotSpots: Type.Array(
    Type.Object({ ...Span, plays: Type.Number(), viewers: Type.Number(), excessPlays: Type.Integer() }),
  ),
  skippedRanges: Type.Array(
    Type.Object({ ...Span, viewers: Type.Integer(), share: Share, viewerSeconds: Type.Integer() }),
  ),
  dropOffs: Type.Array(
    Type.Object({
      ...Span,
      exits: Type.Integer(),
      viewersAtStart: Type.Integer(),
      hazard: Share,
      baselineHazard: Share,
      excessExits: Type.Number(),
      pValue: Type.Number(),
      retentionDropPoints: Type.Number(),
    }),
  ),
});

export const HeartbeatBody = Type.Object(
  {
    positionSec: Type.Number({ minimum: 0, maximum: 1e7 }),
    durationSec: Type.Number({ exclusiveMinimum: 0, maximum: 1e7 }),
    segments: Type.Optional(
      Type.Array(Type.Array(Type.Number(), { minItems: 2, maxItems: 2 }), {
        maxItems: 1000,
        description: '[startSec, endSec] pairs played since the previous heartbeat',
      }),
    ),
    playbackRate: Type.Optional(Type.Number({ minimum: 0.0625, maximum: 16 })),
    ended: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const HeartbeatOut = Type.Object({
  watchSessionId: Type.String({ format: 'uuid' }),
  sessionNumber: Type.Integer(),
  maxPositionSec: Seconds,
  completed: Type.Boolean(),
  watchedPercent: Type.Number({ description: '0–100' }),
  clippedSec: Seconds,
  duplicate: Type.Boolean(),
});

const Timestamp = Type.String({ format: 'date-time' });

export const ViewerOut = Type.Object({
  courseId: Type.String(),
  itemId: Type.String(),
  userId: Type.String(),
  durationSec: Seconds,
  completionThreshold: Type.Number({ description: '0–100' }),
  watchedPercent: Type.Number({ description: '0–100' }),
  watchedSec: Type.Integer(),
  playedSec: Type.Integer(),
  maxPositionSec: Seconds,
  lastPositionSec: Nullable(Seconds),
  completed: Type.Boolean(),
  completedAt: Nullable(Timestamp),
  clippedSec: Seconds,
  watchedRanges: Type.Array(Type.Array(Type.Integer(), { minItems: 2, maxItems: 2 })),
  sessions: Type.Array(
    Type.Object({
      watchSessionId: Type.String({ format: 'uuid' }),
      sessionNumber: Type.Integer(),
      startedAt: Timestamp,
      lastHeartbeatAt: Timestamp,
      maxPositionSec: Seconds,
      lastPositionSec: Seconds,
      watchedSec: Type.Integer(),
      playedSec: Type.Integer(),
      ended: Type.Boolean(),
      completed: Type.Boolean(),
      clippedSec: Seconds,
    }),
  ),
});
