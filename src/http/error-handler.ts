import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { ERROR_CODES, type ErrorCode } from '../errors/codes.js';

/** Fastify's own error codes, translated to ours. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_body',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
};

export function toAppError(err: FastifyError | Error): AppError {
  if (err instanceof AppError) return err;
  const fe = err as FastifyError;
  if (fe.validation) {
    const first = fe.validation[0];
    return new AppError(
      'validation_failed',
      `${fe.validationContext ?? 'request'}${first?.instancePath ?? ''} ${first?.message ?? 'is invalid'}`,
      {
        errors: fe.validation.map((v) => ({ path: v.instancePath, message: v.message, keyword: v.keyword })),
      },
    );
  }
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return new AppError(mapped);
  if (fe.statusCode === 400) return new AppError('invalid_body', err.message);
  if (fe.statusCode === 413) return new AppError('body_too_large');
  if (fe.statusCode === 415) return new AppError('unsupported_media_type');
  return new AppError('internal_error');
}

/** All errors leave the server as `{ error: { code, message, details? } }`, mapped here only. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const appError = toAppError(err);
    if (appError.status >= 500) request.log.error({ err }, 'request failed');
    const body: { code: string; message: string; details?: unknown } = {
      code: appError.code,
      message: appError.message,
    };
    if (appError.details !== undefined) body.details = appError.details;
    if (appError.code === 'shutting_down') void reply.header('retry-after', '1');
    return reply.status(appError.status).send({ error: body });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: {
        code: 'route_not_found',
        message: `${ERROR_CODES.route_not_found.message}: ${request.method} ${request.url}`,
      },
    }),
  );
}
