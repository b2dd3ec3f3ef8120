import {
  createStartupSeries,
  isInfrastructureRoute,
  type RedMetrics,
  UNMATCHED_ROUTE,
} from '@vigil/telemetry/metrics';
import type { FastifyInstance } from 'fastify';

/**
 * RED metrics for the hub's own HTTP routes, with the services' names and labels
 * (`http_requests_total` / `http_request_duration_seconds` {service="hub", method, route, status}), so
 * the same recording rules, HighErrorRate, HighLatency and SLOs cover the telemetry backend. Scrapes
 * and probes (`/metrics`, `/health*`) are left out as in the services; live tails, which never
 * complete, are not observed. Call it before the routes are added: each route's series exist from
 * start-up, at 0 (createStartupSeries), so the first requests count in rate().
 */
export function instrumentHttp(app: FastifyInstance, red: RedMetrics): void {
  const unmatched = red.route(UNMATCHED_ROUTE);
  app.addHook('onRoute', (route) => {
    if (isInfrastructureRoute(route.url)) return;
    createStartupSeries(red.route(route.url), route.method, route.config?.statuses);
  });
  app.addHook('onResponse', async (req, reply) => {
    const template = req.routeOptions.url;
    if (template !== undefined && isInfrastructureRoute(template)) return;
    const series = template === undefined ? unmatched : red.route(template);
    series.series(req.method, reply.statusCode).observe(reply.elapsedTime / 1000, undefined);
  });
}
