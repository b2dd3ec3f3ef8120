import { Worker } from 'node:worker_threads';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span as SdkSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { ExportWorkerData } from './export-worker.ts';
import type { ServerSpan } from './server-span.ts';
import {
  BATCH_RECORDS,
  type BatchMessage,
  C_EXPORTED,
  C_FAILED,
  C_FAILED_BATCHES,
  C_IN_FLIGHT,
  C_LOG_LINES_DROPPED,
  C_OVERFLOWED,
  C_QUEUED,
  COUNTER_SLOTS,
  F_LOG,
  F_PARENT,
  F_PARENT_REMOTE,
  F_SAMPLED,
  NONE_16,
  NONE_32,
  O_DURATION_MS,
  O_EXTRAS,
  O_FLAGS,
  O_METHOD,
  O_NAME,
  O_PARENT_ID,
  O_PATH,
  O_ROUTE,
  O_SPAN_ID,
  O_START_MS,
  O_STATUS,
  O_TRACE_ID,
  type PlainSpan,
  RECORD_BYTES,
  type SpanExtras,
} from './span-records.ts';
import type { WarnOnce } from './warn-once.ts';

const SAMPLED = 1;
/** A batch waits at most this long for more records. */
const BATCH_DELAY_MS = 20;
/** Records and spans posted but not yet taken by the worker; beyond this, the request thread sheds. */
const MAX_UNACKED = 32_768;
const FLUSH_BOUND_MS = 5000;

export interface SpanPipelineOptions {
  serviceName: string;
  resourceAttributes: Record<string, string | number | boolean>;
  tracesEndpoint: string | undefined;
  maxQueueSize: number;
  scopeName: string;
  scopeVersion: string;
  /** Request log lines go to fd 1 from the worker; false: the instrumentation writes them itself. */
  logsToStdout: boolean;
  warnOnce: WarnOnce;
}

/** What one finished request contributes: its server span (sampled or not) and its request log line. */
export interface ServerRecord {
  span: ServerSpan;
  nameIndex: number;
  routeIndex: number;
  methodIndex: number;
  path: string | undefined;
  status: number;
  durationMs: number;
  log: boolean;
}

/**
 * Moves span export and request-log writing off the request thread. Finished server spans are written
 * as fixed-size binary records into a batch buffer (strings by dictionary index); SDK spans (client and
 * manual spans) are reduced to plain data; every 256 records or 20 ms the batch is transferred to a
 * worker thread, which builds the OTLP spans, exports them with the SDK's batch processor and OTLP/HTTP
 * exporter, and writes the request log lines. The worker's counts come back through shared memory for
 * the self-metrics. If the worker is gone or behind, the request thread writes log lines itself
 * (`fallbackLog`) and counts the spans it cannot hand over as dropped.
 */
export class SpanPipeline {
  readonly #worker: Worker;
  readonly #counters: Float64Array;
  readonly #warnOnce: WarnOnce;
  #alive = true;
  #closing = false;
  #buffer = Buffer.allocUnsafeSlow(BATCH_RECORDS * RECORD_BYTES);
  #view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset, this.#buffer.byteLength);
  #count = 0;
  #strings: string[] = [];
  #extras: SpanExtras[] = [];
  #sdkSpans: PlainSpan[] = [];
  #newEntries: [number, string][] = [];
  readonly #dictionary = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #unacked = 0;
  #dropped = 0;
  #nextId = 1;
  readonly #waiting = new Map<number, () => void>();
  #shutdown: Promise<void> | undefined;

  constructor(options: SpanPipelineOptions) {
    this.#warnOnce = options.warnOnce;
    const counters = new SharedArrayBuffer(COUNTER_SLOTS * 8);
    this.#counters = new Float64Array(counters);
    const data: ExportWorkerData = {
      serviceJson: JSON.stringify(options.serviceName),
      resourceAttributes: options.resourceAttributes,
      tracesEndpoint: options.tracesEndpoint,
      counters,
      maxQueueSize: options.maxQueueSize,
      scopeName: options.scopeName,
      scopeVersion: options.scopeVersion,
      logs: options.logsToStdout,
    };
    this.#worker = new Worker(new URL('./export-worker.ts', import.meta.url), {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 },
      stdout: false,
      stderr: false,
    });
    this.#worker.unref();
    this.#worker.on(
      'message',
      (message: {
        type: string;
        items?: number;
        id?: number;
        key?: string;
        message?: string;
        fields?: Record<string, unknown>;
      }) => {
        if (message.type === 'ack') this.#unacked -= message.items ?? 0;
        else if (message.type === 'flushed') this.#settle(message.id ?? 0);
        else if (message.type === 'warn')
          this.#warnOnce(message.key ?? 'export-worker', message.message ?? '', message.fields);
      },
    );
    this.#worker.on('error', (err) => {
      this.#warnOnce(
        'export-worker',
        'span export worker failed; spans are dropped and counted, request logs written by the service thread',
        {
          error: err.message,
        },
      );
    });
    this.#worker.on('exit', () => {
      this.#alive = false;
      this.#dropped += this.#unacked;
      this.#unacked = 0;
      for (const id of [...this.#waiting.keys()]) this.#settle(id);
    });
  }

  /** The dictionary index of a span name, route template or method; call once per distinct value and keep it. */
  intern(text: string): number {
    let index = this.#dictionary.get(text);
    if (index === undefined) {
      index = this.#dictionary.size;
      if (index >= NONE_16) return NONE_16; // never reached: names come from route templates
      this.#dictionary.set(text, index);
      this.#newEntries.push([index, text]);
    }
    return index;
  }

  /** False when the worker cannot take the record: the caller writes the log line and the span is dropped. */
  get accepting(): boolean {
    return this.#alive && !this.#closing && this.#unacked < MAX_UNACKED;
  }

  /** Hands over a finished request. Returns false (and counts a sampled span as dropped) when not accepting. */
  record(r: ServerRecord): boolean {
    const span = r.span;
    if (!this.accepting) {
      if (span.recording && (span.traceFlags & SAMPLED) !== 0) this.#dropped++;
      return false;
    }
    const o = this.#count * RECORD_BYTES;
    const buf = this.#buffer;
    const view = this.#view;
    view.setFloat64(o + O_START_MS, span.startEpochMs, true);
    view.setFloat64(o + O_DURATION_MS, r.durationMs, true);
    view.setUint16(o + O_STATUS, r.status, true);
    view.setUint16(o + O_NAME, r.nameIndex, true);
    view.setUint16(o + O_ROUTE, r.routeIndex, true);
    view.setUint16(o + O_METHOD, r.methodIndex, true);
    let flags = r.log ? F_LOG : 0;
    if (span.recording && (span.traceFlags & SAMPLED) !== 0) {
      flags |= F_SAMPLED;
      if (r.path === undefined) view.setUint32(o + O_PATH, NONE_32, true);
      else view.setUint32(o + O_PATH, this.#strings.push(r.path) - 1, true);
      if (span.extras === undefined) view.setUint32(o + O_EXTRAS, NONE_32, true);
      else view.setUint32(o + O_EXTRAS, this.#extras.push(span.extras) - 1, true);
      if (span.parentSpanId !== undefined) {
        flags |= span.parentRemote ? F_PARENT | F_PARENT_REMOTE : F_PARENT;
        buf.write(span.parentSpanId, o + O_PARENT_ID, 16, 'latin1');
      }
    }
    buf[o + O_FLAGS] = flags;
    buf.write(span.traceId, o + O_TRACE_ID, 32, 'latin1');
    buf.write(span.spanId, o + O_SPAN_ID, 16, 'latin1');
    if (++this.#count === BATCH_RECORDS) this.#post();
    else if (this.#timer === undefined) this.#schedule();
    return true;
  }

  /** A span the SDK finished (client spans, manual spans). */
  recordSdk(span: ReadableSpan): void {
    if (!this.accepting) {
      this.#dropped++;
      return;
    }
    const ctx = span.spanContext();
    const plain: PlainSpan = {
      name: span.name,
      kind: span.kind,
      traceId: ctx.traceId,
      spanId: ctx.spanId,
      traceFlags: ctx.traceFlags,
      startTime: span.startTime,
      endTime: span.endTime,
      attributes: span.attributes as Record<string, unknown>,
      events: span.events.map((e) => ({
        name: e.name,
        time: e.time,
        attributes: e.attributes as Record<string, unknown> | undefined,
        droppedAttributesCount: e.droppedAttributesCount,
      })),
      links: span.links.map((l) => ({
        traceId: l.context.traceId,
        spanId: l.context.spanId,
        traceFlags: l.context.traceFlags,
        attributes: l.attributes as Record<string, unknown> | undefined,
        droppedAttributesCount: l.droppedAttributesCount,
      })),
      status: span.status,
      droppedAttributesCount: span.droppedAttributesCount,
      droppedEventsCount: span.droppedEventsCount,
      droppedLinksCount: span.droppedLinksCount,
      scopeName: span.instrumentationScope.name,
    };
    if (span.instrumentationScope.version !== undefined)
      plain.scopeVersion = span.instrumentationScope.version;
    const traceState = ctx.traceState?.serialize();
    if (traceState) plain.traceState = traceState;
    const parent = span.parentSpanContext;
    if (parent !== undefined) {
      plain.parentSpanId = parent.spanId;
      plain.parentRemote = parent.isRemote === true;
    }
    if (this.#sdkSpans.push(plain) >= BATCH_RECORDS) this.#post();
    else if (this.#timer === undefined) this.#schedule();
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#post();
    }, BATCH_DELAY_MS);
    this.#timer.unref();
  }

  #post(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const count = this.#count;
    const items = count + this.#sdkSpans.length;
    if (items === 0 && this.#newEntries.length === 0) return;
    if (!this.#alive) return;
    const message: BatchMessage = {
      type: 'batch',
      buffer: this.#buffer.buffer as ArrayBuffer,
      count,
      strings: this.#strings,
      extras: this.#extras,
      sdkSpans: this.#sdkSpans,
      dictionary: this.#newEntries,
    };
    this.#worker.postMessage(message, [message.buffer]);
    this.#unacked += items;
    this.#buffer = Buffer.allocUnsafeSlow(BATCH_RECORDS * RECORD_BYTES);
    this.#view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset, this.#buffer.byteLength);
    this.#count = 0;
    this.#strings = [];
    this.#extras = [];
    this.#sdkSpans = [];
    this.#newEntries = [];
  }

  #settle(id: number): void {
    const resolve = this.#waiting.get(id);
    if (resolve !== undefined) {
      this.#waiting.delete(id);
      resolve();
    }
  }

  #roundTrip(type: 'flush' | 'shutdown'): Promise<void> {
    this.#post();
    if (!this.#alive) return Promise.resolve();
    const id = this.#nextId++;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.#settle(id), FLUSH_BOUND_MS);
      timer.unref();
      this.#waiting.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
      this.#worker.postMessage({ type, id });
    });
  }

  /** Hands over everything buffered and waits until the worker has exported it (bounded). */
  flush(): Promise<void> {
    return this.#roundTrip('flush');
  }

  /** Idempotent: final flush and export, then the worker stops. */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      await this.#roundTrip('shutdown');
      this.#closing = true;
      await this.#worker.terminate();
    })();
    return this.#shutdown;
  }

  // Self-metrics (the ExportAccounting shape): the worker's counts plus what this thread had to drop.
  get exported(): number {
    return this.#counters[C_EXPORTED] as number;
  }
  get inFlight(): number {
    return this.#counters[C_IN_FLIGHT] as number;
  }
  get failedBatches(): number {
    return this.#counters[C_FAILED_BATCHES] as number;
  }
  queued(): number {
    return (this.#counters[C_QUEUED] as number) + this.#unacked + this.#count + this.#sdkSpans.length;
  }
  dropped(): number {
    return (this.#counters[C_FAILED] as number) + (this.#counters[C_OVERFLOWED] as number) + this.#dropped;
  }
  logLinesDropped(): number {
    return this.#counters[C_LOG_LINES_DROPPED] as number;
  }
}

/** The SDK side: sampled spans the SDK ends (client, manual) go to the pipeline instead of a batch processor. */
export class PipelineSpanProcessor implements SpanProcessor {
  readonly #pipeline: SpanPipeline;
  constructor(pipeline: SpanPipeline) {
    this.#pipeline = pipeline;
  }
  onStart(_span: SdkSpan, _parentContext: Context): void {}
  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & SAMPLED) !== 0) this.#pipeline.recordSdk(span);
  }
  forceFlush(): Promise<void> {
    return this.#pipeline.flush();
  }
  shutdown(): Promise<void> {
    return this.#pipeline.shutdown();
  }
}
