import {
  type AttrValue,
  attributesToJson,
  attributesToObject,
  longToNumber,
  type OtlpKeyValue,
  type OtlpLong,
  truncate,
} from './any-value.ts';
import { idToHex, isValidId, toBuffer } from './ids.ts';
import { type CardinalityGuard, checkTimes } from './input-guard.ts';
import type { ValueLimits } from './limits.ts';

interface OtlpSpan {
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  parentSpanId?: Uint8Array | null;
  flags?: number | null;
  name?: string | null;
  kind?: number | null;
  startTimeUnixNano?: number | OtlpLong | null;
  endTimeUnixNano?: number | OtlpLong | null;
  attributes?: OtlpKeyValue[] | null;
  events?:
    | { timeUnixNano?: number | OtlpLong | null; name?: string | null; attributes?: OtlpKeyValue[] | null }[]
    | null;
  links?:
    | { traceId?: Uint8Array | null; spanId?: Uint8Array | null; attributes?: OtlpKeyValue[] | null }[]
    | null;
  status?: { code?: number | null; message?: string | null } | null;
}

interface OtlpTraceRequest {
  resourceSpans?:
    | {
        resource?: { attributes?: OtlpKeyValue[] | null } | null;
        scopeSpans?:
          | { scope?: { name?: string | null; version?: string | null } | null; spans?: OtlpSpan[] | null }[]
          | null;
      }[]
    | null;
}

/** One span as stored. Ids are raw bytes; JSON columns are already serialised. */
export interface SpanRow {
  /** Ids travel as hex to the writer thread (a Buffer view would clone the whole request body). */
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
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
  resource: string;
  /** Approximate bytes held in memory, for the queue bound. */
  size: number;
}

/** Why a span is rejected (hub_spans_rejected_total's reason). */
export const SPAN_REJECT_REASONS = [
  'invalid_trace_id',
  'invalid_span_id',
  'invalid_parent_span_id',
  'invalid_timestamps',
  'invalid_name',
  'service_limit',
  'operation_limit',
] as const;
export type SpanRejectReason = (typeof SPAN_REJECT_REASONS)[number];

export interface NormalizedSpans {
  rows: SpanRow[];
  rejected: Partial<Record<SpanRejectReason, number>>;
  rejectedCount: number;
  firstError: string | null;
}

export function serviceOf(attrs: { [k: string]: AttrValue }): string {
  const s = attrs['service.name'];
  return typeof s === 'string' && s.length > 0 ? truncate(s, 256) : 'unknown_service';
}

const MAX_NAME = 1024;

export interface TraceInputChecks {
  /** Spans whose service or operation would pass the bounds are dropped (counted). */
  guard?: CardinalityGuard;
  /** Now, in ns since the epoch (timestamps are checked against it). */
  nowNs: number;
  /** Spans already dropped before decoding (OTLP/JSON with a non-string name). */
  invalidNames?: number;
}

export function normalizeTraces(
  req: OtlpTraceRequest,
  limits: ValueLimits,
  checks: TraceInputChecks = { nowNs: Date.now() * 1e6 },
): NormalizedSpans {
  const rows: SpanRow[] = [];
  const rejected: Partial<Record<SpanRejectReason, number>> = {};
  let rejectedCount = 0;
  let firstError: string | null = null;
  if (checks.invalidNames) {
    rejected.invalid_name = checks.invalidNames;
    rejectedCount = checks.invalidNames;
    firstError = 'span with a name that is not a string';
  }
  const reject = (reason: SpanRejectReason, detail: string) => {
    rejected[reason] = (rejected[reason] ?? 0) + 1;
    rejectedCount++;
    firstError ??= detail;
  };

  for (const rs of req.resourceSpans ?? []) {
    const resAttrs = attributesToObject(rs.resource?.attributes, limits).attrs;
    const service = serviceOf(resAttrs);
    const resource = JSON.stringify(resAttrs);
    for (const ss of rs.scopeSpans ?? []) {
      const scopeName = ss.scope?.name || null;
      const scopeVersion = ss.scope?.version || null;
      // Computed once per scope, appended to every span's attributes as Jaeger shows the scope.
      let scopeJson: string | null = null;
      if (scopeName !== null) scopeJson = `"otel.scope.name":${JSON.stringify(truncate(scopeName, 256))}`;
      if (scopeVersion !== null) {
        const v = `"otel.scope.version":${JSON.stringify(truncate(scopeVersion, 256))}`;
        scopeJson = scopeJson === null ? v : `${scopeJson},${v}`;
      }
      for (const s of ss.spans ?? []) {
        if (!isValidId(s.traceId, 16)) {
          reject('invalid_trace_id', 'span with invalid trace_id (must be 16 non-zero bytes)');
          continue;
        }
        if (!isValidId(s.spanId, 8)) {
          reject('invalid_span_id', 'span with invalid span_id (must be 8 non-zero bytes)');
          continue;
        }
        const parent = s.parentSpanId;
        const hasParent = parent != null && parent.length > 0;
        if (hasParent && parent.length !== 8) {
          reject('invalid_parent_span_id', 'span with invalid parent_span_id (must be empty or 8 bytes)');
          continue;
        }
        const start = longToNumber(s.startTimeUnixNano, true);
        const end = longToNumber(s.endTimeUnixNano, true);
        const times = checkTimes(start, end, checks.nowNs);
        if (times !== 'ok') {
          reject(
            'invalid_timestamps',
            times === 'missing'
              ? 'span with a missing start time'
              : times === 'end_before_start'
                ? 'span with end before start'
                : 'span with a timestamp before 2000 or more than a day in the future',
          );
          continue;
        }
        const name = truncate(s.name ?? '', MAX_NAME);
        if (checks.guard !== undefined) {
          const verdict = checks.guard.admitSpan(service, name);
          if (verdict !== 'ok') {
            reject(
              verdict,
              verdict === 'service_limit'
                ? 'span of a new service beyond the hub limit on distinct services (VIGIL_HUB_MAX_SERVICES)'
                : 'span with a new operation name beyond the per-service limit (VIGIL_HUB_MAX_OPERATIONS)',
            );
            continue;
          }
        }
        const attributes = attributesToJson(s.attributes, limits, scopeJson);
        let events: string | null = null;
        if (s.events != null && s.events.length > 0) {
          const n = Math.min(s.events.length, limits.maxAttributes);
          const list = new Array(n);
          for (let i = 0; i < n; i++) {
            const e = s.events[i]!;
            list[i] = {
              t: longToNumber(e.timeUnixNano, true),
              name: truncate(e.name ?? '', MAX_NAME),
              attrs: attributesToObject(e.attributes, limits).attrs,
            };
          }
          events = JSON.stringify(list);
        }
        let links: string | null = null;
        if (s.links != null && s.links.length > 0) {
          const n = Math.min(s.links.length, limits.maxAttributes);
          const list = [];
          for (let i = 0; i < n; i++) {
            const l = s.links[i]!;
            if (!isValidId(l.traceId, 16) || !isValidId(l.spanId, 8)) continue;
            list.push({
              trace_id: idToHex(l.traceId),
              span_id: idToHex(l.spanId),
              attrs: attributesToObject(l.attributes, limits).attrs,
            });
          }
          if (list.length > 0) links = JSON.stringify(list);
        }
        const statusMessage = s.status?.message ? truncate(s.status.message, limits.maxValueLength) : null;
        rows.push({
          trace_id: toBuffer(s.traceId).toString('hex'),
          span_id: toBuffer(s.spanId).toString('hex'),
          parent_span_id: hasParent && isValidId(parent, 8) ? toBuffer(parent).toString('hex') : null,
          service,
          name,
          kind: s.kind ?? 0,
          start_ns: start,
          duration_ns: end - start,
          status_code: s.status?.code ?? 0,
          status_message: statusMessage,
          flags: s.flags ?? 0,
          attributes,
          events,
          links,
          resource,
          size:
            160 +
            name.length +
            attributes.length +
            (events?.length ?? 0) +
            (links?.length ?? 0) +
            (statusMessage?.length ?? 0),
        });
      }
    }
  }
  return { rows, rejected, rejectedCount, firstError };
}
