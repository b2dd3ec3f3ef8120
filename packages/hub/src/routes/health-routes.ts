import { createExposition } from '@vigil/telemetry/metrics';
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
  // The services' exposition: one registry, both formats, counter names restored after an OpenMetrics scrape.
  const scrape = createExposition(opts.registry);
  app.get('/metrics', async (req, reply) => {
    const { contentType, body } = await scrape(req.headers.accept);
    return reply.type(contentType).send(body);
  });
}
