import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

/** How long a browser may reuse a preflight answer: one OPTIONS round trip per page, not per batch. */
const PREFLIGHT_MAX_AGE_SEC = 600;

/**
 * Lets pages on the configured origins call the API: the browser tracker runs on the platform's
 * own site and posts events here. Credentials are bearer tokens, never cookies, so no
 * `Access-Control-Allow-Credentials`: another origin's page can only send what its token allows.
 * `Retry-After` is exposed so the tracker can honour it on 429 and 503. No origins: no CORS at all.
 */
export async function registerCors(app: FastifyInstance, origins: readonly string[]): Promise<void> {
  if (origins.length === 0) return;
  await app.register(cors, {
    origin: origins.includes('*') ? '*' : [...origins],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'x-api-key', 'last-event-id'],
    exposedHeaders: ['retry-after'],
    maxAge: PREFLIGHT_MAX_AGE_SEC,
  });
}
