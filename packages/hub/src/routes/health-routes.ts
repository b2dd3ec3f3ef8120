import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface HealthOptions {
  registry: Registry;
  /** Throws when the hub cannot serve (store unusable or shutting down). */
  check: () => void;
}

export function registerHealthRoutes(app: FastifyInstance, opts: HealthOptions): void {
  const ready = async (_req: unknown, reply: import('fastify').FastifyReply) => {
    try {
      opts.check();
      return { status: 'ok' };
    } catch (err) {
      return reply.code(503).send({ status: 'unavailable', reason: (err as Error).message });
    }
  };
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', ready);
  app.get('/health', ready);
  app.get('/metrics', async (req, reply) => {
    const openMetrics = (req.headers.accept ?? '').includes('application/openmetrics-text');
    if (openMetrics)
      opts.registry.setContentType('application/openmetrics-text; version=1.0.0; charset=utf-8' as never);
    else opts.registry.setContentType('text/plain; version=0.0.4; charset=utf-8' as never);
    return reply.type(opts.registry.contentType).send(await opts.registry.metrics());
  });
}
