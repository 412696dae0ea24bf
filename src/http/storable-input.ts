import type { FastifyInstance } from 'fastify';
import { findUnstorableText } from '../domain/text.js';
import { AppError } from '../errors/app-error.js';

/**
 * Strings PostgreSQL cannot store (NUL, unpaired surrogates) in params, query or body are a 400
 * before any query runs. The events endpoint is exempt for its body: each event is checked on its
 * own there (`invalid_characters`), so one bad event does not refuse the others.
 */
export function refuseUnstorableInput(app: FastifyInstance, eventsUrl: string): void {
  app.addHook('preValidation', async (request) => {
    const parts: [string, unknown][] = [
      ['params', request.params],
      ['querystring', request.query],
    ];
    if (request.routeOptions.url !== eventsUrl) parts.push(['body', request.body]);
    for (const [where, value] of parts) {
      const at = findUnstorableText(value, where);
      if (at)
        throw new AppError('validation_failed', `${at} contains a NUL character or an unpaired surrogate`);
    }
  });
}
