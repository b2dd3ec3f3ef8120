import {
  type TracerProvider as ApiTracerProvider,
  type Context,
  context,
  ProxyTracerProvider,
  type Span,
  type SpanOptions,
  type TimeInput,
  type Tracer,
  type TracerOptions,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { Resource } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  type Sampler,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { TelemetryConfig } from './config.ts';
import { countingExporter, ExportAccounting, queueLengthReader } from './export-accounting.ts';
import { installProcessGlobals } from './process-globals.ts';
import { buildSampler } from './sampler-config.ts';
import { nowHrTime, type ServerSpanExport } from './server-span.ts';
import type { WarnOnce } from './warn-once.ts';

export interface Tracing {
  tracer: Tracer;
  /** The provider's sampler: request spans (ServerSpan) are sampled by it too. */
  sampler: Sampler;
  /** Where finished request spans go: the same processors, resource and scope as the tracer's spans. */
  serverSpans: ServerSpanExport;
  accounting: ExportAccounting;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

const SAMPLED = 1;
const MAX_QUEUE_SIZE = 4096;

/** Counts every sampled span offered to the batch processor, so overflow drops can be derived. */
class CountingSpanProcessor implements SpanProcessor {
  readonly #inner: SpanProcessor;
  readonly #accounting: ExportAccounting;
  #shutDown = false;

  constructor(inner: SpanProcessor, accounting: ExportAccounting) {
    this.#inner = inner;
    this.#accounting = accounting;
  }
  onStart(span: Span & Parameters<SpanProcessor['onStart']>[0], parentContext: Context): void {
    this.#inner.onStart(span, parentContext);
  }
  onEnd(span: Parameters<SpanProcessor['onEnd']>[0]): void {
    if ((span.spanContext().traceFlags & SAMPLED) !== 0) this.#accounting.offer(this.#shutDown);
    this.#inner.onEnd(span);
  }
  forceFlush(): Promise<void> {
    return this.#inner.forceFlush();
  }
  shutdown(): Promise<void> {
    this.#shutDown = true;
    return this.#inner.shutdown();
  }
}

/**
 * SDK spans on the ServerSpan clock (nowHrTime): a start time when none is given, and an end time when
 * `end()` is called without one, so every span of the process — request spans, app spans, undici's
 * client spans — is timed by one clock (see nowEpochMs).
 */
class ClockedTracer implements Tracer {
  readonly #inner: Tracer;
  constructor(inner: Tracer) {
    this.#inner = inner;
  }

  startSpan(name: string, options?: SpanOptions, ctx?: Context): Span {
    const span = this.#inner.startSpan(
      name,
      options?.startTime === undefined ? { ...options, startTime: nowHrTime() } : options,
      ctx,
    );
    if (span.isRecording()) {
      const end = span.end;
      span.end = (endTime?: TimeInput) => end.call(span, endTime ?? nowHrTime());
    }
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    ctx: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    a?: SpanOptions | F,
    b?: Context | F,
    c?: F,
  ): ReturnType<F> {
    const fn = (typeof a === 'function' ? a : typeof b === 'function' ? b : c) as F;
    const options = typeof a === 'function' ? undefined : a;
    const parent = typeof b === 'function' || b === undefined ? context.active() : b;
    const span = this.startSpan(name, options, parent);
    return context.with(trace.setSpan(parent, span), () => fn(span)) as ReturnType<F>;
  }
}

class ClockedTracerProvider implements ApiTracerProvider {
  readonly #inner: ApiTracerProvider;
  readonly #tracers = new Map<string, Tracer>();
  constructor(inner: ApiTracerProvider) {
    this.#inner = inner;
  }
  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const key = `${name}@${version ?? ''}:${options?.schemaUrl ?? ''}`;
    let tracer = this.#tracers.get(key);
    if (tracer === undefined) {
      tracer = new ClockedTracer(this.#inner.getTracer(name, version, options));
      this.#tracers.set(key, tracer);
    }
    return tracer;
  }
}

export function createTracing(config: TelemetryConfig, resource: Resource, warnOnce: WarnOnce): Tracing {
  const accounting = new ExportAccounting(MAX_QUEUE_SIZE);
  const spanProcessors: SpanProcessor[] = [];
  if (config.enabled && config.tracesEndpoint) {
    const exporter = countingExporter(
      new OTLPTraceExporter({ url: config.tracesEndpoint, timeoutMillis: 3000 }),
      accounting,
      'traces',
      warnOnce,
    );
    const batch = new BatchSpanProcessor({
      exporter: exporter as ConstructorParameters<typeof BatchSpanProcessor>[0]['exporter'],
      maxQueueSize: MAX_QUEUE_SIZE,
      maxExportBatchSize: 512,
      scheduledDelayMillis: 1000,
      exportTimeoutMillis: 4000,
    });
    accounting.attachQueue(queueLengthReader(batch, '_finishedSpans'));
    spanProcessors.push(new CountingSpanProcessor(batch, accounting));
  }
  const sampler = buildSampler(config.sampler);
  const provider = new TracerProvider({ resource, sampler, spanProcessors });
  const clocked = new ClockedTracerProvider(provider);
  if (config.enabled) installProcessGlobals(clocked);
  const tracer = config.enabled
    ? clocked.getTracer('@vigil/telemetry', config.version)
    : // A proxy with no delegate hands out the no-op tracer: VIGIL_TELEMETRY=off creates no spans.
      new ProxyTracerProvider().getTracer('@vigil/telemetry');
  return {
    tracer,
    sampler,
    serverSpans: {
      processor: spanProcessors[0],
      resource,
      scope: { name: '@vigil/telemetry', version: config.version },
    },
    accounting,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
