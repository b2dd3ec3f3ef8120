// A minimal protobuf wire-format reader for the OTLP messages the tests inspect (field numbers from
// opentelemetry-proto), so the tests need no generated code from another package.

type Field = { no: number; wire: number; varint?: bigint; bytes?: Buffer; fixed?: bigint };

function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const byte = buf[pos++];
    if (byte === undefined) throw new Error('truncated varint');
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
}

export function readFields(buf: Buffer): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, next] = readVarint(buf, pos);
    pos = next;
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (wire === 0) {
      const [value, after] = readVarint(buf, pos);
      fields.push({ no, wire, varint: value });
      pos = after;
    } else if (wire === 1) {
      fields.push({ no, wire, fixed: buf.readBigUInt64LE(pos) });
      pos += 8;
    } else if (wire === 2) {
      const [length, after] = readVarint(buf, pos);
      const end = after + Number(length);
      fields.push({ no, wire, bytes: buf.subarray(after, end) });
      pos = end;
    } else if (wire === 5) {
      fields.push({ no, wire, fixed: BigInt(buf.readUInt32LE(pos)) });
      pos += 4;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
  return fields;
}

const all = (fields: Field[], no: number) => fields.filter((f) => f.no === no);
const one = (fields: Field[], no: number) => fields.find((f) => f.no === no);
const hex = (f: Field | undefined) => (f?.bytes && f.bytes.length > 0 ? f.bytes.toString('hex') : undefined);
const str = (f: Field | undefined) => f?.bytes?.toString('utf8');

function anyValue(buf: Buffer): unknown {
  const f = readFields(buf)[0];
  if (!f) return undefined;
  switch (f.no) {
    case 1:
      return str(f);
    case 2:
      return f.varint === 1n;
    case 3:
      return Number(f.varint);
    case 4:
      return f.fixed === undefined
        ? undefined
        : Buffer.from(new BigUint64Array([f.fixed]).buffer).readDoubleLE(0);
    default:
      return `<${f.no}>`;
  }
}

function attributes(fields: Field[], no: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of all(fields, no)) {
    const parts = readFields(kv.bytes as Buffer);
    const key = str(one(parts, 1)) ?? '';
    const value = one(parts, 2);
    out[key] = value?.bytes ? anyValue(value.bytes) : undefined;
  }
  return out;
}

export interface DecodedSpan {
  service: string;
  resource: Record<string, unknown>;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  statusCode: number;
  /** Span events (Span field 11: name 2, attributes 3). */
  events: { name: string; attributes: Record<string, unknown> }[];
  /** Decimal ns since the epoch (strings, so spans stay JSON-serialisable). */
  startNs: string;
  endNs: string;
}

export interface DecodedLog {
  service: string;
  body: unknown;
  severityText: string | undefined;
  traceId: string | undefined;
  spanId: string | undefined;
  attributes: Record<string, unknown>;
}

export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;

export function decodeTraces(body: Buffer): DecodedSpan[] {
  const spans: DecodedSpan[] = [];
  for (const rs of all(readFields(body), 1)) {
    const rsFields = readFields(rs.bytes as Buffer);
    const resourceField = one(rsFields, 1);
    const resource = resourceField ? attributes(readFields(resourceField.bytes as Buffer), 1) : {};
    for (const ss of all(rsFields, 2)) {
      for (const s of all(readFields(ss.bytes as Buffer), 2)) {
        const f = readFields(s.bytes as Buffer);
        const status = one(f, 15);
        spans.push({
          service: String(resource['service.name']),
          resource,
          traceId: hex(one(f, 1)) ?? '',
          spanId: hex(one(f, 2)) ?? '',
          parentSpanId: hex(one(f, 4)),
          name: str(one(f, 5)) ?? '',
          kind: Number(one(f, 6)?.varint ?? 0),
          attributes: attributes(f, 9),
          statusCode: status?.bytes ? Number(one(readFields(status.bytes), 3)?.varint ?? 0) : 0,
          events: all(f, 11).map((e) => {
            const ef = readFields(e.bytes as Buffer);
            return { name: str(one(ef, 2)) ?? '', attributes: attributes(ef, 3) };
          }),
          startNs: String(one(f, 7)?.fixed ?? 0n),
          endNs: String(one(f, 8)?.fixed ?? 0n),
        });
      }
    }
  }
  return spans;
}

export function decodeLogs(body: Buffer): DecodedLog[] {
  const logs: DecodedLog[] = [];
  for (const rl of all(readFields(body), 1)) {
    const rlFields = readFields(rl.bytes as Buffer);
    const resourceField = one(rlFields, 1);
    const resource = resourceField ? attributes(readFields(resourceField.bytes as Buffer), 1) : {};
    for (const sl of all(rlFields, 2)) {
      for (const r of all(readFields(sl.bytes as Buffer), 2)) {
        const f = readFields(r.bytes as Buffer);
        const body = one(f, 5);
        logs.push({
          service: String(resource['service.name']),
          body: body?.bytes ? anyValue(body.bytes) : undefined,
          severityText: str(one(f, 3)),
          traceId: hex(one(f, 9)),
          spanId: hex(one(f, 10)),
          attributes: attributes(f, 6),
        });
      }
    }
  }
  return logs;
}
