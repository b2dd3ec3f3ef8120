import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

// OTLP message types from the official protos vendored in ./proto (source and version: proto/README.md),
// loaded once with protobufjs reflection (field names camelCased, as the OTLP/JSON mapping names them).
// Messages nest 3 deep per AnyValue level (AnyValue > KeyValueList > KeyValue): protoc's limit of 100 would
// refuse ~33 attribute levels. Deeper nesting is accepted up to 256 and cut with a marker (limits.ts);
// beyond, decoding is refused with a 4xx before the stack is at risk.
protobuf.util.recursionLimit = 256;
protobuf.Reader.recursionLimit = 256;

const PROTO_DIR = fileURLToPath(new URL('./proto/', import.meta.url));
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => PROTO_DIR + target;
root.loadSync(
  [
    'opentelemetry/proto/collector/trace/v1/trace_service.proto',
    'opentelemetry/proto/collector/logs/v1/logs_service.proto',
  ],
  { keepCase: false },
);
root.resolveAll();

// As protobufjs's generated static code has it (and any-value.ts relies on): a oneof member that is not
// set reads null, not its type's default ("" or 0), so AnyValue tells which member was sent.
function nullUnsetOneofMembers(ns: protobuf.NamespaceBase): void {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Type) {
      for (const field of nested.fieldsArray)
        if (field.partOf) (nested.ctor.prototype as Record<string, unknown>)[field.name] = null;
    }
    if (nested instanceof protobuf.Namespace) nullUnsetOneofMembers(nested);
  }
}
nullUnsetOneofMembers(root);

export interface ProtoMessageType {
  decode(buf: Uint8Array): unknown;
  fromObject(obj: unknown): unknown;
  encode(msg: unknown): { finish(): Uint8Array };
  toObject(msg: unknown, opts?: unknown): Record<string, unknown>;
}

const type = (name: string): ProtoMessageType => root.lookupType(`opentelemetry.proto.collector.${name}`);

export const ExportTraceServiceRequest = type('trace.v1.ExportTraceServiceRequest');
export const ExportTraceServiceResponse = type('trace.v1.ExportTraceServiceResponse');
export const ExportLogsServiceRequest = type('logs.v1.ExportLogsServiceRequest');
export const ExportLogsServiceResponse = type('logs.v1.ExportLogsServiceResponse');

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
