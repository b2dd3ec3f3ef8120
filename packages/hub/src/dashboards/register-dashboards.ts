import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { loadDashboardCatalog } from './dashboard-specs.ts';
import { type DashboardsConfig, DEFAULT_DASHBOARDS_FILE, prometheusUrl } from './dashboards-config.ts';
import { registerDashboardsRoutes } from './dashboards-routes.ts';

/** Loads the console dashboard specs (throws on a corrupt file) and serves them with the Prometheus proxy. */
export function registerDashboards(app: FastifyInstance, config: DashboardsConfig, logger: Logger): void {
  const file = config.VIGIL_HUB_DASHBOARDS_FILE ?? DEFAULT_DASHBOARDS_FILE;
  const { catalog, missing } = loadDashboardCatalog(file);
  if (missing) logger.warn({ file }, 'no dashboard specs found; the console lists no dashboards');
  registerDashboardsRoutes(app, {
    catalog,
    prometheusUrl: prometheusUrl(config),
    timeoutMs: config.VIGIL_HUB_PROMETHEUS_TIMEOUT_MS,
  });
}
