import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { type FaultsPluginOptions, faultsFastifyPlugin } from './faults/index.ts';
import type { Health } from './health.ts';
import type { RequestInstrumentation } from './request-instrumentation.ts';

export interface PluginParts {
  health: Health;
  scrape(accept: string | undefined): Promise<{ contentType: string; body: string }>;
  /** Absent when VIGIL_TELEMETRY=off: no spans, RED metrics or request logs. */
  instrumentation: RequestInstrumentation | undefined;
  /** Fault injection (/admin/faults and its effects); on in every service, even with telemetry off. */
  faults?: FaultsPluginOptions;
}

/** Spans, RED metrics, request logs and x-trace-id for every route; /metrics and /health/* beside them. */
export function createFastifyPlugin(parts: PluginParts): FastifyPluginAsync {
  const { health, scrape, instrumentation } = parts;

  async function telemetryPlugin(app: FastifyInstance): Promise<void> {
    if (instrumentation !== undefined) {
      app.addHook('onRoute', instrumentation.onRoute);
      app.addHook('onRequest', instrumentation.onRequest);
      app.addHook('onError', instrumentation.onError);
      app.addHook('onSend', instrumentation.onSend);
    }
    // After the span hook, so injected faults are recorded on the request's span.
    await app.register(faultsFastifyPlugin, parts.faults ?? {});

    app.get('/metrics', async (request, reply) => {
      const { contentType, body } = await scrape(request.headers.accept);
      return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
    });

    app.get('/health/live', async (_request, reply) =>
      reply.header('cache-control', 'no-store').send({ status: 'ok' }),
    );

    const ready = async (_request: unknown, reply: import('fastify').FastifyReply) => {
      const readiness = await health.readiness();
      reply.header('cache-control', 'no-store');
      if (readiness.ready) return reply.send({ status: 'ok', checks: readiness.checks });
      const failing = readiness.checks.filter((c) => c.status !== 'ok').map((c) => c.name);
      const error =
        readiness.status === 'shutting_down'
          ? { code: 'SHUTTING_DOWN', message: 'the service is shutting down' }
          : { code: 'NOT_READY', message: `failing checks: ${failing.join(', ')}` };
      return reply.code(503).send({ status: readiness.status, failing, checks: readiness.checks, error });
    };
    app.get('/health/ready', ready);
    app.get('/health', ready);
  }

  return fp(telemetryPlugin, { name: '@vigil/telemetry', fastify: '5.x' });
}
