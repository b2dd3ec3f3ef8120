import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isHttpError } from './http-error.ts';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

interface Mapped {
  status: number;
  body: ErrorBody;
}

function body(code: string, message: string, details?: Record<string, unknown>): ErrorBody {
  return details ? { error: { code, message, details } } : { error: { code, message } };
}

// Fastify's own client errors, translated to our codes with messages that reveal nothing internal.
const FASTIFY_CLIENT_ERRORS: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'INVALID_JSON', 'request body is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [
    400,
    'INVALID_JSON',
    'request body is empty but content-type is application/json',
  ],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE', 'request body is too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'content-type must be application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [
    400,
    'INVALID_CONTENT_LENGTH',
    'body size does not match content-length',
  ],
  FST_ERR_BAD_URL: [400, 'BAD_URL', 'request URL is malformed'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'URI_TOO_LONG', 'a path segment is too long'],
};

const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  411: 'LENGTH_REQUIRED',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  431: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
};

/** Maps any thrown value to the status and `{error:{code,message}}` body the client sees. */
export function mapError(err: unknown): Mapped {
  if (isHttpError(err)) return { status: err.statusCode, body: body(err.code, err.message, err.details) };
  const e = (err ?? {}) as Partial<FastifyError>;
  const known = typeof e.code === 'string' ? FASTIFY_CLIENT_ERRORS[e.code] : undefined;
  if (known) return { status: known[0], body: body(known[1], known[2]) };
  if (Array.isArray(e.validation)) {
    const first = e.validation[0];
    const field = `${e.validationContext ?? 'body'}${first?.instancePath ?? ''}`;
    return { status: 400, body: body('VALIDATION_FAILED', `${field}: ${first?.message ?? 'invalid'}`) };
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    return { status, body: body(STATUS_CODES[status] ?? 'BAD_REQUEST', 'the request was rejected') };
  }
  return { status: 500, body: body('INTERNAL_ERROR', 'internal error') };
}

export function errorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body: payload } = mapError(err);
  // The client gets a bland message; the log keeps the real error (stack, SQL) for the operator.
  if (status >= 500) request.log.error({ err }, 'request failed');
  void reply.code(status).type('application/json; charset=utf-8').send(payload);
}

/**
 * Errors Fastify raises while routing (malformed URL encoding, over-long path segment). They bypass
 * hooks, so these responses carry no x-trace-id; they still get the shared error shape.
 */
export function frameworkErrorHandler(err: unknown, _request: FastifyRequest, reply: FastifyReply): void {
  const { status, body: payload } = mapError(err);
  void reply.code(status).type('application/json; charset=utf-8').send(payload);
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  const path = (request.url.split('?')[0] ?? '').slice(0, 200);
  void reply
    .code(404)
    .type('application/json; charset=utf-8')
    .send(body('ROUTE_NOT_FOUND', `no route for ${request.method} ${path}`));
}
