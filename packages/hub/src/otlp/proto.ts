import { createRequire } from 'node:module';
import protobuf from 'protobufjs';

// The protobufjs module generated from the official OTLP protos ships inside otlp-transformer
// (up to 0.200.x); the package has no export map, so the file is loaded by path.
const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: generated code without usable typings here
const root: any = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');

const v1 = root.opentelemetry.proto.collector;

export interface ProtoMessageType {
  decode(buf: Uint8Array): unknown;
  fromObject(obj: unknown): unknown;
  encode(msg: unknown): { finish(): Uint8Array };
  toObject(msg: unknown, opts?: unknown): Record<string, unknown>;
}

export const ExportTraceServiceRequest: ProtoMessageType = v1.trace.v1.ExportTraceServiceRequest;
export const ExportTraceServiceResponse: ProtoMessageType = v1.trace.v1.ExportTraceServiceResponse;
export const ExportLogsServiceRequest: ProtoMessageType = v1.logs.v1.ExportLogsServiceRequest;
export const ExportLogsServiceResponse: ProtoMessageType = v1.logs.v1.ExportLogsServiceResponse;

// google.rpc.Status, the body OTLP/HTTP prescribes for error responses (fields per status.proto).
const statusType = new protobuf.Type('Status')
  .add(new protobuf.Field('code', 1, 'int32'))
  .add(new protobuf.Field('message', 2, 'string'));
new protobuf.Root().define('google.rpc').add(statusType);

export function encodeStatus(code: number, message: string): Uint8Array {
  return statusType.encode(statusType.create({ code, message })).finish();
}

export function decodeStatus(buf: Uint8Array): { code: number; message: string } {
  return statusType.toObject(statusType.decode(buf), { defaults: true }) as { code: number; message: string };
}
