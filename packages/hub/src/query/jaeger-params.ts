/**
 * Query parameters of the Jaeger query service's HTTP API (api/v2-era `/api/traces`, `/api/dependencies`),
 * parsed as Jaeger's own handlers do (jaegertracing/jaeger cmd/jaeger/internal/extension/jaegerquery/
 * internal/query_parser.go, before v2 removed the endpoints the UI no longer calls): the first value of a
 * repeated single parameter wins, unknown parameters are ignored, the same defaults, the same messages.
 */
import { parseTraceIdParam } from '../otlp/ids.ts';
import { QueryError } from './params.ts';
import type { TraceSearch } from './trace-store.ts';

/** Jaeger's defaultQueryLimit. */
export const DEFAULT_LIMIT = 100;
/** Vigil's bound on one search (Jaeger has none; the storage caps it). */
export const MAX_LIMIT = 1500;
/** Jaeger's defaultTraceQueryLookbackDuration: 2 days before now when `start` is absent. */
export const DEFAULT_LOOKBACK_NS = 2 * 86_400e9;
/** Jaeger's defaultDependencyLookbackDuration: 24 h. */
export const DEFAULT_DEPENDENCY_LOOKBACK_MS = 86_400_000;

export type RawQuery = Record<string, string | string[] | undefined>;

/** Go's url.Values.Get: the first value, or "". */
function first(q: RawQuery, name: string): string {
  const v = q[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

function all(q: RawQuery, name: string): string[] {
  const v = q[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** A Jaeger error: the message is Jaeger's, the param names what was wrong. */
function fail(param: string, msg: string): never {
  throw new QueryError(param, msg, msg);
}

const INT64_MAX = 9_223_372_036_854_775_807n;

/** strconv.ParseInt(s, 10, bits), with Go's error text. */
export function parseGoInt(s: string, bits = 64): number {
  if (!/^[+-]?[0-9]+$/.test(s))
    throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = BigInt(s);
  const max = bits === 64 ? INT64_MAX : (1n << BigInt(bits - 1)) - 1n;
  if (n > max || n < -max - 1n)
    throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
  return Number(n);
}

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5
  μs: 1e3, // U+03BC
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** time.ParseDuration, with Go's error text; in ns. */
export function parseGoDuration(s: string): number {
  const quoted = JSON.stringify(s);
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest[0] === '-' ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new Error(`time: invalid duration ${quoted}`);
  let ns = 0;
  while (rest !== '') {
    const num = /^([0-9]*)(\.[0-9]*)?/.exec(rest)!;
    if (num[0] === '' || num[0] === '.') throw new Error(`time: invalid duration ${quoted}`);
    rest = rest.slice(num[0].length);
    const unit = /^[^0-9.]*/.exec(rest)![0];
    if (unit === '') throw new Error(`time: missing unit in duration ${quoted}`);
    const scale = UNIT_NS[unit];
    if (scale === undefined)
      throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    rest = rest.slice(unit.length);
    ns += Number(num[0]) * scale;
  }
  return sign * ns;
}

function parseError(param: string, err: unknown): never {
  fail(param, `unable to parse param '${param}': ${(err as Error).message}`);
}

/** queryParser.parseTime: "units since the epoch", or `fallback` when absent; returns ns. */
function time(q: RawQuery, param: string, unitNs: number, fallbackNs: number): number {
  const s = first(q, param);
  if (s === '') return fallbackNs;
  try {
    return parseGoInt(s) * unitNs;
  } catch (err) {
    return parseError(param, err);
  }
}

function duration(q: RawQuery, param: string): number | undefined {
  const s = first(q, param);
  if (s === '') return undefined;
  let ns: number;
  try {
    ns = parseGoDuration(s);
  } catch (err) {
    return parseError(param, err);
  }
  // Jaeger accepts a negative duration (and matches everything); Vigil refuses it as meaningless.
  if (ns < 0) fail(param, `unable to parse param '${param}': must not be negative`);
  return ns === 0 ? undefined : ns;
}

/**
 * model.TraceIDFromString's error, with Go's text: more than 32 characters, else strconv.ParseUint
 * (base 16) of the high part (all but the last 16 characters), then of the low part. The echoed
 * input is cut at 64 characters (Jaeger echoes all of it).
 */
function traceIdError(s: string): string {
  if (s.length > 32) return `TraceID cannot be longer than 32 hex characters: ${s.slice(0, 64)}`;
  const parts = s.length > 16 ? [s.slice(0, s.length - 16), s.slice(s.length - 16)] : [s];
  const bad = parts.find((p) => !/^[0-9a-fA-F]+$/.test(p)) ?? s;
  return `strconv.ParseUint: parsing ${JSON.stringify(bad)}: invalid syntax`;
}

/** queryParser.parseTags: `tag=k:v` (repeatable, the value may contain ':'), then `tags=<JSON object of strings>` (repeatable). */
export function parseTags(q: RawQuery): [string, string][] {
  const out = new Map<string, string>();
  for (const tag of all(q, 'tag')) {
    const i = tag.indexOf(':');
    if (i < 0) fail('tag', `malformed 'tag' parameter, expecting key:value, received: ${tag.slice(0, 200)}`);
    out.set(tag.slice(0, i), tag.slice(i + 1));
  }
  for (const json of all(q, 'tags')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (err) {
      fail(
        'tags',
        `malformed 'tags' parameter, cannot unmarshal JSON: ${(err as Error).message.slice(0, 200)}`,
      );
    }
    // Jaeger unmarshals into map[string]string: null is an empty map, anything else must be an object of strings.
    if (parsed === null) continue;
    if (typeof parsed !== 'object' || Array.isArray(parsed))
      fail('tags', `malformed 'tags' parameter, cannot unmarshal JSON: not an object of strings`);
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof v !== 'string')
        fail(
          'tags',
          `malformed 'tags' parameter, cannot unmarshal JSON: value of ${k.slice(0, 100)} is not a string`,
        );
      out.set(k, v);
    }
  }
  return [...out];
}

export interface JaegerTraceQuery {
  search: TraceSearch;
  /** `traceID=` values: when any are given, exactly these traces are returned and the filters ignored. */
  traceIds: { hex: string; id: Buffer }[];
}

/** queryParser.parseTraceQueryParams. */
export function parseTraceQuery(q: RawQuery, nowNs: number): JaegerTraceQuery {
  const startNs = time(q, 'start', 1000, nowNs - DEFAULT_LOOKBACK_NS);
  const endNs = time(q, 'end', 1000, nowNs);
  const tags = parseTags(q);
  let limit = DEFAULT_LIMIT;
  const limitParam = first(q, 'limit');
  if (limitParam !== '') {
    try {
      limit = parseGoInt(limitParam, 32);
    } catch (err) {
      // As in Jaeger: the bare strconv error, without the "unable to parse param" prefix.
      fail('limit', (err as Error).message);
    }
    if (limit < 1 || limit > MAX_LIMIT)
      fail('limit', `unable to parse param 'limit': must be between 1 and ${MAX_LIMIT}`);
  }
  const minDurationNs = duration(q, 'minDuration');
  const maxDurationNs = duration(q, 'maxDuration');
  const traceIds: JaegerTraceQuery['traceIds'] = [];
  for (const s of all(q, 'traceID')) {
    const id = parseTraceIdParam(s);
    if (id !== null) traceIds.push({ hex: id.toString('hex'), id });
    // All zeros: Jaeger parses it (and finds no such trace); no stored trace has that id.
    else if (/^0{1,32}$/.test(s)) traceIds.push({ hex: '0'.repeat(32), id: Buffer.alloc(16) });
    else fail('traceID', `cannot parse traceID param: ${traceIdError(s)}`);
  }
  if (minDurationNs !== undefined && maxDurationNs !== undefined && maxDurationNs < minDurationNs)
    fail('maxDuration', `'maxDuration' should be greater than 'minDuration'`);
  const service = first(q, 'service');
  const operation = first(q, 'operation');
  return {
    search: {
      ...(service ? { service } : {}),
      ...(operation ? { operation } : {}),
      tags,
      ...(minDurationNs !== undefined ? { minDurationNs } : {}),
      ...(maxDurationNs !== undefined ? { maxDurationNs } : {}),
      startNs,
      endNs,
      limit,
    },
    traceIds,
  };
}

/** queryParser.parseDependenciesQueryParams: endTs (ms, default now) and lookback (ms, default 24 h); in ns. */
export function parseDependenciesQuery(
  q: RawQuery,
  nowMs: number,
): { startNs: number; endNs: number; service: string } {
  const endMs = time(q, 'endTs', 1, nowMs);
  let lookbackMs = DEFAULT_DEPENDENCY_LOOKBACK_MS;
  const s = first(q, 'lookback');
  if (s !== '') {
    try {
      lookbackMs = parseGoInt(s);
    } catch (err) {
      parseError('lookback', err);
    }
  }
  return { startNs: (endMs - lookbackMs) * 1e6, endNs: endMs * 1e6, service: first(q, 'service') };
}
