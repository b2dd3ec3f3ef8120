// The export worker: turns the request thread's span records and SDK spans into OTLP spans (the SDK's
// BatchSpanProcessor and OTLP/HTTP protobuf exporter, here, off the request thread) and writes the
// request log lines to stdout. Started by span-pipeline.ts; erasable TypeScript only (run by Node).
import { fstatSync, writeSync } from 'node:fs';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { type HrTime, type SpanContext, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { countingExporter, ExportAccounting, queueLengthReader } from './export-accounting.ts';
import {
  type BatchMessage,
  C_EXPORTED,
  C_FAILED,
  C_FAILED_BATCHES,
  C_IN_FLIGHT,
  C_LOG_LINES_DROPPED,
  C_OVERFLOWED,
  C_QUEUED,
  F_LOG,
  F_PARENT,
  F_PARENT_REMOTE,
  F_SAMPLED,
  isoTime,
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
  requestLogLine,
  type SpanExtras,
} from './span-records.ts';

export interface ExportWorkerData {
  serviceJson: string;
  resourceAttributes: Record<string, string | number | boolean>;
  tracesEndpoint: string | undefined;
  counters: SharedArrayBuffer;
  maxQueueSize: number;
  scopeName: string;
  scopeVersion: string;
  /** Write request log lines to fd 1 (otherwise the request thread writes them). */
  logs: boolean;
}

type Control = { type: 'flush' | 'shutdown'; id: number };

const config = workerData as ExportWorkerData;
if (parentPort === null) throw new Error('export-worker.ts runs as a worker thread');
const port: MessagePort = parentPort;
const counters = new Float64Array(config.counters);
const resource = resourceFromAttributes(config.resourceAttributes);
const UNMATCHED_JSON = '"unmatched"';

const accounting = new ExportAccounting(config.maxQueueSize);
let processor: BatchSpanProcessor | undefined;
if (config.tracesEndpoint !== undefined) {
  const exporter = countingExporter(
    new OTLPTraceExporter({ url: config.tracesEndpoint, timeoutMillis: 3000 }),
    accounting,
    'traces',
    (key, message, fields) => port.postMessage({ type: 'warn', key, message, fields }),
  );
  const mirroring = {
    export(spans: ReadableSpan[], done: Parameters<typeof exporter.export>[1]) {
      exporter.export(spans, (result) => {
        done(result);
        mirror();
      });
      mirror();
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
  processor = new BatchSpanProcessor({
    exporter: mirroring as ConstructorParameters<typeof BatchSpanProcessor>[0]['exporter'],
    maxQueueSize: config.maxQueueSize,
    maxExportBatchSize: 512,
    scheduledDelayMillis: 1000,
    exportTimeoutMillis: 4000,
  });
  accounting.attachQueue(queueLengthReader(processor, '_finishedSpans'));
}

function mirror(): void {
  counters[C_EXPORTED] = accounting.exported;
  counters[C_FAILED] = accounting.failed;
  counters[C_FAILED_BATCHES] = accounting.failedBatches;
  counters[C_OVERFLOWED] = accounting.overflowed;
  counters[C_QUEUED] = accounting.queued();
  counters[C_IN_FLIGHT] = accounting.inFlight;
}

// Scope objects are compared by identity when spans are grouped for export: one per name@version.
const scopes = new Map<string, { name: string; version?: string }>();
function scopeOf(name: string, version: string | undefined) {
  const key = `${name}@${version ?? ''}`;
  let scope = scopes.get(key);
  if (scope === undefined) {
    scope = version === undefined ? { name } : { name, version };
    scopes.set(key, scope);
  }
  return scope;
}
const serverScope = scopeOf(config.scopeName, config.scopeVersion);

function msToHr(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

function hrDuration(start: HrTime, end: HrTime): HrTime {
  let seconds = end[0] - start[0];
  let nanos = end[1] - start[1];
  if (nanos < 0) {
    seconds -= 1;
    nanos += 1e9;
  }
  return [seconds, nanos];
}

function readable(
  name: string,
  kind: SpanKind,
  context: SpanContext,
  parent: SpanContext | undefined,
  startTime: HrTime,
  endTime: HrTime,
  attributes: Record<string, unknown>,
  events: ReadableSpan['events'],
  links: ReadableSpan['links'],
  status: { code: number; message?: string },
  scope: { name: string; version?: string },
  dropped: [number, number, number],
): ReadableSpan {
  return {
    name,
    kind,
    spanContext: () => context,
    parentSpanContext: parent,
    startTime,
    endTime,
    duration: hrDuration(startTime, endTime),
    ended: true,
    status,
    attributes,
    links,
    events,
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: dropped[0],
    droppedEventsCount: dropped[1],
    droppedLinksCount: dropped[2],
  } as ReadableSpan;
}

function withTraceState(context: SpanContext, traceState: string | undefined): SpanContext {
  if (traceState !== undefined) context.traceState = new TraceState(traceState);
  return context;
}

const dictionary: string[] = [];
const dictionaryJson: string[] = [];

function serverSpan(
  buf: Buffer,
  view: DataView,
  o: number,
  traceId: string,
  spanId: string,
  startMs: number,
  durationMs: number,
  strings: string[],
  extrasList: SpanExtras[],
): ReadableSpan {
  const flags = buf[o + O_FLAGS] as number;
  const status = view.getUint16(o + O_STATUS, true);
  const routeIndex = view.getUint16(o + O_ROUTE, true);
  const pathIndex = view.getUint32(o + O_PATH, true);
  const extrasIndex = view.getUint32(o + O_EXTRAS, true);
  const extras = extrasIndex === NONE_32 ? undefined : extrasList[extrasIndex];
  const attributes: Record<string, unknown> = {
    'http.request.method': dictionary[view.getUint16(o + O_METHOD, true)],
    'url.scheme': 'http',
  };
  if (pathIndex !== NONE_32) attributes['url.path'] = strings[pathIndex];
  if (routeIndex !== NONE_16) attributes['http.route'] = dictionary[routeIndex];
  attributes['http.response.status_code'] = status;
  if (extras?.attributes !== undefined) Object.assign(attributes, extras.attributes);
  const parent =
    (flags & F_PARENT) === 0
      ? undefined
      : {
          traceId,
          spanId: buf.toString('latin1', o + O_PARENT_ID, o + O_PARENT_ID + 16),
          traceFlags: 1,
          isRemote: (flags & F_PARENT_REMOTE) !== 0,
        };
  const events = (extras?.events ?? []).map((e) => ({
    name: e.name,
    time: msToHr(e.timeMs),
    attributes: e.attributes ?? {},
    droppedAttributesCount: 0,
  }));
  const links = (extras?.links ?? []).map((l) => ({
    context: { traceId: l.traceId, spanId: l.spanId, traceFlags: l.traceFlags },
    attributes: l.attributes ?? {},
    droppedAttributesCount: 0,
  }));
  return readable(
    extras?.name ?? (dictionary[view.getUint16(o + O_NAME, true)] as string),
    SpanKind.SERVER,
    withTraceState({ traceId, spanId, traceFlags: 1 }, extras?.traceState),
    parent,
    msToHr(startMs),
    msToHr(startMs + durationMs),
    attributes,
    events as ReadableSpan['events'],
    links as ReadableSpan['links'],
    extras?.status ?? { code: status >= 500 ? SpanStatusCode.ERROR : SpanStatusCode.UNSET },
    serverScope,
    [0, 0, 0],
  );
}

function sdkSpan(span: PlainSpan): ReadableSpan {
  return readable(
    span.name,
    span.kind,
    withTraceState(
      { traceId: span.traceId, spanId: span.spanId, traceFlags: span.traceFlags },
      span.traceState,
    ),
    span.parentSpanId === undefined
      ? undefined
      : {
          traceId: span.traceId,
          spanId: span.parentSpanId,
          traceFlags: 1,
          isRemote: span.parentRemote === true,
        },
    span.startTime,
    span.endTime,
    span.attributes,
    span.events.map((e) => ({
      name: e.name,
      time: e.time,
      attributes: e.attributes ?? {},
      droppedAttributesCount: e.droppedAttributesCount ?? 0,
    })) as ReadableSpan['events'],
    span.links.map((l) => ({
      context: { traceId: l.traceId, spanId: l.spanId, traceFlags: l.traceFlags },
      attributes: l.attributes ?? {},
      droppedAttributesCount: l.droppedAttributesCount ?? 0,
    })) as ReadableSpan['links'],
    span.status,
    scopeOf(span.scopeName, span.scopeVersion),
    [span.droppedAttributesCount, span.droppedEventsCount, span.droppedLinksCount],
  );
}

// A pipe (containers) guarantees whole writes only up to PIPE_BUF bytes: with the request thread also
// writing log lines, lines are written in line-aligned chunks of at most that size so none is torn.
const PIPE_BUF = 4096;
let stdoutIsPipe = false;
try {
  stdoutIsPipe = fstatSync(1).isFIFO();
} catch {
  // no stdout: writes fail and are counted below
}
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function writeAll(data: Buffer, lines: number): void {
  const deadline = Date.now() + 1000;
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += writeSync(1, data, offset, data.length - offset);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN' && Date.now() < deadline) {
        Atomics.wait(sleeper, 0, 0, 2); // the reader is slow: this thread may wait, the requests do not
        continue;
      }
      counters[C_LOG_LINES_DROPPED] = (counters[C_LOG_LINES_DROPPED] as number) + lines;
      return;
    }
  }
}

function writeLines(text: string, lines: number): void {
  const data = Buffer.from(text);
  if (!stdoutIsPipe || data.length <= PIPE_BUF) {
    writeAll(data, lines);
    return;
  }
  let start = 0;
  while (start < data.length) {
    let end = Math.min(data.length, start + PIPE_BUF);
    if (end < data.length) {
      const newline = data.lastIndexOf(10, end - 1);
      end = newline >= start ? newline + 1 : data.indexOf(10, end) + 1 || data.length;
    }
    writeAll(data.subarray(start, end), 1);
    start = end;
  }
}

function onBatch(message: BatchMessage): void {
  for (const [index, text] of message.dictionary) {
    dictionary[index] = text;
    dictionaryJson[index] = JSON.stringify(text);
  }
  const buf = Buffer.from(message.buffer);
  const view = new DataView(message.buffer);
  let lines = '';
  let lineCount = 0;
  for (let r = 0; r < message.count; r++) {
    const o = r * RECORD_BYTES;
    const flags = buf[o + O_FLAGS] as number;
    const traceId = buf.toString('latin1', o + O_TRACE_ID, o + O_TRACE_ID + 32);
    const spanId = buf.toString('latin1', o + O_SPAN_ID, o + O_SPAN_ID + 16);
    const startMs = view.getFloat64(o + O_START_MS, true);
    const durationMs = view.getFloat64(o + O_DURATION_MS, true);
    if ((flags & F_LOG) !== 0) {
      const routeIndex = view.getUint16(o + O_ROUTE, true);
      lines += requestLogLine(
        config.serviceJson,
        isoTime(startMs + durationMs),
        traceId,
        spanId,
        dictionaryJson[view.getUint16(o + O_METHOD, true)] as string,
        routeIndex === NONE_16 ? UNMATCHED_JSON : (dictionaryJson[routeIndex] as string),
        view.getUint16(o + O_STATUS, true),
        durationMs,
      );
      lineCount++;
    }
    if ((flags & F_SAMPLED) !== 0 && processor !== undefined) {
      accounting.offer(false);
      processor.onEnd(
        serverSpan(buf, view, o, traceId, spanId, startMs, durationMs, message.strings, message.extras),
      );
    }
  }
  if (processor !== undefined) {
    for (const span of message.sdkSpans) {
      accounting.offer(false);
      processor.onEnd(sdkSpan(span));
    }
  }
  if (lineCount > 0) writeLines(lines, lineCount);
  mirror();
  port.postMessage({ type: 'ack', items: message.count + message.sdkSpans.length });
}

port.on('message', (message: BatchMessage | Control) => {
  if (message.type === 'batch') {
    onBatch(message);
    return;
  }
  const done = () => {
    mirror();
    port.postMessage({ type: 'flushed', id: message.id });
  };
  const work = message.type === 'flush' ? processor?.forceFlush() : processor?.shutdown();
  Promise.resolve(work).then(done, done);
});
