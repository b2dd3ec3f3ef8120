import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyPluginCallback,
  LogController,
} from 'fastify';
import { errorHandler, frameworkErrorHandler, notFoundHandler } from './error-handler.ts';

/** What createServiceApp needs from @vigil/telemetry (kept structural so this package does not import it). */
export interface ServiceTelemetry {
  readonly plugin: FastifyPluginAsync | FastifyPluginCallback;
  readonly logger: FastifyBaseLogger;
}

export interface CreateServiceAppOptions {
  readonly telemetry: ServiceTelemetry;
  /** Largest accepted request body in bytes; larger → 413 PAYLOAD_TOO_LARGE. */
  readonly bodyLimit?: number;
}

export const DEFAULT_BODY_LIMIT = 64 * 1024;

/**
 * A Fastify instance with the shared error contract ({error:{code,message}}), JSON-only bodies,
 * a body limit and telemetry (spans, RED metrics, request logs, x-trace-id, /metrics, /health/*).
 */
export async function createServiceApp(options: CreateServiceAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.telemetry.logger,
    // Request logs come from the telemetry plugin (with trace ids); Fastify's own would duplicate them.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    trustProxy: false,
    return503OnClosing: true,
    // Long ids reach the handlers (→ 400 INVALID_ID with a trace id) instead of Fastify's hook-less 414;
    // Node's 16 KiB header limit bounds the URL anyway.
    routerOptions: { maxParamLength: 16 * 1024 },
    frameworkErrors: frameworkErrorHandler,
  }) as unknown as FastifyInstance;
  // Bodies are JSON only: text/plain would reach handlers as a string, so it gets 415 like any other type.
  app.removeContentTypeParser(['text/plain']);
  // An empty body with a JSON content-type (common from HTTP clients on body-less POSTs) means "no body";
  // handlers that need one still answer 400 VALIDATION_FAILED.
  const defaultJsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else defaultJsonParser(request, body as string, done);
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  await app.register(options.telemetry.plugin);
  return app;
}
