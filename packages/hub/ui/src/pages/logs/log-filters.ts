import { rangeMs } from '../../lib/format.ts';

export interface LogFilters {
  service: string;
  level: string;
  q: string;
  trace_id: string;
  attr: string;
  range: string;
  /** Page size; only settable through the URL (`/logs?limit=20`). */
  limit: string;
}

export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
export const LOG_RANGES = [
  { value: '15m', label: 'Last 15 minutes' },
  { value: '1h', label: 'Last hour' },
  { value: '6h', label: 'Last 6 hours' },
  { value: '24h', label: 'Last 24 hours' },
  { value: 'all', label: 'All retained' },
];

export function filtersFromUrl(p: URLSearchParams): LogFilters {
  const traceId = p.get('trace_id') ?? '';
  return {
    service: p.get('service') ?? '',
    level: p.get('level') ?? '',
    q: p.get('q') ?? '',
    trace_id: traceId,
    attr: p.get('attr') ?? '',
    range: p.get('range') ?? (traceId ? 'all' : '1h'),
    limit: p.get('limit') ?? '',
  };
}

export function filtersToUrl(f: LogFilters): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `/logs?${s}` : '/logs';
}

/** "key=value" → ["key", "value"], or an error message. */
export function parseAttr(attr: string): [string, string] | string | undefined {
  const t = attr.trim();
  if (!t) return undefined;
  const i = t.indexOf('=');
  if (i <= 0) return 'Attribute filter must look like key=value';
  return [t.slice(0, i).trim(), t.slice(i + 1).trim()];
}

/** Filter parameters shared by /api/logs and /api/logs/stream. */
export function filterParams(f: LogFilters): Record<string, string | undefined> | string {
  const attr = parseAttr(f.attr);
  if (typeof attr === 'string') return attr;
  if (f.limit && !/^[0-9]{1,4}$/.test(f.limit)) return 'Limit must be a number from 1 to 1000';
  if (f.trace_id && !/^[0-9a-fA-F]{1,32}$/.test(f.trace_id)) return 'Trace id must be hex digits (up to 32)';
  const params: Record<string, string | undefined> = {
    service: f.service || undefined,
    level: f.level || undefined,
    q: f.q || undefined,
    trace_id: f.trace_id ? f.trace_id.toLowerCase() : undefined,
  };
  if (attr) params[`attr.${attr[0]}`] = attr[1];
  return params;
}

export function startMs(f: LogFilters, now: number): string | undefined {
  return f.range === 'all' ? undefined : String(now - rangeMs(f.range));
}
