import { type Tracer, trace } from '@opentelemetry/api';
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Gauge, Registry } from 'prom-client';
import {
  type BusinessCounter,
  type BusinessHistogram,
  createBusinessMetrics,
  type HistogramOptions,
  type MetricOptions,
} from './business-metrics.ts';
import { readConfig, type TelemetryConfig, type TelemetryOptions } from './config.ts';
import { createFastifyPlugin } from './fastify-plugin.ts';
import { createHealth, type Health } from './health.ts';
import { RedMetrics } from './http-metrics.ts';
import { createLogging } from './logging.ts';
import { createExposition, createRegistry } from './metrics-registry.ts';
import { createOtlpLogs, logsAccounting } from './otlp-logs.ts';
import { createRequestInstrumentation } from './request-instrumentation.ts';
import { createResource } from './resource.ts';
import { registerSelfMetrics } from './self-metrics.ts';
import { createLifecycle, type ListenableApp } from './shutdown.ts';
import { createTracing } from './tracing.ts';
import { createWarnOnce } from './warn-once.ts';

export interface Telemetry {
  readonly config: Readonly<TelemetryConfig>;
  readonly logger: Logger;
  readonly tracer: Tracer;
  readonly registry: Registry;
  readonly health: Health;
  readonly plugin: FastifyPluginAsync;
  counter(options: MetricOptions): BusinessCounter;
  histogram(options: HistogramOptions): BusinessHistogram;
  gauge(options: MetricOptions): Gauge;
  /** Listen, then on SIGTERM/SIGINT shut down in order and exit 0. Resolves to the listening address. */
  start(app: ListenableApp, listen: { port: number; host?: string }): Promise<string>;
  /** Idempotent: readiness 503, drain the app, flush telemetry, all within the shutdown bound. */
  shutdown(): Promise<void>;
  /** Force export of buffered spans and log records (tests, batch jobs). */
  flush(): Promise<void>;
  /** The active trace id, or undefined outside a span. */
  traceId(): string | undefined;
}

/** One call instruments a service: traces, metrics, logs, health and shutdown. Never throws on bad env. */
export function createTelemetry(options: TelemetryOptions): Telemetry {
  const config = readConfig(options);
  const logging = createLogging(
    config.service,
    config.logLevel,
    options.logDestination as Parameters<typeof createLogging>[2],
  );
  const logger = logging.logger;
  const warnOnce = createWarnOnce(logger);
  for (const warning of config.warnings) warnOnce(warning, warning);

  const resource = createResource(config);
  const tracing = createTracing(config, resource, warnOnce);
  const logAccounting = logsAccounting();
  const otlpLogs =
    config.enabled && config.logsEndpoint
      ? createOtlpLogs(config.logsEndpoint, resource, config.version, logAccounting, warnOnce)
      : undefined;
  logging.setOtlp(otlpLogs);

  const registry = createRegistry();
  registerSelfMetrics(registry, config.service, {
    spans: tracing.accounting,
    logs: logAccounting,
    logLinesDropped: logging.linesDropped,
  });
  const business = createBusinessMetrics(registry);
  const health = createHealth(config.healthCheckTimeoutMs);
  const instrumentation = config.enabled
    ? createRequestInstrumentation(
        tracing.sampler,
        tracing.serverSpans,
        new RedMetrics(config.service, registry),
        logger,
        {
          otlpRequestLogs: config.otlpRequestLogs,
          writeRequestLog: logging.writeRequestLog,
        },
      )
    : undefined;
  const plugin = createFastifyPlugin({
    health,
    scrape: createExposition(registry),
    instrumentation,
    faults: { service: config.service, metricsRegistry: registry },
  });

  const flush = async () => {
    await Promise.allSettled([tracing.forceFlush(), otlpLogs?.forceFlush()]);
  };
  const lifecycle = createLifecycle({
    logger,
    health,
    timeoutMs: config.shutdownTimeoutMs,
    flushTelemetry: async () => {
      await Promise.allSettled([tracing.shutdown(), otlpLogs?.shutdown()]);
    },
    flushLogs: logging.flush,
  });

  return {
    config,
    logger,
    tracer: tracing.tracer,
    registry,
    health,
    plugin,
    counter: business.counter,
    histogram: business.histogram,
    gauge: business.gauge,
    start: lifecycle.start,
    shutdown: lifecycle.shutdown,
    flush,
    traceId: () => trace.getActiveSpan()?.spanContext().traceId,
  };
}
