const HEX = /^[0-9a-fA-F]*$/;
// A one-byte id can never be valid, so a malformed hex id becomes this and is rejected per item.
const INVALID_ID = Buffer.alloc(1);

/** OTLP/JSON carries ids as hex (not base64 as protobuf's JSON mapping would). */
export function hexIdToBytes(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (value.length % 2 !== 0 || !HEX.test(value)) return INVALID_ID;
  return Buffer.from(value, 'hex');
}

export function isAllZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/** A usable id: exactly `len` bytes and not all zero. */
export function isValidId(b: Uint8Array | null | undefined, len: number): b is Uint8Array {
  return b != null && b.length === len && !isAllZero(b);
}

export function toBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

export function idToHex(b: Uint8Array | null | undefined): string | null {
  return b == null ? null : toBuffer(b).toString('hex');
}

const TRACE_ID = /^[0-9a-fA-F]{1,32}$/;

/** A trace id from a URL: 1–32 hex digits (Jaeger accepts short ids), left-padded to 16 bytes. */
export function parseTraceIdParam(s: string): Buffer | null {
  if (!TRACE_ID.test(s)) return null;
  const b = Buffer.from(s.padStart(32, '0'), 'hex');
  return isAllZero(b) ? null : b;
}
