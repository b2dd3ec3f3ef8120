import type { AttrValue } from '../otlp/any-value.ts';

export interface KeyValue {
  key: string;
  type: 'string' | 'bool' | 'int64' | 'float64';
  value: string | number | boolean;
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: 'CHILD_OF' | 'FOLLOWS_FROM'; traceID: string; spanID: string }[];
  flags: number;
  startTime: number;
  duration: number;
  tags: KeyValue[];
  logs: { timestamp: number; fields: KeyValue[] }[];
  processID: string;
  warnings: string[] | null;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: KeyValue[] }>;
  warnings: string[] | null;
}

/** A stored span with its resource attributes joined in. */
export interface SpanRecord {
  trace_id: Buffer;
  span_id: Buffer;
  parent_span_id: Buffer | null;
  service: string;
  name: string;
  kind: number;
  start_ns: number;
  duration_ns: number;
  status_code: number;
  status_message: string | null;
  flags: number;
  attributes: string;
  events: string | null;
  links: string | null;
  resource_id: number;
  resource: string;
}

const KIND_NAMES = ['', 'internal', 'server', 'client', 'producer', 'consumer'];

export function keyValue(key: string, v: AttrValue): KeyValue {
  if (typeof v === 'string') return { key, type: 'string', value: v };
  if (typeof v === 'boolean') return { key, type: 'bool', value: v };
  if (typeof v === 'number')
    return Number.isInteger(v) ? { key, type: 'int64', value: v } : { key, type: 'float64', value: v };
  return { key, type: 'string', value: JSON.stringify(v) };
}

function toKeyValues(attrs: Record<string, AttrValue>, skip?: string): KeyValue[] {
  const out: KeyValue[] = [];
  for (const key of Object.keys(attrs)) if (key !== skip) out.push(keyValue(key, attrs[key]!));
  return out;
}

const usFromNs = (ns: number) => Math.floor(ns / 1000);

/** Stored spans of one trace → the Jaeger query service's Trace shape. */
export function toJaegerTrace(traceIdHex: string, rows: SpanRecord[]): JaegerTrace {
  const processes: JaegerTrace['processes'] = {};
  const processIds = new Map<number, string>();
  const spans: JaegerSpan[] = [];
  for (const r of rows) {
    let pid = processIds.get(r.resource_id);
    if (pid === undefined) {
      pid = `p${processIds.size + 1}`;
      processIds.set(r.resource_id, pid);
      processes[pid] = { serviceName: r.service, tags: toKeyValues(JSON.parse(r.resource), 'service.name') };
    }
    const tags = toKeyValues(JSON.parse(r.attributes));
    const kind = KIND_NAMES[r.kind];
    if (kind) tags.push({ key: 'span.kind', type: 'string', value: kind });
    if (r.status_code === 1) tags.push({ key: 'otel.status_code', type: 'string', value: 'OK' });
    if (r.status_code === 2) {
      tags.push({ key: 'otel.status_code', type: 'string', value: 'ERROR' });
      tags.push({ key: 'error', type: 'bool', value: true });
    }
    if (r.status_message)
      tags.push({ key: 'otel.status_description', type: 'string', value: r.status_message });
    const references: JaegerSpan['references'] = [];
    if (r.parent_span_id)
      references.push({ refType: 'CHILD_OF', traceID: traceIdHex, spanID: r.parent_span_id.toString('hex') });
    if (r.links) {
      for (const l of JSON.parse(r.links) as { trace_id: string; span_id: string }[]) {
        references.push({ refType: 'FOLLOWS_FROM', traceID: l.trace_id, spanID: l.span_id });
      }
    }
    const logs: JaegerSpan['logs'] = [];
    if (r.events) {
      for (const e of JSON.parse(r.events) as {
        t: number;
        name: string;
        attrs: Record<string, AttrValue>;
      }[]) {
        logs.push({
          timestamp: usFromNs(e.t),
          fields: [{ key: 'event', type: 'string', value: e.name }, ...toKeyValues(e.attrs)],
        });
      }
    }
    spans.push({
      traceID: traceIdHex,
      spanID: r.span_id.toString('hex'),
      operationName: r.name,
      references,
      flags: r.flags & 0xff || 1,
      startTime: usFromNs(r.start_ns),
      duration: usFromNs(r.duration_ns),
      tags,
      logs,
      processID: pid,
      warnings: null,
    });
  }
  return { traceID: traceIdHex, spans, processes, warnings: null };
}
