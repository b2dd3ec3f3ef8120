import { randomFillSync } from 'node:crypto';
import {
  type Attributes,
  type AttributeValue,
  type Exception,
  type Link,
  type Span,
  type SpanContext,
  type SpanStatus,
  SpanStatusCode,
  type TimeInput,
  type TraceState,
} from '@opentelemetry/api';
import { hrTimeToMilliseconds, isAttributeValue, timeInputToHrTime } from '@opentelemetry/core';
import type { SpanExtras } from './span-records.ts';

// Ids come from a pool of crypto-random bytes refilled 64 KiB at a time (one syscall per ~2,700 spans).
const POOL_BYTES = 64 * 1024;
const pool = Buffer.allocUnsafeSlow(POOL_BYTES);
let poolOffset = POOL_BYTES;

/** `bytes` random bytes as lowercase hex, never all zeros (an invalid id in W3C trace context). */
export function randomHexId(bytes: 8 | 16): string {
  for (;;) {
    if (poolOffset + bytes > POOL_BYTES) {
      randomFillSync(pool);
      poolOffset = 0;
    }
    const id = pool.toString('hex', poolOffset, poolOffset + bytes);
    poolOffset += bytes;
    if (id !== (bytes === 16 ? '00000000000000000000000000000000' : '0000000000000000')) return id;
  }
}

function timeToEpochMs(time: TimeInput | undefined): number {
  return time === undefined
    ? performance.timeOrigin + performance.now()
    : hrTimeToMilliseconds(timeInputToHrTime(time));
}

function cleanAttributes(attributes: Attributes | undefined): Record<string, unknown> | undefined {
  if (attributes === undefined) return undefined;
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (key.length > 0 && isAttributeValue(value)) {
      out ??= {};
      out[key] = value;
    }
  }
  return out;
}

/**
 * The SERVER span of one request: an `@opentelemetry/api` Span whose hot path (start, context, end)
 * allocates one small object and no SDK machinery. Its fixed fields (method, path, route, status,
 * times, ids) are written as a binary record at the end of the request and turned into an OTLP span on
 * the export worker; anything app code adds (attributes, events, links, status, a new name) is kept in
 * `extras` and travels beside the record. Unsampled spans are not recording, as in the SDK.
 */
export class ServerSpan implements Span {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly parentSpanId: string | undefined;
  readonly parentRemote: boolean;
  readonly startEpochMs: number;
  readonly startPerfMs: number;
  readonly recording: boolean;
  extras: SpanExtras | undefined;
  #ended = false;
  #context: SpanContext | undefined;
  #traceState: TraceState | undefined;

  constructor(
    traceId: string,
    traceFlags: number,
    parent: SpanContext | undefined,
    recording: boolean,
    traceState: TraceState | undefined,
  ) {
    this.traceId = traceId;
    this.spanId = randomHexId(8);
    this.traceFlags = traceFlags;
    this.parentSpanId = parent?.spanId;
    this.parentRemote = parent?.isRemote === true;
    this.recording = recording;
    this.startPerfMs = performance.now();
    this.startEpochMs = performance.timeOrigin + this.startPerfMs;
    this.#traceState = traceState;
    if (traceState !== undefined && recording) this.#ext().traceState = traceState.serialize();
  }

  #ext(): SpanExtras {
    this.extras ??= {};
    return this.extras;
  }

  spanContext(): SpanContext {
    if (this.#context === undefined) {
      this.#context = { traceId: this.traceId, spanId: this.spanId, traceFlags: this.traceFlags };
      if (this.#traceState !== undefined) this.#context.traceState = this.#traceState;
    }
    return this.#context;
  }

  isRecording(): boolean {
    return this.recording && !this.#ended;
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (this.isRecording() && key.length > 0 && isAttributeValue(value)) {
      const extras = this.#ext();
      extras.attributes ??= {};
      extras.attributes[key] = value;
    }
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
    const isTime =
      typeof attributesOrTime === 'number' ||
      attributesOrTime instanceof Date ||
      Array.isArray(attributesOrTime);
    const attributes = isTime ? undefined : cleanAttributes(attributesOrTime as Attributes | undefined);
    const event: NonNullable<SpanExtras['events']>[number] = {
      name,
      timeMs: timeToEpochMs(isTime ? (attributesOrTime as TimeInput) : time),
    };
    if (attributes !== undefined) event.attributes = attributes;
    const extras = this.#ext();
    extras.events ??= [];
    extras.events.push(event);
    return this;
  }

  addLink(link: Link): this {
    if (!this.isRecording()) return this;
    const extras = this.#ext();
    const plain: NonNullable<SpanExtras['links']>[number] = {
      traceId: link.context.traceId,
      spanId: link.context.spanId,
      traceFlags: link.context.traceFlags,
    };
    const attributes = cleanAttributes(link.attributes);
    if (attributes !== undefined) plain.attributes = attributes;
    extras.links ??= [];
    extras.links.push(plain);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (!this.isRecording()) return this;
    const current = this.extras?.status;
    // As in the SDK: OK is final; UNSET never overrides a set status.
    if (current?.code === SpanStatusCode.OK || status.code === SpanStatusCode.UNSET) return this;
    const next: { code: number; message?: string } = { code: status.code };
    if (status.code === SpanStatusCode.ERROR && status.message !== undefined) next.message = status.message;
    this.#ext().status = next;
    return this;
  }

  updateName(name: string): this {
    if (this.isRecording()) this.#ext().name = name;
    return this;
  }

  /** Ends the span for app code; the request instrumentation still writes its record when the response is sent. */
  end(_endTime?: TimeInput): void {
    this.#ended = true;
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
}
