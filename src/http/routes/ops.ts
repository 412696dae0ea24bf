import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../../app.js';
import { AppError } from '../../errors/app-error.js';

/** Liveness, readiness and Prometheus metrics: unauthenticated, outside /api. */
export const opsRoutes =
  (deps: AppDeps): FastifyPluginAsync =>
  async (app) => {
    app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

    app.get('/readyz', { schema: { hide: true } }, async () => {
      if (deps.lifecycle.closing) throw new AppError('shutting_down');
      try {
        await deps.db.query('SELECT 1');
      } catch {
        throw new AppError('not_ready', 'The database does not answer');
      }
      return { status: 'ready', engine: deps.db.engine };
    });

    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const body = await deps.metrics.registry.metrics();
      return reply.type(deps.metrics.registry.contentType).send(body);
    });
  };
