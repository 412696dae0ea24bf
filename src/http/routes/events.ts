import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { EventEnvelopeSchema } from '../../domain/events/schema.js';
import { ingest } from '../../ingest/ingest.js';
import type { AppDeps } from '../../app.js';

const IngestResponse = Type.Object({
  accepted: Type.Integer({ description: 'Events newly stored by this request' }),
  duplicates: Type.Integer({
    description: 'Events whose id was already in the log (or earlier in this request)',
  }),
  rejected: Type.Array(Type.Object({ index: Type.Integer(), code: Type.String(), message: Type.String() })),
});

export const eventRoutes =
  (deps: AppDeps): FastifyPluginAsync =>
  async (app) => {
    app.post(
      '/events',
      {
        bodyLimit: deps.config.bodyLimitBytes,
        schema: {
          summary: 'Send learner events',
          description:
            'Each event is validated on its own; valid ones are stored, invalid ones reported by index. ' +
            'The answer comes after the accepted events are committed. A resent event id counts as a duplicate.',
          tags: ['events'],
          body: {
            description: '{ "events": [...] } or a bare array',
            anyOf: [
              Type.Object({ events: Type.Array(EventEnvelopeSchema) }),
              Type.Array(EventEnvelopeSchema),
            ],
          },
          response: { 200: IngestResponse },
        },
        // Our own per-event validation reports each event's problem; Fastify's would refuse the whole body.
        validatorCompiler: () => () => true,
        config: { checksOwnBody: true },
      },
      async (request) => {
        const result = await ingest(
          deps.committer,
          deps.db,
          deps.validateEvent,
          request.principal,
          request.body,
          deps.config,
        );
        deps.metrics.events.inc({ outcome: 'accepted' }, result.accepted);
        deps.metrics.events.inc({ outcome: 'duplicate' }, result.duplicates);
        deps.metrics.events.inc({ outcome: 'rejected' }, result.rejected.length);
        return { accepted: result.accepted, duplicates: result.duplicates, rejected: result.rejected };
      },
    );
  };
