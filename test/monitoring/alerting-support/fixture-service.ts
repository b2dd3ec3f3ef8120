// A stand-in for a Vigil service while @vigil/telemetry is not runnable: Fastify with the
// RED metrics of the naming contract (OpenMetrics with trace_id exemplars) and the
// default process metrics. It produces no business or telemetry self-metrics on purpose.
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import type { LabelValues, OpenMetricsContentType } from 'prom-client';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

const service = process.env.SERVICE_NAME ?? 'user-service';
const port = Number(process.env.PORT ?? 0);

// prom-client's typings omit the constructor's content-type argument.
const OpenMetricsRegistry = Registry as unknown as new (
  contentType: OpenMetricsContentType,
) => Registry<OpenMetricsContentType>;
const registry = new OpenMetricsRegistry(Registry.OPENMETRICS_CONTENT_TYPE);
registry.setDefaultLabels({ service });
collectDefaultMetrics({ register: registry });
const labelNames = ['method', 'route', 'status'] as const;
const requests = new Counter({
  name: 'http_requests_total',
  help: 'HTTP requests',
  labelNames,
  registers: [registry],
});
const duration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request duration',
  labelNames,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  enableExemplars: true,
  registers: [registry],
});

const app = Fastify();
app.addHook('onResponse', async (req, reply) => {
  const route = req.routeOptions.url ?? 'unknown';
  if (route.startsWith('/metrics') || route.startsWith('/health')) return;
  const labels = { method: req.method, route, status: String(reply.statusCode) };
  requests.inc(labels);
  duration.observe({
    labels,
    value: reply.elapsedTime / 1000,
    exemplarLabels: { trace_id: randomBytes(16).toString('hex') } as LabelValues<string>,
  });
});
app.get('/users/:id', async () => ({ id: 1 }));
app.get('/fail', async (_req, reply) =>
  reply.code(500).send({ error: { code: 'INTERNAL_ERROR', message: 'x' } }),
);
app.get('/health/ready', async () => ({ status: 'ok' }));
// Always OpenMetrics: Prometheus asks for it first, and only OpenMetrics carries exemplars.
app.get('/metrics', async (_req, reply) => {
  reply.header('content-type', registry.contentType);
  return registry.metrics();
});
await app.listen({ port, host: '127.0.0.1' });
