/**
 * Secrets and PII never reach logs or spans: values under sensitive keys are replaced, and free text
 * is scrubbed of card numbers (Luhn-checked), bearer credentials and email local parts.
 * Unchanged values keep their identity, so the common case allocates nothing.
 */
import { luhnValid } from '@vigil/card';

export const REDACTED = '[REDACTED]';
export const REDACTED_CARD = '[REDACTED:card]';
const MAX_DEPTH = 8;

const SENSITIVE_EXACT = new Set([
  'cvv',
  'cvc',
  'cvv2',
  'cvc2',
  'pwd',
  'passwd',
  'pan',
  'pin',
  'ssn',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'creditcard',
  'ccnumber',
  'privatekey',
]);
const SENSITIVE_PARTS = ['password', 'secret', 'token', 'apikey', 'cardnumber'];

const keyVerdicts = new Map<string, boolean>();

/** Keys are compared case- and separator-insensitively: `API-Key`, `api_key` and `apiKey` are one key. */
export function isSensitiveKey(key: string): boolean {
  let verdict = keyVerdicts.get(key);
  if (verdict === undefined) {
    const normalized = key.toLowerCase().replace(/[-_ .]/g, '');
    verdict = SENSITIVE_EXACT.has(normalized) || SENSITIVE_PARTS.some((part) => normalized.includes(part));
    // Keys come from code, not from input, so this cache stays small; the bound guards against the exception.
    if (keyVerdicts.size < 10_000) keyVerdicts.set(key, verdict);
  }
  return verdict;
}

// Separators a card number may be written with: any run of up to three characters that are neither
// letters nor digits (space, dash, dot, slash, underscore, comma, colon, …).
const SEPARATORS = /[^0-9A-Za-z]{1,3}/;
const SEPARATORS_G = /[^0-9A-Za-z]+/g;

/**
 * A candidate is a card when its digits are Luhn-valid, or when a run of its separator-delimited groups is
 * (a card followed by more digits, like "4111 1111 1111 1111 2026"). Arbitrary sub-windows are not tried:
 * one in ten of them would pass Luhn by chance.
 */
function containsCard(candidate: string): boolean {
  const digits = candidate.replace(SEPARATORS_G, '');
  if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) return true;
  const groups = candidate.split(SEPARATORS);
  if (groups.length < 2) return false;
  for (let i = 0; i < groups.length; i++) {
    let run = '';
    for (let j = i; j < groups.length; j++) {
      run += groups[j];
      if (run.length > 19) break;
      if (run.length >= 13 && run !== digits && luhnValid(run)) return true;
    }
  }
  return false;
}

// 13+ digits with optional separators between them, even glued to letters ("ref4111111111111111x"); not
// inside a longer digit run. Dates and times ("2026-12-01 20:43:28.123") are not cards.
const CARD_CANDIDATE = /(?<![0-9])[0-9](?:[^0-9A-Za-z]{0,3}[0-9]){12,40}(?![0-9])/g;
const DATE_TIME = /^\d{4}-\d\d-\d\d[ T]?\d\d:\d\d/;
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/g;
const CREDENTIAL = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;

function redactCards(text: string): string {
  return text.replace(CARD_CANDIDATE, (match) =>
    !DATE_TIME.test(match) && containsCard(match) ? REDACTED_CARD : match,
  );
}

/** True when `text` holds a card number (as the redaction sees one): free-text fields refuse them. */
export function containsCardNumber(text: string): boolean {
  return text.length >= 13 && redactCards(text) !== text;
}

export function redactString(text: string): string {
  let out = text;
  if (out.length >= 13) out = redactCards(out);
  if (out.includes('@')) out = out.replace(EMAIL, '$1***@$2');
  if (out.length > 6 && /earer|asic/i.test(out)) out = out.replace(CREDENTIAL, `$1 ${REDACTED}`);
  return out;
}

function hasManyDigits(text: string): boolean {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57 && ++n >= 13) return true;
  }
  return false;
}

/**
 * A URL, path or query string as it may be recorded (span attributes `url.full`, `url.path`, `url.query`):
 * percent-encoding is decoded before the scan, so `4111%201111%20…` and `4111%2F1111…` are caught too.
 * Unchanged input comes back as is (still encoded); a redacted one comes back decoded.
 */
export function redactUrl(url: string): string {
  if (url.length < 13) return url;
  let decoded = url;
  if (url.includes('%')) {
    try {
      decoded = decodeURIComponent(url);
    } catch {
      decoded = url.replace(/%[0-9A-Fa-f]{2}/g, ' ');
    }
  }
  if (!hasManyDigits(decoded) && !decoded.includes('@')) return url;
  const out = redactString(decoded);
  return out === decoded ? url : out;
}

// The stable HTTP semantic conventions' default list of query keys whose values are redacted in
// `url.query`/`url.full` (url registry: AWSAccessKeyId, Signature, sig, X-Goog-Signature; matched
// case-sensitively), with the AWS SigV4 presigned-URL counterparts. Other keys go through
// isSensitiveKey (token, password, api_key, …).
const SENSITIVE_QUERY_KEYS = new Set([
  'AWSAccessKeyId',
  'Signature',
  'sig',
  'X-Goog-Signature',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
]);

/**
 * A query string as it may be recorded (`url.query`, the query of `url.full`): each parameter under a
 * sensitive name (the semantic conventions' signed-URL keys, token, password, api_key, …) keeps its key
 * and loses its value, and the rest goes through the same redaction as log text (card numbers, emails,
 * bearer credentials). Percent-encoded values are decoded first, so an encoded card number is still found.
 */
export function redactQuery(query: string): string {
  let changed = false;
  const parts = query.split('&');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    const eq = part.indexOf('=');
    const rawKey = eq === -1 ? part : part.slice(0, eq);
    if (eq === -1 || eq === part.length - 1) continue;
    let key = rawKey;
    let value = part.slice(eq + 1);
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      value = decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      // Malformed escapes: scan the raw text.
    }
    const sensitive = SENSITIVE_QUERY_KEYS.has(key) || isSensitiveKey(key);
    const redacted = sensitive ? REDACTED : redactString(value);
    if (redacted !== value || sensitive) {
      parts[i] = `${rawKey}=${redacted}`;
      changed = true;
    }
  }
  return changed ? parts.join('&') : query;
}

/** A copy on the error's own prototype, so serializers still see its class (TypeError, …) but never its secrets. */
function redactError(err: Error, depth: number, seen: WeakSet<object>): Error {
  const copy = Object.create(Object.getPrototypeOf(err) as object) as Error;
  for (const key of Object.keys(err)) {
    (copy as unknown as Record<string, unknown>)[key] = isSensitiveKey(key)
      ? REDACTED
      : redactValue((err as unknown as Record<string, unknown>)[key], depth + 1, seen);
  }
  Object.defineProperty(copy, 'message', {
    value: redactString(err.message),
    enumerable: false,
    writable: true,
  });
  if (err.stack !== undefined) {
    Object.defineProperty(copy, 'stack', {
      value: redactString(err.stack),
      enumerable: false,
      writable: true,
    });
  }
  if (err.cause !== undefined) {
    Object.defineProperty(copy, 'cause', {
      value: redactValue(err.cause, depth + 1, seen),
      enumerable: false,
      writable: true,
    });
  }
  return copy;
}

export function redactValue(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[Truncated]';
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (value instanceof Error) return redactError(value, depth, seen);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const next = redactValue(value[i], depth + 1, seen);
      if (next !== value[i]) {
        copy ??= value.slice();
        copy[i] = next;
      }
    }
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  // Buffers, Dates, Maps and class instances are left for pino's serializers; plain records are walked.
  if (proto !== Object.prototype && proto !== null) return value;
  let copy: Record<string, unknown> | undefined;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const current = record[key];
    const next = isSensitiveKey(key)
      ? current === undefined || current === null
        ? current
        : REDACTED
      : redactValue(current, depth + 1, seen);
    if (next !== current) {
      copy ??= { ...record };
      copy[key] = next;
    }
  }
  return copy ?? value;
}
