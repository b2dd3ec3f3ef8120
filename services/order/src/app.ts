import { trace } from '@opentelemetry/api';
import {
  backoffMs,
  cardBrandLabel,
  createServiceApp,
  type SqliteDatabase,
  segmentLabel,
} from '@vigil/service-kit';
import type { Telemetry } from '@vigil/telemetry';
import { component } from '@vigil/topology';
import type { FastifyInstance } from 'fastify';
import {
  httpConfirmations,
  httpCustomerDirectory,
  httpInventory,
  httpPayments,
} from './adapters/http-ports.ts';
import { migrations } from './adapters/migrations.ts';
import { createOrderWorker } from './adapters/order-worker.ts';
import { createOrdersRepository } from './adapters/orders-repository.ts';
import { createOutboxSignal } from './adapters/outbox-notifier.ts';
import { createServiceClient } from './adapters/service-client.ts';
import { type OrderConfig, readConfig } from './config.ts';
import { createCheckout } from './domain/checkout.ts';
import { ORDER_STATUSES } from './domain/order.ts';
import { KNOWN_LABELS } from './domain/order-metrics.ts';
import { createOutboxTasks } from './domain/outbox.ts';
import { FAILURE_REASONS } from './domain/ports.ts';
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
    // DependencyFailing divides the failing outcomes' rate by all outcomes': each (dependency,
    // outcome) exists at 0 from start-up, so a dependency failing from the first call is seen.
    known: {
      dependency: component('order-service').calls,
      outcome: ['ok', 'client_error', ...FAILURE_REASONS],
    },
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

  // The brief's business metrics (docs/telemetry.md, "Business metrics"); every known label
  // combination exists at 0 from start-up so the first order is an increase Prometheus sees.
  const created = telemetry.counter({
    name: 'orders_created_total',
    help: 'Orders accepted for payment (stock reserved, card sent to be charged), by the category of their largest line, card brand and customer segment.',
    labelNames: ['product_category', 'payment_method', 'customer_segment'],
    known: KNOWN_LABELS.created,
  });
  const value = telemetry.histogram({
    name: 'order_value_dollars',
    help: 'Value of completed orders in dollars, by the category of their largest line and customer segment.',
    labelNames: ['product_category', 'customer_segment'],
    buckets: [10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
    known: KNOWN_LABELS.value,
  });
  const funnel = telemetry.counter({
    name: 'checkout_funnel_total',
    help: 'Checkout steps reached (cart, shipping, payment, confirmation) and whether each succeeded.',
    labelNames: ['step', 'status'],
    known: KNOWN_LABELS.funnel,
  });
  const duration = telemetry.histogram({
    name: 'order_processing_duration_seconds',
    help: 'Time to place an order (POST /orders), by complexity (simple = 1 item, standard = 2-5, complex = 6+) and resulting status.',
    labelNames: ['complexity', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    known: KNOWN_LABELS.duration,
  });
  const highValue = telemetry.counter({
    name: 'high_value_checkouts_total',
    help: 'Checkouts above ORDER_HIGH_VALUE_DOLLARS that reached payment, by outcome (completed, payment_failed).',
    labelNames: ['outcome'],
    known: KNOWN_LABELS.highValue,
  });
  telemetry
    .gauge({
      name: 'order_high_value_threshold_dollars',
      help: 'Order total (dollars) above which a checkout counts in high_value_checkouts_total.',
    })
    .set(config.ORDER_HIGH_VALUE_DOLLARS);
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
  const outbox = createOutboxSignal();
  const customers = httpCustomerDirectory(users);
  const inventory = httpInventory(products);
  const checkout = createCheckout({
    store: repository,
    customers,
    inventory,
    payments: httpPayments(payments),
    outbox,
    logger: telemetry.logger,
    trace: { annotate: (key, value) => trace.getActiveSpan()?.setAttribute(key, value) },
    chargeRetryDelayMs: (attempt) =>
      backoffMs(attempt, {
        baseMs: Math.max(100, config.ORDER_RETRY_BASE_MS * 4),
        maxMs: config.ORDER_CHARGE_RETRY_MAX_MS,
      }),
    chargeRetryBaseMs: Math.max(100, config.ORDER_RETRY_BASE_MS * 4),
    chargeGraceMs: config.ORDER_CHARGE_GRACE_MS,
    highValueCents: Math.round(config.ORDER_HIGH_VALUE_DOLLARS * 100),
    metrics: {
      funnel: (step, status) => funnel.inc({ step, status }),
      created: (labels) =>
        created.inc({
          ...labels,
          payment_method: cardBrandLabel(labels.payment_method),
          customer_segment: segmentLabel(labels.customer_segment),
        }),
      completed: (labels, dollars) =>
        value.observe({ ...labels, customer_segment: segmentLabel(labels.customer_segment) }, dollars),
      duration: (complexity, status, seconds) => duration.observe({ complexity, status }, seconds),
      highValue: (outcome) => highValue.inc({ outcome }),
    },
  });
  const worker = createOrderWorker({
    repository,
    tasks: createOutboxTasks({
      store: repository,
      inventory,
      customers,
      confirmations: httpConfirmations(notifications),
    }),
    charge: checkout.charge,
    outbox,
    tracer: telemetry.tracer,
    logger: telemetry.logger,
    pollMs: config.ORDER_WORKER_POLL_MS,
    lingerMs: config.ORDER_OUTBOX_LINGER_MS,
    taskMaxAttempts: config.ORDER_TASK_MAX_ATTEMPTS,
    taskRetryBaseMs: Math.max(100, config.ORDER_RETRY_BASE_MS * 4),
    taskRetryMaxMs: config.ORDER_CHARGE_RETRY_MAX_MS,
    stalePendingMs: config.ORDER_STALE_PENDING_MS,
    onTask: (kind, status) => tasks.inc({ kind, status }),
  });
  registerOrdersRoutes(app, checkout);

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
