import { DEPTH_MARKER, TRUNCATED_MARKER, type ValueLimits } from './limits.ts';

/** The decoded protobufjs shapes we read (unset fields are null on the generated prototypes). */
export interface OtlpLong {
  low: number;
  high: number;
}
export interface OtlpAnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: number | OtlpLong | null;
  doubleValue?: number | null;
  arrayValue?: { values?: OtlpAnyValue[] | null } | null;
  kvlistValue?: { values?: OtlpKeyValue[] | null } | null;
  bytesValue?: Uint8Array | null;
}
export interface OtlpKeyValue {
  key?: string | null;
  value?: OtlpAnyValue | null;
}

export type AttrValue = string | number | boolean | null | AttrValue[] | { [k: string]: AttrValue };

const TWO_POW_32 = 4294967296;

/** int64/fixed64 as a JS number (protobufjs gives a Long when the `long` package is present). */
export function longToNumber(v: number | OtlpLong | string | null | undefined, unsigned: boolean): number {
  if (v == null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  const high = unsigned ? v.high >>> 0 : v.high | 0;
  return high * TWO_POW_32 + (v.low >>> 0);
}

export function truncate(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) + TRUNCATED_MARKER : s;
}

export function anyValueToJs(
  v: OtlpAnyValue | null | undefined,
  limits: ValueLimits,
  depth: number,
): AttrValue {
  if (v == null) return null;
  if (v.stringValue != null) return truncate(v.stringValue, limits.maxValueLength);
  if (v.boolValue != null) return v.boolValue;
  if (v.intValue != null) {
    const n = longToNumber(v.intValue, false);
    return Number.isSafeInteger(n) ? n : String(n);
  }
  if (v.doubleValue != null) return Number.isFinite(v.doubleValue) ? v.doubleValue : String(v.doubleValue);
  if (v.arrayValue != null) {
    if (depth >= limits.maxDepth) return DEPTH_MARKER;
    const values = v.arrayValue.values ?? [];
    const n = Math.min(values.length, limits.maxAttributes);
    const out: AttrValue[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = anyValueToJs(values[i], limits, depth + 1);
    if (values.length > n) out.push(TRUNCATED_MARKER);
    return out;
  }
  if (v.kvlistValue != null) {
    if (depth >= limits.maxDepth) return DEPTH_MARKER;
    return attributesToObject(v.kvlistValue.values, limits, depth + 1).attrs;
  }
  if (v.bytesValue != null) {
    return truncate(
      Buffer.from(v.bytesValue.buffer, v.bytesValue.byteOffset, v.bytesValue.byteLength).toString('base64'),
      limits.maxValueLength,
    );
  }
  return null;
}

export interface ConvertedAttributes {
  attrs: { [k: string]: AttrValue };
  dropped: number;
}

export function attributesToObject(
  kvs: OtlpKeyValue[] | null | undefined,
  limits: ValueLimits,
  depth = 0,
): ConvertedAttributes {
  // A plain object keeps V8's fast properties (null-prototype ones go dictionary-mode and serialise
  // slowly); the one key that would touch the prototype is defined as an own property instead.
  const attrs: { [k: string]: AttrValue } = {};
  if (kvs == null) return { attrs, dropped: 0 };
  const n = Math.min(kvs.length, limits.maxAttributes);
  for (let i = 0; i < n; i++) {
    const kv = kvs[i]!;
    const key = truncate(kv.key ?? '', 256);
    const value = anyValueToJs(kv.value, limits, depth);
    if (key === '__proto__')
      Object.defineProperty(attrs, key, { value, enumerable: true, writable: true, configurable: true });
    else attrs[key] = value;
  }
  return { attrs, dropped: kvs.length - n };
}

/** Log bodies: strings as-is, anything else as JSON text. */
export function bodyToString(v: OtlpAnyValue | null | undefined, limits: ValueLimits): string {
  if (v == null) return '';
  if (v.stringValue != null) return truncate(v.stringValue, limits.maxValueLength);
  const js = anyValueToJs(v, limits, 0);
  return truncate(typeof js === 'string' ? js : JSON.stringify(js), limits.maxValueLength);
}

/**
 * The attributes as JSON text in one pass, without building an intermediate object — the
 * per-span hot path. Same limits and output as JSON.stringify(attributesToObject(...).attrs)
 * except that a repeated key appears twice (JSON.parse keeps the last, as the object would).
 */
export function attributesToJson(
  kvs: OtlpKeyValue[] | null | undefined,
  limits: ValueLimits,
  extra: string | null = null,
): string {
  let out = '{';
  const n = kvs == null ? 0 : Math.min(kvs.length, limits.maxAttributes);
  for (let i = 0; i < n; i++) {
    const kv = kvs![i]!;
    if (i > 0) out += ',';
    out += JSON.stringify(truncate(kv.key ?? '', 256));
    out += ':';
    const v = kv.value;
    if (v == null) out += 'null';
    else if (v.stringValue != null) out += JSON.stringify(truncate(v.stringValue, limits.maxValueLength));
    else if (v.boolValue != null) out += v.boolValue ? 'true' : 'false';
    else out += JSON.stringify(anyValueToJs(v, limits, 0));
  }
  if (extra !== null) out += n > 0 ? `,${extra}` : extra;
  return out + '}';
}
