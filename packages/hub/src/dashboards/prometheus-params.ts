// Validation of the two proxied Prometheus read endpoints' parameters, before anything is sent.

export class ParamError extends Error {}

const MAX_QUERY = 8 * 1024;
/** Prometheus refuses more points per series than this; checking here gives a clearer message. */
const MAX_POINTS = 11_000;
const UNIX_SECONDS = /^[0-9]{1,12}(\.[0-9]{1,9})?$/;
const RFC3339 =
  /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$/;
const DURATION = /^(?:[0-9]+(?:ms|s|m|h|d|w|y))+$/;
const DURATION_PART = /([0-9]+)(ms|s|m|h|d|w|y)/g;
const UNIT_S: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

function one(query: Record<string, unknown>, name: string, required: boolean): string | undefined {
  const v = query[name];
  if (v === undefined || v === '') {
    if (required) throw new ParamError(`${name}: is required`);
    return undefined;
  }
  if (typeof v !== 'string') throw new ParamError(`${name}: must be given once`);
  return v;
}

/** Unix seconds (with decimals) or RFC 3339, as Prometheus takes them; returns seconds. */
export function parseTime(name: string, s: string): number {
  if (UNIX_SECONDS.test(s)) return Number(s);
  const ms = Date.parse(s);
  if (!RFC3339.test(s) || Number.isNaN(ms))
    throw new ParamError(`${name}: must be unix seconds or an RFC 3339 time`);
  return ms / 1000;
}

/** Seconds (with decimals) or a Prometheus duration like 15s or 1m30s; returns seconds. */
export function parseStep(s: string): number {
  let seconds: number;
  if (UNIX_SECONDS.test(s)) seconds = Number(s);
  else if (DURATION.test(s)) {
    seconds = 0;
    for (const m of s.matchAll(DURATION_PART)) seconds += Number(m[1]) * UNIT_S[m[2]!]!;
  } else throw new ParamError('step: must be seconds or a duration like 15s');
  if (!(seconds > 0)) throw new ParamError('step: must be greater than zero');
  return seconds;
}

function checkExpr(query: Record<string, unknown>): string {
  const expr = one(query, 'query', true)!;
  if (expr.length > MAX_QUERY) throw new ParamError(`query: longer than ${MAX_QUERY} characters`);
  if (expr.trim() === '') throw new ParamError('query: is empty');
  return expr;
}

export interface InstantParams {
  query: string;
  time?: string;
}

export interface RangeParams {
  query: string;
  start: string;
  end: string;
  step: string;
}

export function instantParams(raw: unknown): InstantParams {
  const q = (raw ?? {}) as Record<string, unknown>;
  const query = checkExpr(q);
  const time = one(q, 'time', false);
  if (time !== undefined) parseTime('time', time);
  return time === undefined ? { query } : { query, time };
}

export function rangeParams(raw: unknown): RangeParams {
  const q = (raw ?? {}) as Record<string, unknown>;
  const query = checkExpr(q);
  const start = one(q, 'start', true)!;
  const end = one(q, 'end', true)!;
  const step = one(q, 'step', true)!;
  const s = parseTime('start', start);
  const e = parseTime('end', end);
  if (e < s) throw new ParamError('end: must not be before start');
  const stepS = parseStep(step);
  if ((e - s) / stepS > MAX_POINTS)
    throw new ParamError(`step: too small for the range (more than ${MAX_POINTS} points per series)`);
  return { query, start, end, step };
}
