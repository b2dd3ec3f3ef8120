import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import pino, { type Logger } from 'pino';
import { registerAlertsRoutes } from './alerts/alerts-routes.ts';
import { readWebhookToken } from './auth/bearer.ts';
import type { HubConfig } from './config.ts';
import { type Console, registerConsole } from './console.ts';
import { registerDashboards } from './dashboards/register-dashboards.ts';
import { instrumentHttp } from './http-metrics.ts';
import { createHubMetrics, type HubMetrics } from './metrics.ts';
import { CardinalityGuard } from './otlp/input-guard.ts';
import { buildReceiverApp } from './otlp/receiver.ts';
import { DependencyQuery } from './query/dependency-query.ts';
import { LogStore } from './query/log-store.ts';
import { QueryError } from './query/params.ts';
import { TraceStore } from './query/trace-store.ts';
import { registerHealthRoutes } from './routes/health-routes.ts';
import { registerJaegerRoutes } from './routes/jaeger-routes.ts';
import { registerLogRoutes } from './routes/log-routes.ts';
import { registerRunbooksRoutes } from './runbooks/runbooks-routes.ts';
import { type HubDatabase, openHubDatabase } from './storage/database.ts';
import { IngestQueue } from './storage/ingest-queue.ts';
import { fileBytes } from './storage/retention.ts';
import { StoreWriter } from './storage/writer.ts';
import { uiStatic } from './ui-static.ts';

export interface Hub {
  /** OTLP/HTTP receiver (HUB_OTLP_PORT). */
  receiver: FastifyInstance;
  /** Query API, health, metrics and console (HUB_PORT). */
  query: FastifyInstance;
  db: HubDatabase;
  dbFile: string;
  writer: StoreWriter;
  metrics: HubMetrics;
  /** Alerts, incidents, on-call and escalation (console.db). */
  console: Console;
  /** Ordered, idempotent: stop ingest (503), commit the queue, close the apps, close the database. */
  close(): Promise<void>;
}

export interface HubOptions {
  logger?: Logger;
  /** Serve the console from here instead of packages/hub/ui/dist. */
  uiDistDir?: string;
}

export async function createHub(config: HubConfig, opts: HubOptions = {}): Promise<Hub> {
  const logger = opts.logger ?? pino({ level: config.LOG_LEVEL, base: { service: 'hub' } });
  const dbFile = join(config.VIGIL_DATA_DIR, 'hub.db');
  // This connection reads (queries, health); the writer thread has its own for inserts and retention.
  const db = openHubDatabase(dbFile);
  const queue = new IngestQueue({
    maxItems: config.VIGIL_HUB_QUEUE_MAX_ITEMS,
    maxBytes: config.VIGIL_HUB_QUEUE_MAX_BYTES,
  });
  const writer = new StoreWriter(
    {
      file: dbFile,
      batch: config.VIGIL_HUB_WRITE_BATCH,
      retention: {
        maxAgeMs: config.VIGIL_HUB_RETENTION_HOURS * 3_600_000,
        maxBytes: config.VIGIL_HUB_MAX_DB_MB * 1024 * 1024,
        intervalMs: config.VIGIL_HUB_RETENTION_INTERVAL_MS,
      },
    },
    queue,
  );
  try {
    await writer.ready();
  } catch (err) {
    db.close();
    throw err;
  }
  const metrics = createHubMetrics({ queueSize: () => queue.items, dbBytes: () => fileBytes(dbFile) });
  writer.on('spans', (n: number) => metrics.spansStored.inc(n));
  writer.on('logs', (rows: unknown[]) => metrics.logsStored.inc(rows.length));
  writer.on('write_error', (err: Error) => logger.error({ err }, 'hub store write failed'));

  writer.on('retention', (spans: number, logs: number) => {
    if (spans > 0) metrics.retentionDeleted.inc({ table: 'spans' }, spans);
    if (logs > 0) metrics.retentionDeleted.inc({ table: 'logs' }, logs);
  });
  writer.on('retention_error', (err: Error) =>
    logger.warn({ err }, 'retention pass failed; retrying next interval'),
  );

  const limits = {
    maxAttributes: config.VIGIL_HUB_MAX_ATTRIBUTES,
    maxValueLength: config.VIGIL_HUB_MAX_VALUE_LENGTH,
    maxDepth: config.VIGIL_HUB_MAX_DEPTH,
  };
  const guard = new CardinalityGuard(
    { maxServices: config.VIGIL_HUB_MAX_SERVICES, maxOperationsPerService: config.VIGIL_HUB_MAX_OPERATIONS },
    db.prepare('SELECT DISTINCT service, name FROM operations').iterate() as Iterable<{
      service: string;
      name: string;
    }>,
  );
  const receiver = await buildReceiverApp({
    writer,
    metrics,
    limits,
    maxBodyBytes: config.VIGIL_HUB_MAX_BODY_BYTES,
    logger,
    guard,
  });

  let closing = false;
  const query = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  instrumentHttp(query, metrics.red);
  query.addHook('onRequest', async (_req, reply) => {
    // The hub does not trace itself (its spans would loop back into it); the id still correlates a response.
    reply.header('x-trace-id', randomBytes(16).toString('hex'));
  });
  query.setErrorHandler((err: { statusCode?: number; code?: string; message?: string }, req, reply) => {
    if (err instanceof QueryError) {
      const jaeger = req.url.startsWith('/api/') && !req.url.startsWith('/api/logs');
      return reply.code(400).send({
        error: { code: 'INVALID_QUERY', message: err.message },
        // Jaeger's error envelope (structuredResponse with one structuredError) on its endpoints.
        ...(jaeger
          ? { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 400, msg: err.jaegerMessage }] }
          : {}),
      });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send({
        error: { code: status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', message: 'the request was rejected' },
      });
    }
    req.log.error({ err }, 'query failed');
    return reply.code(500).send({ error: { code: 'INTERNAL_ERROR', message: 'internal error' } });
  });
  registerHealthRoutes(query, {
    registry: metrics.registry,
    check: () => {
      if (closing) throw new Error('shutting down');
      if (!writer.running) throw new Error('store writer stopped');
      db.prepare('SELECT 1').get();
    },
  });
  const dependencies = new DependencyQuery(dbFile);
  registerJaegerRoutes(query, new TraceStore(db), dependencies);
  registerLogRoutes(query, new LogStore(db), writer, {
    maxStreams: config.VIGIL_HUB_MAX_STREAMS,
    maxBufferBytes: config.VIGIL_HUB_STREAM_MAX_BUFFER_BYTES,
    metrics,
  });
  registerDashboards(query, config, logger);
  registerRunbooksRoutes(query, config.VIGIL_HUB_RUNBOOKS_DIR ? { dir: config.VIGIL_HUB_RUNBOOKS_DIR } : {});
  // Read once at start: `vigil start` writes a fresh token before it starts the hub and Alertmanager.
  const webhookToken = readWebhookToken(config.VIGIL_HUB_WEBHOOK_TOKEN_FILE);
  const alertConsole = await registerConsole(query, config, logger, metrics.registry, webhookToken);
  await registerAlertsRoutes(query, config, webhookToken, alertConsole);
  await uiStatic(query, opts.uiDistDir ? { distDir: opts.uiDistDir } : {});

  let closed: Promise<void> | null = null;
  return {
    receiver,
    query,
    db,
    dbFile,
    writer,
    metrics,
    console: alertConsole,
    close() {
      closed ??= (async () => {
        closing = true;
        await writer.close();
        await receiver.close();
        await query.close();
        await alertConsole.close();
        await dependencies.close();
        db.close();
      })();
      return closed;
    },
  };
}
