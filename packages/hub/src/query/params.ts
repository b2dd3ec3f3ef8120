import { z } from 'zod';

export class QueryError extends Error {
  readonly param: string;
  /** The message Jaeger's query service gives for the same mistake (its error envelope's `msg`). */
  readonly jaegerMessage: string;
  constructor(param: string, message: string, jaegerMessage?: string) {
    super(`${param}: ${message}`);
    this.param = param;
    this.jaegerMessage = jaegerMessage ?? this.message;
  }
}

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
  d: 86400e9,
};
const DURATION = /^(?:[0-9]+(?:\.[0-9]+)?(?:ns|us|µs|ms|s|m|h|d))+$/;
const PART = /([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h|d)/g;

/** Go-style durations as Jaeger takes them ("10ms", "1.5s", "1h30m"), plus "d" for lookback; in ns. */
export function parseDurationNs(param: string, s: string): number {
  if (!DURATION.test(s))
    throw new QueryError(param, `"${s.slice(0, 40)}" is not a duration like 10ms, 1.5s or 1h`);
  let ns = 0;
  for (const m of s.matchAll(PART)) ns += Number(m[1]) * UNIT_NS[m[2]!]!;
  return ns;
}

const DIGITS = /^[0-9]{1,19}$/;

export function parseIntParam(param: string, s: string, min: number, max: number): number {
  if (!DIGITS.test(s)) throw new QueryError(param, 'must be a non-negative integer');
  const n = Number(s);
  if (n < min || n > max) throw new QueryError(param, `must be between ${min} and ${max}`);
  return n;
}

/** Logs take either an ISO-8601 time or epoch milliseconds; returns ns. */
export function parseTimeNs(param: string, s: string): number {
  if (DIGITS.test(s)) return Number(s) * 1e6;
  const ms = Date.parse(s);
  if (!/^[0-9]{4}-/.test(s) || Number.isNaN(ms))
    throw new QueryError(param, 'must be an ISO-8601 time or epoch milliseconds');
  return ms * 1e6;
}

/** Query strings arrive as string | string[]; each parameter here may appear once. */
export const single = z.string().max(4096).optional();

export function checkQuery<T extends z.ZodRawShape>(shape: T, query: unknown): z.output<z.ZodObject<T>> {
  const result = z.object(shape).safeParse(query ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = issue.path.map(String).join('.') || 'query';
    throw new QueryError(
      name,
      issue.code === 'invalid_type' ? 'must be given once, as a string' : issue.message,
    );
  }
  return result.data;
}
