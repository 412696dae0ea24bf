import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import type { CourseCaches } from './analytics/course-caches.js';
import { createAuthenticator } from './auth/authenticate.js';
import type { Config } from './config/config.js';
import type { ValidationResult } from './domain/events/validate.js';

import { AppError } from './errors/app-error.js';
import { ERROR_CODES } from './errors/codes.js';
import { requireAuthentication } from './http/auth.js';
import { registerErrorHandling } from './http/error-handler.js';
import { registerJsonBody } from './http/json-body.js';
import { refuseUnstorableInput } from './http/storable-input.js';
import { analyticsRoutes } from './http/routes/analytics.js';
import { courseRoutes } from './http/routes/courses.js';
import { enrollmentRoutes } from './http/routes/enrollments.js';
import { eventRoutes } from './http/routes/events.js';
import { liveSessionRoutes } from './http/routes/live-sessions.js';
import { opsRoutes } from './http/routes/ops.js';
import { progressRoutes } from './http/routes/progress.js';
import { videoRoutes } from './http/routes/videos.js';
import { liveAnalyticsRoutes } from './http/routes/live-analytics.js';
import { userRoutes } from './http/routes/users.js';
import type { GroupCommitter } from './ingest/group-commit.js';
import type { FeedHub } from './feed/hub.js';
import type { LiveFigures } from './feed/live-figures.js';
import { feedRoutes } from './http/routes/feed.js';
import { registerDashboard } from './http/dashboard.js';
import { registerCors } from './http/cors.js';
import { registerSdkScript } from './http/sdk-script.js';
import type { Metrics } from './ops/metrics.js';
import type { Projection } from './projections/projection.js';
import type { Db } from './store/db.js';

/** Everything the HTTP layer needs, built once by the caller (main.ts or a test). */
export interface AppDeps {
  config: Config;
  db: Db;
  committer: GroupCommitter;
  projections: readonly Projection[];
  metrics: Metrics;
  validateEvent: (raw: unknown, actingUserId?: string) => ValidationResult;
  /** Computed course views, reused while their course is unchanged. */
  courseCaches: CourseCaches;
  /** The clock analytics read "now" from (tests pin it). */
  now: () => Date;
  /** The live feed of this process: committed items and live-session figures, to push. */
  feed: { hub: FeedHub; live: LiveFigures };
  /** Flipped by the shutdown sequence so /readyz turns away new traffic. */
  lifecycle: { closing: boolean };
}

// ajv-formats ships CommonJS with a default export property.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** Bodies are JSON: validated without coercion ("42" is not a number); params and query strings are coerced. */
function validatorCompiler() {
  const common = { useDefaults: true, removeAdditional: false, allErrors: false, strict: false } as const;
  const strictAjv = new Ajv({ ...common, coerceTypes: false });
  const coercingAjv = new Ajv({ ...common, coerceTypes: 'array' });
  addFormats(strictAjv);
  addFormats(coercingAjv);
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    (httpPart === 'body' ? strictAjv : coercingAjv).compile(schema);
}

/**
 * Builds the Fastify app without listening: tests inject requests, main.ts listens.
 * @example const app = await buildApp(deps); const res = await app.inject({ url: '/healthz' });
 */
export async function buildApp(
  deps: AppDeps,
  options: { loggerInstance?: FastifyBaseLogger } = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: false }),
    bodyLimit: deps.config.bodyLimitBytes,
    // Host ids are up to 128 characters (more once percent-encoded); the schemas enforce the limit.
    routerOptions: { maxParamLength: 2048 },
    // Requests arriving while closing are refused by the hook below, in the API's error format.
    return503OnClosing: false,
    // Malformed percent-encoding and the like: answered in the API's error format, not Fastify's.
    frameworkErrors: (err, _request, reply) => {
      void (reply as FastifyReply)
        .status(400)
        .send({ error: { code: 'validation_failed', message: err.message } });
    },
  });
  app.setValidatorCompiler(validatorCompiler());
  registerErrorHandling(app);
  await registerCors(app, deps.config.corsOrigins);
  app.addHook('onRequest', async (_request, reply) => {
    if (deps.lifecycle.closing) {
      void reply.header('connection', 'close');
      throw new AppError('shutting_down');
    }
  });
  registerJsonBody(app);
  // Any successful catalog write may change what course views show: drop them before answering.
  app.addHook('onSend', async (request, reply, payload) => {
    if ((request.method === 'PUT' || request.method === 'DELETE') && reply.statusCode < 300) {
      deps.courseCaches.clear();
    }
    return payload;
  });
  refuseUnstorableInput(app);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'learnpulse API',
        version: '1',
        description: `Learning-engagement analytics. Authenticate with an API key or a JWT as \`Authorization: Bearer …\`. Errors: ${Object.keys(ERROR_CODES).join(', ')}.`,
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(opsRoutes(deps));
  await registerDashboard(app);
  registerSdkScript(app);
  const authenticate = createAuthenticator({
    apiKeys: deps.config.apiKeys,
    jwtSecret: deps.config.jwtSecret,
    jwksUrl: deps.config.jwksUrl,
  });
  await app.register(
    async (api) => {
      requireAuthentication(api, authenticate);
      await api.register(eventRoutes(deps));
      await api.register(userRoutes(deps));
      await api.register(courseRoutes(deps));
      await api.register(enrollmentRoutes(deps));
      await api.register(liveSessionRoutes(deps));
      await api.register(progressRoutes(deps));
      await api.register(analyticsRoutes(deps));
      await api.register(videoRoutes(deps));
      await api.register(liveAnalyticsRoutes(deps));
      await api.register(feedRoutes(deps));
    },
    { prefix: '/api/v1' },
  );
  return app;
}
