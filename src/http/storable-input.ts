import type { FastifyInstance } from 'fastify';
import { findUnstorableText } from '../domain/text.js';
import { AppError } from '../errors/app-error.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The handler validates its body item by item; skip the whole-body checks. */
    checksOwnBody?: boolean;
  }
}

/**
 * Strings PostgreSQL cannot store (NUL, unpaired surrogates) in params, query or body are a 400
 * before any query runs. A route that checks each item of its body on its own (the events
 * endpoint: `invalid_characters` per event, so one bad event does not refuse the others) says so
 * with `config: { checksOwnBody: true }`.
 */
export function refuseUnstorableInput(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const parts: [string, unknown][] = [
      ['params', request.params],
      ['querystring', request.query],
    ];
    if (!request.routeOptions.config.checksOwnBody) parts.push(['body', request.body]);
    for (const [where, value] of parts) {
      const at = findUnstorableText(value, where);
      if (at)
        throw new AppError('validation_failed', `${at} contains a NUL character or an unpaired surrogate`);
    }
  });
}
