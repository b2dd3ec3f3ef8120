import { createServiceApp, type SqliteDatabase } from '@vigil/service-kit';
import type { Telemetry } from '@vigil/telemetry';
import type { FastifyInstance } from 'fastify';
import { createEmailSender } from './adapters/email-sender.ts';
import { migrations } from './adapters/migrations.ts';
import { createOutboxRepository } from './adapters/outbox-repository.ts';
import { createOutboxWorker } from './adapters/outbox-worker.ts';
import { createWebhookSender } from './adapters/webhook-sender.ts';
import { type NotificationConfig, readConfig } from './config.ts';
import { registerNotificationsRoutes } from './routes/notifications-routes.ts';

export interface BuildAppOptions {
  telemetry: Telemetry;
  /** SQLite file (default `:memory:`, for tests). */
  databaseFile?: string;
  /** An already opened database; the app closes it on shutdown. */
  database?: SqliteDatabase;
  /** Defaults to the defaults of config.ts (tests). */
  config?: Pick<
    NotificationConfig,
    | 'SMTP_HOST'
    | 'SMTP_PORT'
    | 'SMTP_FROM'
    | 'NOTIFY_MAX_ATTEMPTS'
    | 'NOTIFY_RETRY_BASE_MS'
    | 'NOTIFY_RETRY_MAX_MS'
    | 'NOTIFY_POLL_MS'
    | 'NOTIFY_SEND_TIMEOUT_MS'
    | 'NOTIFY_WEBHOOK_ALLOW'
  >;
}

/** The notification-service app and its outbox worker (started when the app is ready). */
export async function buildApp({
  telemetry,
  databaseFile,
  database,
  config = readConfig({}),
}: BuildAppOptions): Promise<FastifyInstance> {
  const { app, db } = await createServiceApp({
    telemetry,
    database: database ?? { file: databaseFile ?? ':memory:', migrations },
  });
  const sent = telemetry.counter({
    name: 'notifications_sent_total',
    help: 'Notification delivery attempts by channel and result (sent, retry, dead).',
    labelNames: ['channel', 'status'],
    known: { channel: ['email', 'webhook'], status: ['sent', 'retry', 'dead'] },
  });
  const repository = createOutboxRepository(db);
  const depth = telemetry.gauge({
    name: 'notification_outbox_entries',
    help: 'Outbox entries by status; pending growing means deliveries are failing.',
    labelNames: ['status'],
  });
  const email = createEmailSender({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    from: config.SMTP_FROM,
    timeoutMs: config.NOTIFY_SEND_TIMEOUT_MS,
  });
  const webhook = createWebhookSender({
    timeoutMs: config.NOTIFY_SEND_TIMEOUT_MS,
    allow: config.NOTIFY_WEBHOOK_ALLOW,
  });
  const worker = createOutboxWorker({
    repository,
    email,
    webhook,
    tracer: telemetry.tracer,
    logger: telemetry.logger,
    backoff: { baseMs: config.NOTIFY_RETRY_BASE_MS, maxMs: config.NOTIFY_RETRY_MAX_MS },
    maxAttempts: config.NOTIFY_MAX_ATTEMPTS,
    pollMs: config.NOTIFY_POLL_MS,
    onResult: (channel, status) => {
      sent.inc({ channel, status });
      const counts = repository.counts();
      for (const [status, n] of Object.entries(counts)) depth.set({ status }, n);
    },
  });
  registerNotificationsRoutes(app, {
    repository,
    webhookRefusal: (url) => webhook.refusal(url),
    onQueued: () => {
      depth.inc({ status: 'pending' });
      worker.kick();
    },
  });
  app.addHook('onReady', async () => {
    for (const [status, n] of Object.entries(repository.counts())) depth.set({ status }, n);
    worker.start();
  });
  app.addHook('onClose', async () => {
    await worker.stop();
    email.close();
    await webhook.close();
  });
  return app;
}
