import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every /api route; routes without auth never read it. */
    principal: Principal;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes `?access_token=` too: EventSource cannot send an Authorization header. */
    tokenInQuery?: boolean;
  }
}

function credentialOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.toLowerCase().startsWith('bearer ')) return header.slice(7).trim();
  const key = request.headers['x-api-key'];
  if (typeof key === 'string') return key;
  if (request.routeOptions.config?.tokenInQuery) {
    const token = (request.query as { access_token?: unknown } | undefined)?.access_token;
    if (typeof token === 'string' && token !== '') return token;
  }
  return undefined;
}

/**
 * Authenticates every request of the plugin it is registered in, before the body is read, so
 * that an anonymous client cannot make the server parse a megabyte of JSON.
 */
export function requireAuthentication(
  app: FastifyInstance,
  authenticate: (credential: string | undefined) => Promise<Principal>,
): void {
  app.decorateRequest('principal', null as never);
  app.addHook('onRequest', async (request) => {
    request.principal = await authenticate(credentialOf(request));
  });
}
