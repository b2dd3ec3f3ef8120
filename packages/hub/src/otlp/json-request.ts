import { hexIdToBytes } from './ids.ts';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function each(v: unknown, fn: (o: Obj) => void): void {
  if (!Array.isArray(v)) return;
  for (const item of v) if (isObj(item)) fn(item);
}

function convertIds(o: Obj, keys: readonly string[]): void {
  for (const k of keys) if (k in o) o[k] = hexIdToBytes(o[k]);
}

const SPAN_IDS = ['traceId', 'spanId', 'parentSpanId'] as const;
const LINK_IDS = ['traceId', 'spanId'] as const;

/** Rewrites hex ids in a parsed OTLP/JSON trace request in place, ready for protobufjs fromObject. */
export function prepareTraceJson(body: Obj): void {
  each(body.resourceSpans, (rs) =>
    each(rs.scopeSpans, (ss) =>
      each(ss.spans, (span) => {
        convertIds(span, SPAN_IDS);
        each(span.links, (link) => convertIds(link, LINK_IDS));
      }),
    ),
  );
}

export function prepareLogsJson(body: Obj): void {
  each(body.resourceLogs, (rl) =>
    each(rl.scopeLogs, (sl) => each(sl.logRecords, (rec) => convertIds(rec, LINK_IDS))),
  );
}

export function parseJsonObject(buf: Buffer): Obj {
  const parsed: unknown = JSON.parse(buf.toString('utf8'));
  if (!isObj(parsed)) throw new TypeError('request body must be a JSON object');
  return parsed;
}
