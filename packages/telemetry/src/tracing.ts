import { ProxyTracerProvider, type Tracer } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { type Sampler, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { TelemetryConfig } from './config.ts';
import { ExportAccounting, type ExportCounts } from './export-accounting.ts';
import { installProcessGlobals } from './process-globals.ts';
import { buildSampler } from './sampler-config.ts';
import { PipelineSpanProcessor, SpanPipeline } from './span-pipeline.ts';
import type { WarnOnce } from './warn-once.ts';

export interface Tracing {
  tracer: Tracer;
  sampler: Sampler;
  /** Export worker for server spans, SDK spans and request log lines; absent when telemetry is off. */
  pipeline: SpanPipeline | undefined;
  accounting: ExportCounts;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

const MAX_QUEUE_SIZE = 4096;
export const SCOPE_NAME = '@vigil/telemetry';

export function createTracing(
  config: TelemetryConfig,
  resource: Resource,
  warnOnce: WarnOnce,
  options: { requestLogsToStdout: boolean },
): Tracing {
  const sampler = buildSampler(config.sampler);
  const pipeline = config.enabled
    ? new SpanPipeline({
        serviceName: config.service,
        resourceAttributes: resource.attributes as Record<string, string | number | boolean>,
        tracesEndpoint: config.tracesEndpoint,
        maxQueueSize: MAX_QUEUE_SIZE,
        scopeName: SCOPE_NAME,
        scopeVersion: config.version,
        logsToStdout: options.requestLogsToStdout,
        warnOnce,
      })
    : undefined;
  // The SDK still creates every span other than the request's SERVER span (client calls, manual spans);
  // finished ones go to the export worker through the pipeline instead of a batch processor here.
  const spanProcessors: SpanProcessor[] =
    pipeline !== undefined && config.tracesEndpoint ? [new PipelineSpanProcessor(pipeline)] : [];
  const provider = new TracerProvider({ resource, sampler, spanProcessors });
  if (config.enabled) installProcessGlobals(provider);
  const tracer = config.enabled
    ? provider.getTracer(SCOPE_NAME, config.version)
    : // A proxy with no delegate hands out the no-op tracer: VIGIL_TELEMETRY=off creates no spans.
      new ProxyTracerProvider().getTracer(SCOPE_NAME);
  return {
    tracer,
    sampler,
    pipeline,
    accounting: pipeline ?? new ExportAccounting(MAX_QUEUE_SIZE),
    forceFlush: async () => {
      await provider.forceFlush();
      await pipeline?.flush();
    },
    shutdown: async () => {
      await provider.shutdown();
      await pipeline?.shutdown();
    },
  };
}
