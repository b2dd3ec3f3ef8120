import { getHeapStatistics } from 'node:v8';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

export const OPENMETRICS_CONTENT_TYPE = Registry.OPENMETRICS_CONTENT_TYPE;
export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

export function createRegistry(): Registry {
  const registry = new Registry();
  // Event-loop lag, heap, GC, handles, CPU: the runtime half of every service dashboard.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  // Gauges named *_total break the exposition conventions (promtool flags them); the per-type
  // nodejs_active_handles / _requests / _resources gauges carry the same information.
  for (const name of [
    'nodejs_active_handles_total',
    'nodejs_active_requests_total',
    'nodejs_active_resources_total',
  ]) {
    registry.removeSingleMetric(name);
  }
  // The heap size at which V8 kills the process (--max-old-space-size): what ProcessNearMemoryLimit
  // compares nodejs_heap_size_used_bytes with.
  new Gauge({
    name: 'nodejs_heap_size_limit_bytes',
    help: 'V8 heap size limit in bytes (heap_size_limit; --max-old-space-size): the heap never grows past it.',
    registers: [registry],
    collect() {
      this.set(getHeapStatistics().heap_size_limit);
    },
  });
  return registry;
}

/** OpenMetrics only when the scraper lists it in Accept (Prometheus does when exemplar storage is on). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept?.includes('application/openmetrics-text') === true;
}

/**
 * One registry serves both formats. prom-client renames counters (drops `_total`) while rendering
 * OpenMetrics and never renames them back, so names are restored after each such scrape, and scrapes
 * are serialized so one format's rendering never sees the other's content type.
 */
export function createExposition(registry: Registry) {
  let queue: Promise<unknown> = Promise.resolve();
  async function render(openMetrics: boolean): Promise<string> {
    const metrics = registry.getMetricsAsArray();
    const names = metrics.map((m) => m.name);
    try {
      // The declared type pins a registry to the format it was built with; switching is supported at runtime.
      (registry as unknown as { setContentType(t: string): void }).setContentType(
        openMetrics ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE,
      );
      return await registry.metrics();
    } finally {
      metrics.forEach((m, i) => {
        (m as { name: string }).name = names[i] as string;
      });
      registry.setContentType(PROMETHEUS_CONTENT_TYPE);
    }
  }
  return function scrape(accept: string | undefined): Promise<{ contentType: string; body: string }> {
    const openMetrics = wantsOpenMetrics(accept);
    const result = queue.then(() => render(openMetrics));
    queue = result.catch(() => undefined);
    return result.then((body) => ({
      contentType: openMetrics ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE,
      body,
    }));
  };
}
