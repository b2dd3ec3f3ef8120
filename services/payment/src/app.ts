import { createServiceApp, openDatabase } from '@vigil/service-kit';
import type { createTelemetry } from '@vigil/telemetry';
import type { FastifyInstance } from 'fastify';
import { migrations } from './adapters/migrations.ts';
import { createPaymentsRepository } from './adapters/payments-repository.ts';
import { createProcessor, type ProcessorOptions } from './domain/processor.ts';
import { registerPaymentsRoutes } from './routes/payments-routes.ts';

export type Telemetry = ReturnType<typeof createTelemetry>;

export interface BuildAppOptions {
  telemetry: Telemetry;
  /** SQLite file, or `:memory:` in tests. */
  databaseFile: string;
  processor?: ProcessorOptions;
}

/** The payment-service app without a listening socket (tests drive it with app.inject). */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { telemetry } = options;
  const db = openDatabase(options.databaseFile, migrations);
  try {
    const app = await createServiceApp({ telemetry });
    app.addHook('onClose', async () => {
      db.close();
    });
    const ping = db.prepare('SELECT 1');
    telemetry.health.addCheck('database', () => {
      ping.get();
    });
    const payments = telemetry.counter({
      name: 'payments_total',
      help: 'Settled payments by method and outcome (succeeded, declined).',
      labelNames: ['method', 'status'],
    });
    const repository = createPaymentsRepository(db);
    const processor = createProcessor(options.processor ?? { medianMs: 6, sigma: 0.5 });
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
  } catch (err) {
    db.close();
    throw err;
  }
}
