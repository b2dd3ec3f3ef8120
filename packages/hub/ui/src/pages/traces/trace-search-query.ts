import { rangeMs } from '../../lib/format.ts';

export interface TraceSearch {
  service: string;
  operation: string;
  tags: string;
  minDuration: string;
  maxDuration: string;
  range: string;
  limit: string;
}

export const FIELDS: (keyof TraceSearch)[] = [
  'service',
  'operation',
  'tags',
  'minDuration',
  'maxDuration',
  'range',
  'limit',
];

export function searchFromUrl(params: URLSearchParams): TraceSearch {
  return {
    service: params.get('service') ?? '',
    operation: params.get('operation') ?? '',
    tags: params.get('tags') ?? '',
    minDuration: params.get('minDuration') ?? '',
    maxDuration: params.get('maxDuration') ?? '',
    range: params.get('range') ?? '1h',
    limit: params.get('limit') ?? '20',
  };
}

export function searchToUrl(s: TraceSearch): string {
  const q = new URLSearchParams();
  for (const f of FIELDS) if (s[f]) q.set(f, s[f]);
  return `/traces?${q.toString()}`;
}

/** "http.status_code=500 error=true" (logfmt, as in Jaeger's UI) → {"http.status_code":"500","error":"true"}. */
export function parseTags(input: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  const re = /\s*([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)/y;
  let rest = input.trim();
  while (rest.length > 0) {
    re.lastIndex = 0;
    const m = re.exec(rest);
    if (!m) return `Tags must look like key=value pairs separated by spaces (near "${rest.slice(0, 20)}")`;
    const raw = m[2]!;
    out[m[1]!] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    rest = rest.slice(m[0].length).trim();
  }
  return out;
}

const DURATION = /^(?:[0-9]+(?:\.[0-9]+)?(?:us|µs|ms|s|m|h))+$/;

export function checkDuration(value: string): string | undefined {
  return value === '' || DURATION.test(value)
    ? undefined
    : `"${value}" is not a duration like 10ms, 1.5s or 2m`;
}

/** The /api/traces query parameters for a search, or an error message for bad input. */
export function apiParams(s: TraceSearch, now: number): Record<string, string | number | undefined> | string {
  const tags = parseTags(s.tags);
  if (typeof tags === 'string') return tags;
  const bad = checkDuration(s.minDuration) ?? checkDuration(s.maxDuration);
  if (bad) return bad;
  const lookback = rangeMs(s.range);
  return {
    service: s.service || undefined,
    operation: s.operation || undefined,
    tags: Object.keys(tags).length > 0 ? JSON.stringify(tags) : undefined,
    minDuration: s.minDuration || undefined,
    maxDuration: s.maxDuration || undefined,
    start: (now - lookback) * 1000,
    end: now * 1000,
    lookback: s.range,
    limit: s.limit || '20',
  };
}
