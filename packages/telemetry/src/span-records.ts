// The compact form a finished SERVER span travels in from the request thread to the export worker:
// one fixed-size binary record per request in a transferred buffer, strings by index. Shared by both
// threads, so it imports nothing.

/** Bytes per record. */
export const RECORD_BYTES = 104;
/** Records per batch buffer (a batch is also posted when its timer fires). */
export const BATCH_RECORDS = 256;
export const NONE_16 = 0xffff;
export const NONE_32 = 0xffffffff;

// Offsets inside a record.
export const O_START_MS = 0; // f64, start, epoch milliseconds (fractional)
export const O_DURATION_MS = 8; // f64, milliseconds
export const O_STATUS = 16; // u16, HTTP status
export const O_NAME = 18; // u16, span name: index into the string dictionary
export const O_ROUTE = 20; // u16, route template: dictionary index, NONE_16 when unmatched
export const O_METHOD = 22; // u16, dictionary index of the JSON-quoted method ("GET")
export const O_PATH = 24; // u32, URL path: index into the batch's strings, NONE_32 when absent
export const O_EXTRAS = 28; // u32, index into the batch's extras (attributes, events… set by app code)
export const O_FLAGS = 32; // u8
export const O_TRACE_ID = 40; // 32 bytes, lowercase hex (latin1)
export const O_SPAN_ID = 72; // 16 bytes hex
export const O_PARENT_ID = 88; // 16 bytes hex, when F_PARENT

/** Export the span (sampled). */
export const F_SAMPLED = 1;
/** Write the JSON request log line. */
export const F_LOG = 2;
export const F_PARENT = 4;
export const F_PARENT_REMOTE = 8;

/** Attributes, events, links, status or a new name app code gave a server span: rare, sent as is. */
export interface SpanExtras {
  attributes?: Record<string, unknown>;
  events?: { name: string; timeMs: number; attributes?: Record<string, unknown> }[];
  links?: { traceId: string; spanId: string; traceFlags: number; attributes?: Record<string, unknown> }[];
  status?: { code: number; message?: string };
  name?: string;
  traceState?: string;
}

/** A span the SDK finished (client spans, manual spans), reduced to structured-clonable data. */
export interface PlainSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  traceFlags: number;
  traceState?: string;
  parentSpanId?: string;
  parentRemote?: boolean;
  startTime: [number, number];
  endTime: [number, number];
  attributes: Record<string, unknown>;
  events: {
    name: string;
    time: [number, number];
    attributes?: Record<string, unknown>;
    droppedAttributesCount?: number;
  }[];
  links: {
    traceId: string;
    spanId: string;
    traceFlags: number;
    attributes?: Record<string, unknown>;
    droppedAttributesCount?: number;
  }[];
  status: { code: number; message?: string };
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
  scopeName: string;
  scopeVersion?: string;
}

/** Main thread → worker. */
export interface BatchMessage {
  type: 'batch';
  buffer: ArrayBuffer;
  count: number;
  strings: string[];
  extras: SpanExtras[];
  sdkSpans: PlainSpan[];
  /** Dictionary entries first used in this batch: [index, text]. */
  dictionary: [number, string][];
}

/** Slots of the shared counters the worker keeps (Float64Array over a SharedArrayBuffer). */
export const C_EXPORTED = 0;
export const C_FAILED = 1;
export const C_FAILED_BATCHES = 2;
export const C_OVERFLOWED = 3;
export const C_QUEUED = 4;
export const C_IN_FLIGHT = 5;
export const C_LOG_LINES_DROPPED = 6;
export const COUNTER_SLOTS = 8;

let lastMs = Number.NaN;
let lastIso = '';
/** `new Date(ms).toISOString()`, formatted once per millisecond (lines of one batch share most). */
export function isoTime(epochMs: number): string {
  const ms = Math.floor(epochMs);
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/**
 * The request log line: the JSON line pino would write for it, built from trusted, pre-escaped values
 * (`serviceJson`, `methodJson`, `routeJson` are JSON strings). One definition for both threads.
 */
export function requestLogLine(
  serviceJson: string,
  timeIso: string,
  traceId: string,
  spanId: string,
  methodJson: string,
  routeJson: string,
  status: number,
  durationMs: number,
): string {
  return `{"level":"info","time":"${timeIso}","service":${serviceJson},"trace_id":"${traceId}","span_id":"${spanId}","event":"http_request","method":${methodJson},"route":${routeJson},"status":${status},"duration_ms":${Math.round(durationMs * 1000) / 1000},"msg":"request completed"}\n`;
}
