import { createServiceApp, type SqliteDatabase } from '@vigil/service-kit';
import type { Telemetry } from '@vigil/telemetry';
import type { FastifyInstance } from 'fastify';
import { migrations } from './adapters/migrations.ts';
import { createOrderWorker } from './adapters/order-worker.ts';
import { createOrdersRepository } from './adapters/orders-repository.ts';
import { createServiceClient } from './adapters/service-client.ts';
import { type OrderConfig, readConfig } from './config.ts';
import { createCheckout } from './domain/checkout.ts';
import { ORDER_STATUSES } from './domain/order.ts';
import { registerOrdersRoutes } from './routes/orders-routes.ts';

export interface BuildAppOptions {
  telemetry: Telemetry;
  /** SQLite file (default `:memory:`, for tests). */
  databaseFile?: string;
  /** An already opened database; the app closes it on shutdown. */
  database?: SqliteDatabase;
  /** Defaults to the defaults of config.ts (tests). */
  config?: Omit<OrderConfig, 'HOST' | 'PORT' | 'VIGIL_DATA_DIR' | 'VIGIL_ADMIN_TOKEN'>;
}

/** The order-service app and its background worker (started when the app is ready). */
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
  const dependencyCalls = telemetry.counter({
    name: 'dependency_requests_total',
    help: 'Calls from order-service to other services, by outcome (ok, client_error, timeout, unavailable, server_error).',
    labelNames: ['dependency', 'outcome'],
  });
  const client = (name: string, baseUrl: string, timeoutMs: number) =>
    createServiceClient({
      name,
      baseUrl,
      timeoutMs,
      retries: config.ORDER_CALL_RETRIES,
      backoffBaseMs: config.ORDER_RETRY_BASE_MS,
      onOutcome: (dependency, outcome) => dependencyCalls.inc({ dependency, outcome }),
    });
  const users = client('user-service', config.USER_SERVICE_URL, config.ORDER_CALL_TIMEOUT_MS);
  const products = client('product-service', config.PRODUCT_SERVICE_URL, config.ORDER_CALL_TIMEOUT_MS);
  const payments = client('payment-service', config.PAYMENT_SERVICE_URL, config.ORDER_PAYMENT_TIMEOUT_MS);
  const notifications = client(
    'notification-service',
    config.NOTIFICATION_SERVICE_URL,
    config.ORDER_CALL_TIMEOUT_MS,
  );

  const created = telemetry.counter({
    name: 'orders_created_total',
    help: 'Orders accepted for payment (stock reserved, card tokenized), by customer segment.',
    labelNames: ['segment'],
  });
  const value = telemetry.histogram({
    name: 'order_value_dollars',
    help: 'Value of completed orders in dollars.',
    labelNames: ['segment'],
    buckets: [10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
  });
  const funnel = telemetry.counter({
    name: 'checkout_funnel_total',
    help: 'Checkout steps reached (cart, shipping, payment, confirmation) and whether each succeeded.',
    labelNames: ['step', 'status'],
  });
  const duration = telemetry.histogram({
    name: 'order_processing_duration_seconds',
    help: 'Time to place an order (POST /orders), by the resulting order status.',
    labelNames: ['status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  const tasks = telemetry.counter({
    name: 'order_outbox_tasks_total',
    help: 'Outbox task attempts (commit/release stock, send confirmation) by result (done, retry, dead).',
    labelNames: ['kind', 'status'],
  });
  const byStatus = telemetry.gauge({
    name: 'orders_by_status',
    help: 'Orders stored, by status; awaiting_payment growing means payment is down.',
    labelNames: ['status'],
  });

  const repository = createOrdersRepository(db);
  let kick = () => {};
  const checkout = createCheckout({
    repository,
    users,
    products,
    payments,
    logger: telemetry.logger,
    kick: () => kick(),
    chargeRetryBaseMs: Math.max(100, config.ORDER_RETRY_BASE_MS * 4),
    chargeRetryMaxMs: config.ORDER_CHARGE_RETRY_MAX_MS,
    chargeGraceMs: config.ORDER_CHARGE_GRACE_MS,
    metrics: {
      funnel: (step, status) => funnel.inc({ step, status }),
      created: (segment) => created.inc({ segment }),
      completed: (segment, dollars) => value.observe({ segment }, dollars),
      duration: (status, seconds) => duration.observe({ status }, seconds),
    },
  });
  const worker = createOrderWorker({
    repository,
    checkout,
    users,
    products,
    notifications,
    tracer: telemetry.tracer,
    logger: telemetry.logger,
    pollMs: config.ORDER_WORKER_POLL_MS,
    taskMaxAttempts: config.ORDER_TASK_MAX_ATTEMPTS,
    taskRetryBaseMs: Math.max(100, config.ORDER_RETRY_BASE_MS * 4),
    taskRetryMaxMs: config.ORDER_CHARGE_RETRY_MAX_MS,
    stalePendingMs: config.ORDER_STALE_PENDING_MS,
    onTask: (kind, status) => tasks.inc({ kind, status }),
  });
  kick = worker.kick;
  registerOrdersRoutes(app, { repository, checkout, payments });

  const refreshStatusGauge = () => {
    const counts = repository.statusCounts();
    for (const status of ORDER_STATUSES) byStatus.set({ status }, counts[status] ?? 0);
  };
  let gaugeTimer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    refreshStatusGauge();
    gaugeTimer = setInterval(refreshStatusGauge, 5_000);
    gaugeTimer.unref();
    worker.start();
  });
  app.addHook('onClose', async () => {
    clearInterval(gaugeTimer);
    await worker.stop();
    await Promise.all([users, products, payments, notifications].map((c) => c.close()));
  });
  return app;
}
