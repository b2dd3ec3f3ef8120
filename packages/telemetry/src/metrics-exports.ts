// The metrics half of @vigil/telemetry without the tracing SDK: for processes that expose Prometheus
// metrics with the services' conventions but do not trace themselves (the hub).
export {
  createStartupSeries,
  DURATION_BUCKETS,
  isInfrastructureRoute,
  RedMetrics,
  UNMATCHED_ROUTE,
} from './http-metrics.ts';
export { createExposition, createRegistry, wantsOpenMetrics } from './metrics-registry.ts';
