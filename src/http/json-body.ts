import type { FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';
import { AppError } from '../errors/app-error.js';

/**
 * Our own JSON body parser: Fastify's reports every failure alike; ours tells a client whether
 * the JSON is malformed (and where) or carries a prototype-poisoning key. Bodies of any other
 * content type are refused with 415 (Fastify's text/plain parser is removed).
 */
export function registerJsonBody(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.length === 0) return done(new AppError('invalid_json', 'The request body is empty'), undefined);
    try {
      done(null, sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (/forbidden prototype property/i.test(message))
        return done(new AppError('forbidden_json_key'), undefined);
      done(new AppError('invalid_json', `The request body is not valid JSON: ${message}`), undefined);
    }
  });
}
