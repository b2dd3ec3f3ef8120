import type { FastifyInstance, FastifyReply } from 'fastify';
import type { DashboardCatalog } from './dashboard-specs.ts';
import { askPrometheus, PrometheusUnavailable } from './prometheus-client.ts';
import { instantParams, ParamError, rangeParams } from './prometheus-params.ts';

export interface DashboardsRoutesOptions {
  catalog: DashboardCatalog;
  prometheusUrl: string;
  timeoutMs: number;
}

function fail(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).send({ error: { code, message } });
}

interface PrometheusError {
  status?: string;
  errorType?: string;
  error?: string;
}

/** Dashboard definitions and the two read-only Prometheus query endpoints the console draws them with. */
export function registerDashboardsRoutes(app: FastifyInstance, opts: DashboardsRoutesOptions): void {
  app.get('/api/dashboards', async () => ({ data: opts.catalog.list() }));

  app.get<{ Params: { uid: string } }>('/api/dashboards/:uid', async (req, reply) => {
    const dashboard = opts.catalog.get(req.params.uid);
    if (!dashboard)
      return fail(reply, 404, 'NOT_FOUND', `no dashboard with uid ${req.params.uid.slice(0, 80)}`);
    return { data: dashboard };
  });

  const proxy = async (
    endpoint: 'query' | 'query_range',
    params: Record<string, string>,
    reply: FastifyReply,
  ) => {
    let answer: Awaited<ReturnType<typeof askPrometheus>>;
    try {
      answer = await askPrometheus(opts.prometheusUrl, endpoint, params, opts.timeoutMs);
    } catch (err) {
      if (!(err instanceof PrometheusUnavailable)) throw err;
      return fail(
        reply,
        err.timedOut ? 504 : 502,
        err.timedOut ? 'PROMETHEUS_TIMEOUT' : 'PROMETHEUS_UNAVAILABLE',
        err.message,
      );
    }
    if (answer.status === 200) return reply.send(answer.body);
    const message = (answer.body as PrometheusError).error ?? `Prometheus answered ${answer.status}`;
    if (answer.status === 400) return fail(reply, 400, 'INVALID_QUERY', message);
    if (answer.status === 422) return fail(reply, 422, 'QUERY_FAILED', message);
    if (answer.status === 503 && (answer.body as PrometheusError).errorType === 'timeout')
      return fail(reply, 504, 'PROMETHEUS_TIMEOUT', message);
    return fail(reply, 502, 'PROMETHEUS_UNAVAILABLE', message);
  };

  app.get('/api/prometheus/query', async (req, reply) => {
    let params: ReturnType<typeof instantParams>;
    try {
      params = instantParams(req.query);
    } catch (err) {
      if (err instanceof ParamError) return fail(reply, 400, 'INVALID_QUERY', err.message);
      throw err;
    }
    return proxy('query', { ...params }, reply);
  });

  app.get('/api/prometheus/query_range', async (req, reply) => {
    let params: ReturnType<typeof rangeParams>;
    try {
      params = rangeParams(req.query);
    } catch (err) {
      if (err instanceof ParamError) return fail(reply, 400, 'INVALID_QUERY', err.message);
      throw err;
    }
    return proxy('query_range', { ...params }, reply);
  });
}
