import { randomFillSync } from 'node:crypto';
import {
  type Attributes,
  type AttributeValue,
  type Context,
  type Exception,
  type HrTime,
  type Link,
  type Span,
  type SpanContext,
  SpanKind,
  type SpanStatus,
  SpanStatusCode,
  type TimeInput,
  type TraceState,
} from '@opentelemetry/api';
import {
  type InstrumentationScope,
  isAttributeValue,
  millisToHrTime,
  timeInputToHrTime,
} from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';
import { nowEpochMs } from './span-clock.ts';

// Ids are cut from a pool of crypto-random bytes kept as one hex string, refilled 64 KiB at a time (one
// syscall and one hex conversion per ~2,700 spans): a 16- or 32-character slice of it is a V8 sliced
// string, far cheaper than converting 8 or 16 bytes per id (and than the SDK's per-id Math.random loop).
// A pool string stays alive while an id cut from it does (128 KiB each; ids live as long as their spans).
const POOL_BYTES = 64 * 1024;
const poolBytes = Buffer.allocUnsafeSlow(POOL_BYTES);
let hexPool = '';
let hexOffset = 0;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/** `bytes` random bytes as lowercase hex, never all zeros (an invalid id in W3C trace context). */
export function randomHexId(bytes: 8 | 16): string {
  const chars = bytes * 2;
  for (;;) {
    if (hexOffset + chars > hexPool.length) {
      randomFillSync(poolBytes);
      hexPool = poolBytes.toString('hex');
      hexOffset = 0;
    }
    const id = hexPool.slice(hexOffset, hexOffset + chars);
    hexOffset += chars;
    if (id !== (bytes === 16 ? ZERO_TRACE_ID : ZERO_SPAN_ID)) return id;
  }
}

/** The SDK's default limit on attributes per span (OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT). */
const ATTRIBUTE_COUNT_LIMIT = 128;
const EVENT_COUNT_LIMIT = 128;
const LINK_COUNT_LIMIT = 128;
const UNSET_STATUS: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET }) as SpanStatus;

/** Where a finished, sampled ServerSpan goes: the SDK's span processor chain, with the provider's resource. */
export interface ServerSpanExport {
  processor: SpanProcessor | undefined;
  resource: Resource;
  scope: InstrumentationScope;
}

/**
 * The one clock of every span a process makes (ServerSpan here, SDK spans through ClockedTracer in
 * tracing.ts): span-clock.ts, the monotonic clock anchored to the system wall clock. The SDK on its
 * own starts a span at `Date.now()` (whole milliseconds) and ends it at start + monotonic elapsed,
 * so a child started in the same millisecond as its parent could appear to start before it or end
 * after it; one clock for all spans, on the same wall clock in every process, makes
 * start(child) >= start(parent) and end(child) <= end(parent) hold whenever they hold in real
 * time, within a process and across processes.
 */
export { nowEpochMs };

/** nowEpochMs() as an OpenTelemetry HrTime. */
export function nowHrTime(): HrTime {
  return millisToHrTime(nowEpochMs());
}

function cleanAttributes(attributes: Attributes | undefined): Attributes {
  const out: Attributes = {};
  if (attributes === undefined) return out;
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (key.length > 0 && isAttributeValue(value)) out[key] = value;
  }
  return out;
}

/**
 * The SERVER span of one request. It is both the `@opentelemetry/api` Span that app code sees (active in
 * the request's context) and, once finished, the SDK `ReadableSpan` handed to the span processors, so the
 * SDK's batch processor and OTLP exporter send it like any other span. What it saves against
 * `tracer.startSpan`: the SDK's per-span id generation, attribute cleaning, tracer self-metrics and span
 * object; an unsampled request costs one small object. Sampling is the configured SDK sampler's decision.
 */
export class ServerSpan implements Span, ReadableSpan {
  readonly kind = SpanKind.SERVER;
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly parentSpanContext: SpanContext | undefined;
  readonly recording: boolean;
  readonly startEpochMs: number;
  readonly #export: ServerSpanExport;
  #traceState: TraceState | undefined;
  #context: SpanContext | undefined;
  #appEnded = false;
  #finished = false;

  name: string;
  attributes: Attributes;
  events: TimedEvent[] = [];
  links: Link[] = [];
  status: SpanStatus = UNSET_STATUS;
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  startTime: HrTime = [0, 0];
  endTime: HrTime = [0, 0];
  duration: HrTime = [0, 0];
  ended = false;

  constructor(
    name: string,
    traceId: string,
    sampled: boolean,
    recording: boolean,
    parent: SpanContext | undefined,
    traceState: TraceState | undefined,
    exportTo: ServerSpanExport,
  ) {
    this.name = name;
    this.traceId = traceId;
    this.spanId = randomHexId(8);
    this.traceFlags = sampled ? 1 : 0;
    this.recording = recording;
    this.parentSpanContext = parent;
    this.#traceState = traceState;
    this.#export = exportTo;
    this.startEpochMs = nowEpochMs();
    this.attributes = recording ? {} : (NO_ATTRIBUTES as Attributes);
  }

  get resource(): Resource {
    return this.#export.resource;
  }
  get instrumentationScope(): InstrumentationScope {
    return this.#export.scope;
  }

  spanContext(): SpanContext {
    if (this.#context === undefined) {
      this.#context = { traceId: this.traceId, spanId: this.spanId, traceFlags: this.traceFlags };
      if (this.#traceState !== undefined) this.#context.traceState = this.#traceState;
    }
    return this.#context;
  }

  isRecording(): boolean {
    return this.recording && !this.#appEnded && !this.#finished;
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (!this.isRecording() || key.length === 0 || !isAttributeValue(value)) return this;
    if (!(key in this.attributes) && Object.keys(this.attributes).length >= ATTRIBUTE_COUNT_LIMIT) {
      this.droppedAttributesCount++;
      return this;
    }
    this.attributes[key] = value;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key of Object.keys(attributes)) {
      const value = attributes[key];
      if (value !== undefined) this.setAttribute(key, value);
    }
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (!this.isRecording()) return this;
    if (this.events.length >= EVENT_COUNT_LIMIT) {
      this.droppedEventsCount++;
      return this;
    }
    const isTime =
      typeof attributesOrTime === 'number' ||
      attributesOrTime instanceof Date ||
      Array.isArray(attributesOrTime);
    const at = isTime ? (attributesOrTime as TimeInput) : time;
    this.events.push({
      name,
      time: at === undefined ? millisToHrTime(nowEpochMs()) : timeInputToHrTime(at),
      attributes: cleanAttributes(isTime ? undefined : (attributesOrTime as Attributes | undefined)),
      droppedAttributesCount: 0,
    });
    return this;
  }

  addLink(link: Link): this {
    if (!this.isRecording()) return this;
    if (this.links.length >= LINK_COUNT_LIMIT) {
      this.droppedLinksCount++;
      return this;
    }
    this.links.push({ context: link.context, attributes: cleanAttributes(link.attributes) });
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (!this.isRecording()) return this;
    // As in the SDK: OK is final; UNSET never overrides a set status.
    if (this.status.code === SpanStatusCode.OK || status.code === SpanStatusCode.UNSET) return this;
    this.status =
      status.code === SpanStatusCode.ERROR && status.message !== undefined
        ? { code: status.code, message: status.message }
        : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (this.isRecording()) this.name = name;
    return this;
  }

  /** App code may end the request's span early; it is still exported once, when the response is sent. */
  end(_endTime?: TimeInput): void {
    this.#appEnded = true;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    if (!this.isRecording()) return;
    const attributes: Attributes = {};
    if (typeof exception === 'string') {
      attributes['exception.message'] = exception;
    } else {
      if (exception.name !== undefined) attributes['exception.type'] = exception.name;
      else if (exception.code !== undefined) attributes['exception.type'] = String(exception.code);
      if (exception.message !== undefined) attributes['exception.message'] = exception.message;
      if (exception.stack !== undefined) attributes['exception.stacktrace'] = exception.stack;
    }
    this.addEvent('exception', attributes, time);
  }

  /** Called by the request instrumentation when the response is sent: the span ends and is exported. */
  finish(statusCode: number): void {
    if (this.#finished) return;
    const recording = this.recording;
    if (recording) {
      this.attributes['http.response.status_code'] = statusCode;
      if (statusCode >= 500) {
        // Stable HTTP semconv: error.type on a 5xx — the exception's class if one was set, else the status.
        if (this.attributes['error.type'] === undefined) this.attributes['error.type'] = String(statusCode);
        if (this.status.code !== SpanStatusCode.OK) this.status = ERROR_STATUS;
      }
    }
    this.#finished = true;
    if (!recording) return;
    const endEpochMs = nowEpochMs();
    this.startTime = millisToHrTime(this.startEpochMs);
    this.endTime = millisToHrTime(endEpochMs);
    this.duration = millisToHrTime(Math.max(0, endEpochMs - this.startEpochMs));
    this.ended = true;
    this.#export.processor?.onEnd(this);
  }
}

const NO_ATTRIBUTES: Attributes = Object.freeze({}) as Attributes;
const ERROR_STATUS: SpanStatus = Object.freeze({ code: SpanStatusCode.ERROR }) as SpanStatus;

const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');

/**
 * A context that is its parent plus one span: `trace.setSpan` copies the parent's whole value map into a
 * new one for every request; this keeps a reference instead and only materialises a full context when
 * app code sets or deletes a value in it (rare). `SPAN_KEY` is the key `@opentelemetry/api` itself uses
 * (`createContextKey` is `Symbol.for`), so `trace.getSpan` and every instrumentation read it normally.
 */
export class SpanContextOverlay implements Context {
  readonly #parent: Context;
  readonly #span: Span;

  constructor(parent: Context, span: Span) {
    this.#parent = parent;
    this.#span = span;
  }
  getValue(key: symbol): unknown {
    return key === SPAN_KEY ? this.#span : this.#parent.getValue(key);
  }
  setValue(key: symbol, value: unknown): Context {
    return this.#parent.setValue(SPAN_KEY, this.#span).setValue(key, value);
  }
  deleteValue(key: symbol): Context {
    return key === SPAN_KEY
      ? this.#parent.deleteValue(key)
      : this.#parent.deleteValue(key).setValue(SPAN_KEY, this.#span);
  }
}
