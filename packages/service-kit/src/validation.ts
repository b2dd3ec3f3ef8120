import { z } from 'zod';
import { httpError } from './http-error.ts';

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** One line naming the first offending field, e.g. `email: Invalid email address`. */
export function describeZodError(error: z.ZodError, fallbackField = 'body'): string {
  const first = error.issues[0];
  if (!first) return `${fallbackField}: invalid`;
  const field = formatPath(first.path) || fallbackField;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return `${field}: ${first.message}${more}`;
}

/**
 * Parses `value` with a zod schema or throws 400 VALIDATION_FAILED naming the field.
 * `where` names the input when the whole value is wrong (e.g. `body`, `query`).
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw httpError(400, 'VALIDATION_FAILED', describeZodError(result.error, where));
  return result.data;
}

const ID_PATTERN = /^[1-9][0-9]{0,14}$/;

/** A positive integer id from a path segment, or 400 INVALID_ID. */
export function parseId(raw: unknown, name = 'id'): number {
  if (typeof raw !== 'string' || !ID_PATTERN.test(raw)) {
    throw httpError(400, 'INVALID_ID', `${name} must be a positive integer`);
  }
  return Number(raw);
}

/** An integer query parameter in [min, max] given as decimal digits, with a default when absent. */
export function queryInt(min: number, max: number, defaultValue: number) {
  const message = `must be an integer between ${min} and ${max}`;
  return z
    .string()
    .regex(/^[0-9]{1,9}$/, message)
    .transform(Number)
    .refine((n) => n >= min && n <= max, message)
    .default(defaultValue);
}

/** `limit` (1–100, default 20) and `offset` (0–1,000,000, default 0) for list endpoints. */
export function paginationShape() {
  return { limit: queryInt(1, 100, 20), offset: queryInt(0, 1_000_000, 0) };
}
