import { createServiceApp, type SqliteDatabase } from '@vigil/service-kit';
import type { Telemetry } from '@vigil/telemetry';
import type { FastifyInstance } from 'fastify';
import { migrations } from './adapters/migrations.ts';
import { createPaymentsRepository } from './adapters/payments-repository.ts';
import { type PaymentConfig, readConfig } from './config.ts';
import { createProcessor } from './domain/processor.ts';
import { registerPaymentsRoutes } from './routes/payments-routes.ts';

export interface BuildAppOptions {
  telemetry: Telemetry;
  /** SQLite file (default `:memory:`, for tests). */
  databaseFile?: string;
  /** An already opened database; the app closes it on shutdown. */
  database?: SqliteDatabase;
  /** Defaults to the defaults of config.ts (tests). */
  config?: Pick<PaymentConfig, 'PAYMENT_LATENCY_MEDIAN_MS' | 'PAYMENT_LATENCY_SIGMA'>;
}

/** The payment-service app without a listening socket (tests drive it with app.inject). */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { telemetry } = options;
  const { app, db } = await createServiceApp({
    telemetry,
    database: options.database ?? { file: options.databaseFile ?? ':memory:', migrations },
  });
  const payments = telemetry.counter({
    name: 'payments_total',
    help: 'Settled payments by method and outcome (succeeded, declined).',
    labelNames: ['method', 'status'],
    known: { method: ['card'], status: ['succeeded', 'declined'] },
  });
  const repository = createPaymentsRepository(db);
  const config = options.config ?? readConfig({});
  const processor = createProcessor({
    medianMs: config.PAYMENT_LATENCY_MEDIAN_MS,
    sigma: config.PAYMENT_LATENCY_SIGMA,
  });
  // A crash between "processing" and "settled" leaves rows the processor already decided; settle them now.
  for (const record of repository.interrupted()) {
    const verdict = processor.decide(record.outcome);
    const payment = verdict.approved
      ? repository.finish(record.payment.id, 'succeeded', null)
      : repository.finish(record.payment.id, 'declined', verdict.reason);
    payments.inc({ method: 'card', status: payment.status });
    telemetry.logger.warn(
      { event: 'payment_recovered', payment_id: payment.id, status: payment.status },
      'interrupted payment settled at startup',
    );
  }
  registerPaymentsRoutes(app, {
    repository,
    processor,
    onSettled: (payment) => payments.inc({ method: payment.method, status: payment.status }),
  });
  return app;
}
