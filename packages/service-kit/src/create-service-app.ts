import type { Telemetry } from '@vigil/telemetry';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { type Migration, openDatabase, type SqliteDatabase } from './database.ts';
import { errorHandler, frameworkErrorHandler, notFoundHandler } from './error-handler.ts';
import { installRequestGuard } from './request-guard.ts';

/** A service's SQLite database: a file (`:memory:` in tests) opened with its migrations, or an open handle. */
export type DatabaseSource =
  | { readonly file: string; readonly migrations: readonly Migration[] }
  | SqliteDatabase;

export interface CreateServiceAppOptions {
  /** The app needs the plugin and logger; `health` when it owns a database. */
  readonly telemetry: Pick<Telemetry, 'plugin' | 'logger'> & Partial<Pick<Telemetry, 'health'>>;
  /** Largest accepted request body in bytes; larger → 413 PAYLOAD_TOO_LARGE. */
  readonly bodyLimit?: number;
  /**
   * The service's database. The app owns it: readiness check `database` (SELECT 1), closed
   * after every other onClose hook (so workers stop first), and closed if building fails.
   */
  readonly database?: DatabaseSource;
  /**
   * The per-stack service credential internal routes require (see request-guard.ts); default
   * VIGIL_SERVICE_TOKEN, which `vigil start` generates on every start. Unset → internal routes are open.
   */
  readonly serviceToken?: string | undefined;
}

export interface ServiceApp {
  readonly app: FastifyInstance;
}

export interface ServiceAppWithDatabase extends ServiceApp {
  readonly db: SqliteDatabase;
}

export const DEFAULT_BODY_LIMIT = 64 * 1024;

/**
 * A Fastify instance with the shared error contract ({error:{code,message}}), JSON-only bodies,
 * a body limit and telemetry (spans, RED metrics, request logs, x-trace-id, /metrics, /health/*).
 */
export async function createServiceApp(
  options: CreateServiceAppOptions & { database: DatabaseSource },
): Promise<ServiceAppWithDatabase>;
export async function createServiceApp(options: CreateServiceAppOptions): Promise<ServiceApp>;
export async function createServiceApp(
  options: CreateServiceAppOptions,
): Promise<ServiceApp | ServiceAppWithDatabase> {
  const source = options.database;
  const db =
    source === undefined
      ? undefined
      : 'file' in source
        ? openDatabase(source.file, source.migrations)
        : source;
  try {
    const app = await createApp(options);
    if (!db) return { app };
    // onClose hooks run last-registered first: registered here, before any service hook, it runs last.
    app.addHook('onClose', async () => {
      if (db.open) db.close();
    });
    if (!options.telemetry.health) throw new Error('createServiceApp: a database needs telemetry.health');
    const ping = db.prepare('SELECT 1');
    options.telemetry.health.addCheck('database', () => {
      ping.get();
    });
    return { app, db };
  } catch (err) {
    if (db?.open) db.close();
    throw err;
  }
}

async function createApp(options: CreateServiceAppOptions): Promise<FastifyInstance> {
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
  // After the telemetry plugin's hooks (refusals carry a trace id and count in the RED metrics), before any
  // route is added, so each route's access is fixed at registration.
  installRequestGuard(app, {
    serviceToken: 'serviceToken' in options ? options.serviceToken : process.env.VIGIL_SERVICE_TOKEN,
  });
  return app;
}
