import type { Registry } from 'prom-client';

export const UNMATCHED_ROUTE = 'unmatched';

/** Probes, scrapes and their kin are not traffic: no span, no RED series, no request log. */
export function isInfrastructureRoute(url: string): boolean {
  return url === '/metrics' || url === '/health' || url.startsWith('/health/');
}
/**
 * The statuses a route's RED series exist for from start-up, at 0, so its first requests count in
 * rate() and increase() (a series born at its first increment loses that increment): what the
 * route answers when it works (`config.statuses`, 200 unless declared) and the two 5xx every
 * service can answer (500 from the error handler, 503 from a fault or while closing). Other
 * statuses still get their series at first use.
 */
const STARTUP_ERROR_STATUSES: readonly number[] = [500, 503];

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * What this route answers when it works (and any other status worth a series from start-up);
     * 200 if not declared; [] for none (createStartupSeries).
     */
    statuses?: readonly number[];
  }
}

export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'CONNECT',
]);

/** One (method, route, status) series of both RED metrics, updated without hashing or allocation. */
export class RedSeries {
  readonly labels: Readonly<Record<string, string>>;
  count = 0;
  sum = 0;
  readonly buckets: Float64Array;
  // Latest exemplar per bucket (index buckets.length is +Inf): trace id, observed value, time (s).
  readonly exemplarTrace: (string | undefined)[];
  readonly exemplarValue: Float64Array;
  readonly exemplarTime: Float64Array;
  lastTrace: string | undefined;
  lastTraceTime = 0;

  constructor(labels: Record<string, string>, bucketCount: number) {
    this.labels = Object.freeze(labels);
    this.buckets = new Float64Array(bucketCount + 1);
    this.exemplarTrace = new Array(bucketCount + 1).fill(undefined);
    this.exemplarValue = new Float64Array(bucketCount + 1);
    this.exemplarTime = new Float64Array(bucketCount + 1);
  }

  observe(seconds: number, traceId: string | undefined): void {
    this.count++;
    this.sum += seconds;
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > (DURATION_BUCKETS[i] as number)) i++;
    this.buckets[i] = (this.buckets[i] as number) + 1;
    if (traceId !== undefined) {
      const now = Date.now() / 1000;
      this.exemplarTrace[i] = traceId;
      this.exemplarValue[i] = seconds;
      this.exemplarTime[i] = now;
      this.lastTrace = traceId;
      this.lastTraceTime = now;
    }
  }
}

/**
 * Series for one route template: a tiny per-method, per-status cache, so the hot path resolves its
 * labels with two small map lookups instead of building and hashing a label object per request.
 */
export class RouteSeries {
  readonly route: string;
  readonly #red: RedMetrics;
  readonly #byKey = new Map<string, RedSeries>();

  constructor(route: string, red: RedMetrics) {
    this.route = route;
    this.#red = red;
  }

  series(method: string, status: number): RedSeries {
    const key = method + status;
    let found = this.#byKey.get(key);
    if (found === undefined) {
      found = this.#red.create(KNOWN_METHODS.has(method) ? method : 'OTHER', this.route, status);
      this.#byKey.set(key, found);
    }
    return found;
  }
}

/**
 * Creates a route's series that exist from start-up, at 0 (STARTUP_ERROR_STATUSES): for each of
 * its methods but HEAD (Fastify adds one to every GET), its declared statuses (200 if none) and
 * 500/503. A route that declares `statuses: []` (operator calls) gets none. Called from an
 * onRoute hook, once per route.
 */
export function createStartupSeries(
  series: RouteSeries,
  methods: string | readonly string[],
  declared: readonly number[] = [200],
): void {
  if (declared.length === 0) return;
  const statuses = new Set([...declared, ...STARTUP_ERROR_STATUSES]);
  for (const method of [methods].flat()) {
    if (method === 'HEAD') continue;
    for (const status of statuses) series.series(method, status);
  }
}

interface ExposedExemplar {
  labelSet: Record<string, string>;
  value: number;
  timestamp: number;
}
interface ExposedValue {
  labels: Record<string, string | number>;
  sharedLabels: Readonly<Record<string, string>>;
  value: number;
  metricName?: string;
  exemplar?: ExposedExemplar | null;
}

/** A prom-client-compatible metric object (what Registry serializes), backed by RedSeries. */
class ExposedMetric {
  name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly aggregator = 'sum';
  readonly #values: () => ExposedValue[];

  constructor(name: string, help: string, type: 'counter' | 'histogram', values: () => ExposedValue[]) {
    this.name = name;
    this.help = help;
    this.type = type;
    this.#values = values;
  }
  async get() {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values: this.#values(),
      aggregator: this.aggregator,
    };
  }
  reset(): void {}
}

function exemplar(trace: string | undefined, value: number, time: number): ExposedExemplar | null {
  return trace === undefined ? null : { labelSet: { trace_id: trace }, value, timestamp: time };
}

/** http_requests_total and http_request_duration_seconds per the naming contract. */
export class RedMetrics {
  readonly #service: string;
  readonly #all: RedSeries[] = [];
  readonly #routes = new Map<string, RouteSeries>();

  constructor(service: string, registry: Registry) {
    this.#service = service;
    const counter = new ExposedMetric(
      'http_requests_total',
      'HTTP requests completed, by method, route template and status.',
      'counter',
      // No metricName: the registry names counter samples itself (adding _total for OpenMetrics).
      () =>
        this.#all.map((s) => ({
          labels: {},
          sharedLabels: s.labels,
          value: s.count,
          exemplar: exemplar(s.lastTrace, 1, s.lastTraceTime),
        })),
    );
    const histogram = new ExposedMetric(
      'http_request_duration_seconds',
      'HTTP request duration in seconds, by method, route template and status.',
      'histogram',
      () => this.#histogramValues(),
    );
    registry.registerMetric(counter as never);
    registry.registerMetric(histogram as never);
  }

  /** The series cache for a route template (or UNMATCHED_ROUTE); call once per route at setup. */
  route(template: string): RouteSeries {
    let found = this.#routes.get(template);
    if (found === undefined) {
      found = new RouteSeries(template, this);
      this.#routes.set(template, found);
    }
    return found;
  }

  create(method: string, route: string, status: number): RedSeries {
    const series = new RedSeries(
      { service: this.#service, method, route, status: String(status) },
      DURATION_BUCKETS.length,
    );
    this.#all.push(series);
    return series;
  }

  #histogramValues(): ExposedValue[] {
    const out: ExposedValue[] = [];
    const name = 'http_request_duration_seconds';
    for (const s of this.#all) {
      let cumulative = 0;
      for (let i = 0; i <= DURATION_BUCKETS.length; i++) {
        cumulative += s.buckets[i] as number;
        out.push({
          labels: { le: i < DURATION_BUCKETS.length ? (DURATION_BUCKETS[i] as number) : '+Inf' },
          sharedLabels: s.labels,
          value: cumulative,
          metricName: `${name}_bucket`,
          exemplar: exemplar(s.exemplarTrace[i], s.exemplarValue[i] as number, s.exemplarTime[i] as number),
        });
      }
      out.push({ labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${name}_sum` });
      out.push({ labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${name}_count` });
    }
    return out;
  }
}
