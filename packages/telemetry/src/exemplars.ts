import { trace } from '@opentelemetry/api';

const NO_EXEMPLAR: Readonly<Record<string, string>> = Object.freeze({});

/** The active span's trace id, only when sampled: an exemplar must point at a trace that exists. */
export function sampledTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  if (span === undefined) return undefined;
  const spanContext = span.spanContext();
  return (spanContext.traceFlags & 1) === 1 ? spanContext.traceId : undefined;
}

/** Exemplar labels for prom-client's exemplar-enabled metrics; the shared empty set means "none". */
export function exemplarLabels(): Readonly<Record<string, string>> {
  const traceId = sampledTraceId();
  return traceId === undefined ? NO_EXEMPLAR : { trace_id: traceId };
}

export function isNoExemplar(labels: Readonly<Record<string, string>>): boolean {
  return labels === NO_EXEMPLAR;
}
