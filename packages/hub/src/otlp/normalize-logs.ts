import {
  attributesToJson,
  attributesToObject,
  bodyToString,
  longToNumber,
  type OtlpAnyValue,
  type OtlpKeyValue,
  type OtlpLong,
  truncate,
} from './any-value.ts';
import { isAllZero, toBuffer } from './ids.ts';
import { type CardinalityGuard, checkTimes } from './input-guard.ts';
import type { ValueLimits } from './limits.ts';
import { serviceOf } from './normalize-traces.ts';

interface OtlpLogRecord {
  timeUnixNano?: number | OtlpLong | null;
  observedTimeUnixNano?: number | OtlpLong | null;
  severityNumber?: number | null;
  severityText?: string | null;
  body?: OtlpAnyValue | null;
  attributes?: OtlpKeyValue[] | null;
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
}

interface OtlpLogsRequest {
  resourceLogs?:
    | {
        resource?: { attributes?: OtlpKeyValue[] | null } | null;
        scopeLogs?: { logRecords?: OtlpLogRecord[] | null }[] | null;
      }[]
    | null;
}

export interface LogRow {
  time_ns: number;
  service: string;
  severity_number: number;
  severity_text: string | null;
  body: string;
  /** Hex, as for spans. */
  trace_id: string | null;
  span_id: string | null;
  attributes: string;
  resource: string;
  size: number;
}

/** Why a log record is rejected (hub_logs_rejected_total's reason). */
export const LOG_REJECT_REASONS = [
  'invalid_trace_id',
  'invalid_span_id',
  'invalid_timestamps',
  'service_limit',
] as const;
export type LogRejectReason = (typeof LOG_REJECT_REASONS)[number];

export interface NormalizedLogs {
  rows: LogRow[];
  rejected: Partial<Record<LogRejectReason, number>>;
  rejectedCount: number;
  firstError: string | null;
}

/** Optional id: empty or all-zero means "none"; any other length than `len` is invalid. */
function optionalId(b: Uint8Array | null | undefined, len: number): string | null | false {
  if (b == null || b.length === 0) return null;
  if (b.length !== len) return false;
  return isAllZero(b) ? null : toBuffer(b).toString('hex');
}

export function normalizeLogs(
  req: OtlpLogsRequest,
  limits: ValueLimits,
  now: () => number,
  guard?: CardinalityGuard,
): NormalizedLogs {
  const rows: LogRow[] = [];
  const rejected: Partial<Record<LogRejectReason, number>> = {};
  let rejectedCount = 0;
  let firstError: string | null = null;
  const reject = (reason: LogRejectReason, detail: string) => {
    rejected[reason] = (rejected[reason] ?? 0) + 1;
    rejectedCount++;
    firstError ??= detail;
  };
  for (const rl of req.resourceLogs ?? []) {
    const resAttrs = attributesToObject(rl.resource?.attributes, limits).attrs;
    const service = serviceOf(resAttrs);
    const resource = JSON.stringify(resAttrs);
    const admitted = guard === undefined || guard.admitService(service);
    for (const sl of rl.scopeLogs ?? []) {
      for (const r of sl.logRecords ?? []) {
        if (!admitted) {
          reject(
            'service_limit',
            'log record of a new service beyond the hub limit on distinct services (VIGIL_HUB_MAX_SERVICES)',
          );
          continue;
        }
        const traceId = optionalId(r.traceId, 16);
        if (traceId === false) {
          reject('invalid_trace_id', 'log record with invalid trace_id (must be empty or 16 bytes)');
          continue;
        }
        const spanId = optionalId(r.spanId, 8);
        if (spanId === false) {
          reject('invalid_span_id', 'log record with invalid span_id (must be empty or 8 bytes)');
          continue;
        }
        // Time, else observed time, else now (OTLP: both may be unset); a set time must be sane.
        let time = longToNumber(r.timeUnixNano, true);
        if (time <= 0) time = longToNumber(r.observedTimeUnixNano, true);
        if (time <= 0) time = now();
        else if (checkTimes(time, time, now()) !== 'ok') {
          reject(
            'invalid_timestamps',
            'log record with a timestamp before 2000 or more than a day in the future',
          );
          continue;
        }
        const body = bodyToString(r.body, limits);
        const attributes = attributesToJson(r.attributes, limits);
        const severityText = r.severityText ? truncate(r.severityText, 32) : null;
        rows.push({
          time_ns: time,
          service,
          severity_number: r.severityNumber ?? 0,
          severity_text: severityText,
          body,
          trace_id: traceId,
          span_id: spanId,
          attributes,
          resource,
          size: 120 + body.length + attributes.length,
        });
      }
    }
  }
  return { rows, rejected, rejectedCount, firstError };
}
