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

/**
 * Rewrites hex ids in a parsed OTLP/JSON trace request in place, ready for protobufjs fromObject, and
 * takes out spans whose name is not a string (fromObject would turn 42 into "42" and an object into
 * "[object Object]"). Returns how many spans it took out.
 */
export function prepareTraceJson(body: Obj): number {
  let invalidNames = 0;
  each(body.resourceSpans, (rs) =>
    each(rs.scopeSpans, (ss) => {
      if (!Array.isArray(ss.spans)) return;
      const kept = ss.spans.filter(
        (span) => !isObj(span) || span.name == null || typeof span.name === 'string',
      );
      invalidNames += ss.spans.length - kept.length;
      ss.spans = kept;
      each(kept, (span) => {
        convertIds(span, SPAN_IDS);
        each(span.links, (link) => convertIds(link, LINK_IDS));
      });
    }),
  );
  return invalidNames;
}

export function prepareLogsJson(body: Obj): number {
  each(body.resourceLogs, (rl) =>
    each(rl.scopeLogs, (sl) => each(sl.logRecords, (rec) => convertIds(rec, LINK_IDS))),
  );
  return 0;
}

export function parseJsonObject(buf: Buffer): Obj {
  const parsed: unknown = JSON.parse(buf.toString('utf8'));
  if (!isObj(parsed)) throw new TypeError('request body must be a JSON object');
  return parsed;
}
