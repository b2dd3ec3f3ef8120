import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import { instrumentHttp } from '../http-metrics.ts';
import type { HubMetrics } from '../metrics.ts';
import type { StoreWriter } from '../storage/writer.ts';
import type { CardinalityGuard } from './input-guard.ts';
import { parseJsonObject, prepareLogsJson, prepareTraceJson } from './json-request.ts';
import type { ValueLimits } from './limits.ts';
import { normalizeLogs } from './normalize-logs.ts';
import { normalizeTraces } from './normalize-traces.ts';
import {
  ExportLogsServiceRequest,
  ExportLogsServiceResponse,
  ExportTraceServiceRequest,
  ExportTraceServiceResponse,
  encodeStatus,
  type ProtoMessageType,
} from './proto.ts';
import { decodeContent, OtlpError } from './request-body.ts';

export interface ReceiverOptions {
  writer: StoreWriter;
  metrics: HubMetrics;
  limits: ValueLimits;
  maxBodyBytes: number;
  logger: Logger;
  /** Bounds on distinct services and operations taken from input. */
  guard?: CardinalityGuard;
}

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

// gRPC status codes carried in the google.rpc.Status error body.
const GRPC_CODE: Record<number, number> = { 400: 3, 413: 8, 415: 3, 429: 8, 503: 14 };

function isJson(req: FastifyRequest): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith(JSON_TYPE);
}

function sendError(
  reply: FastifyReply,
  json: boolean,
  status: number,
  code: string,
  message: string,
): FastifyReply {
  if (status === 429 || status === 503) reply.header('retry-after', status === 429 ? '1' : '5');
  reply.code(status);
  if (json) {
    // google.rpc.Status in JSON, plus Vigil's error object for humans and scripts.
    return reply
      .type(JSON_TYPE)
      .send({ code: GRPC_CODE[status] ?? 2, message: `${code}: ${message}`, error: { code, message } });
  }
  return reply.type(PROTOBUF).send(Buffer.from(encodeStatus(GRPC_CODE[status] ?? 2, `${code}: ${message}`)));
}

interface Signal {
  request: ProtoMessageType;
  response: ProtoMessageType;
  /** Returns the number of items it took out as invalid (counted as rejected by ingest). */
  prepareJson: (o: Record<string, unknown>) => number;
  ingest: (
    decoded: unknown,
    invalid: number,
  ) => {
    accepted: number;
    rejectedCount: number;
    firstError: string | null;
    submit: () => ReturnType<StoreWriter['submit']> | null;
  };
  rejectedField: string;
}

/** Hands rows to the writer once and forgets them (they are cloned to the writer thread). */
function submitOnce<T>(
  rows: T[],
  send: (rows: T[]) => ReturnType<StoreWriter['submit']>,
): () => ReturnType<StoreWriter['submit']> | null {
  let held: T[] | null = rows.length > 0 ? rows : null;
  return () => {
    const r = held;
    held = null;
    return r === null ? null : send(r);
  };
}

export async function buildReceiverApp(opts: ReceiverOptions): Promise<FastifyInstance> {
  const { writer, metrics, limits, maxBodyBytes, guard } = opts;
  const app = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: maxBodyBytes,
  });
  instrumentHttp(app, metrics.red);
  app.removeAllContentTypeParsers();
  for (const type of [PROTOBUF, JSON_TYPE]) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_req, body, done) =>
      done(null, body),
    );
  }

  const traces: Signal = {
    request: ExportTraceServiceRequest,
    response: ExportTraceServiceResponse,
    prepareJson: prepareTraceJson,
    rejectedField: 'rejectedSpans',
    ingest(decoded, invalidNames) {
      const n = normalizeTraces(decoded as Parameters<typeof normalizeTraces>[0], limits, {
        nowNs: Date.now() * 1e6,
        invalidNames,
        ...(guard ? { guard } : {}),
      });
      metrics.spansReceived.inc(n.rows.length + n.rejectedCount);
      for (const [reason, count] of Object.entries(n.rejected)) metrics.spansRejected.inc({ reason }, count);
      let bytes = 0;
      for (const r of n.rows) bytes += r.size;
      return {
        accepted: n.rows.length,
        rejectedCount: n.rejectedCount,
        firstError: n.firstError,
        submit: submitOnce(n.rows, (rows) => writer.submit(rows, null, bytes)),
      };
    },
  };
  const logs: Signal = {
    request: ExportLogsServiceRequest,
    response: ExportLogsServiceResponse,
    prepareJson: prepareLogsJson,
    rejectedField: 'rejectedLogRecords',
    ingest(decoded) {
      const n = normalizeLogs(
        decoded as Parameters<typeof normalizeLogs>[0],
        limits,
        () => Date.now() * 1e6,
        guard,
      );
      metrics.logsReceived.inc(n.rows.length + n.rejectedCount);
      for (const [reason, count] of Object.entries(n.rejected)) metrics.logsRejected.inc({ reason }, count);
      let bytes = 0;
      for (const r of n.rows) bytes += r.size;
      return {
        accepted: n.rows.length,
        rejectedCount: n.rejectedCount,
        firstError: n.firstError,
        submit: submitOnce(n.rows, (rows) => writer.submit(null, rows, bytes)),
      };
    },
  };

  const handle = (signal: Signal) => async (req: FastifyRequest, reply: FastifyReply) => {
    const json = isJson(req);
    if (!Buffer.isBuffer(req.body)) {
      return sendError(
        reply,
        true,
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'content-type must be application/x-protobuf or application/json',
      );
    }
    // Refuse before decoding: under overload, decoding work we cannot store is the first thing to shed.
    if (writer.queue.full()) {
      metrics.shed.inc({ status: '429' });
      return sendError(reply, json, 429, 'QUEUE_FULL', 'ingest queue is full, retry later');
    }
    let decoded: unknown;
    let invalid = 0;
    try {
      const raw = await decodeContent(
        req.body,
        req.headers['content-encoding'] as string | undefined,
        maxBodyBytes,
      );
      if (json) {
        let obj: Record<string, unknown>;
        try {
          obj = parseJsonObject(raw);
        } catch {
          throw new OtlpError(400, 'INVALID_JSON', 'body is not a JSON object');
        }
        invalid = signal.prepareJson(obj);
        try {
          decoded = signal.request.fromObject(obj);
        } catch (err) {
          throw new OtlpError(
            400,
            'INVALID_OTLP',
            `body is not an OTLP export request: ${String((err as Error).message).slice(0, 200)}`,
          );
        }
      } else {
        try {
          decoded = signal.request.decode(raw);
        } catch {
          throw new OtlpError(400, 'INVALID_PROTOBUF', 'body is not a valid OTLP protobuf export request');
        }
      }
    } catch (err) {
      if (err instanceof OtlpError) return sendError(reply, json, err.status, err.code, err.message);
      throw err;
    }
    let result: ReturnType<Signal['ingest']>;
    try {
      result = signal.ingest(decoded, invalid);
      // The decoded message must not live on in this suspended frame while the commit is awaited:
      // surviving young-generation collections would promote it and make old-generation GC the cost.
      decoded = undefined;
    } catch {
      // Types fromObject let through (e.g. an object where a string belongs) surface here.
      return sendError(reply, json, 400, 'INVALID_OTLP', 'body has fields of the wrong type');
    }
    const submitted = result.submit();
    if (submitted !== null) {
      if (!submitted.accepted) {
        const status = submitted.reason === 'closed' ? 503 : 429;
        metrics.shed.inc({ status: String(status) });
        return sendError(
          reply,
          json,
          status,
          submitted.reason === 'closed' ? 'SHUTTING_DOWN' : 'QUEUE_FULL',
          'retry later',
        );
      }
      try {
        await submitted.done;
      } catch {
        metrics.shed.inc({ status: '503' });
        return sendError(reply, json, 503, 'STORE_UNAVAILABLE', 'the store could not commit, retry later');
      }
    }
    const partial =
      result.rejectedCount > 0
        ? {
            partialSuccess: {
              [signal.rejectedField]: result.rejectedCount,
              errorMessage: result.firstError ?? 'rejected',
            },
          }
        : {};
    if (json) {
      if (result.rejectedCount > 0) {
        // OTLP/JSON encodes int64 as a decimal string.
        (partial.partialSuccess as Record<string, unknown>)[signal.rejectedField] = String(
          result.rejectedCount,
        );
      }
      return reply.type(JSON_TYPE).send(partial);
    }
    const msg = signal.response.fromObject(partial);
    return reply.type(PROTOBUF).send(Buffer.from(signal.response.encode(msg).finish()));
  };

  // Shed before the body is even read: under overload, buffering bodies we will refuse is what
  // would grow memory (hundreds of exporters × their batch size).
  app.addHook('onRequest', async (req, reply) => {
    if (req.method === 'POST' && writer.queue.full()) {
      metrics.shed.inc({ status: '429' });
      return sendError(reply, isJson(req), 429, 'QUEUE_FULL', 'ingest queue is full, retry later');
    }
  });

  app.post('/v1/traces', handle(traces));
  app.post('/v1/logs', handle(logs));

  app.setErrorHandler((err: { statusCode?: number; code?: string }, req, reply) => {
    const json = isJson(req);
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return sendError(reply, json, 413, 'PAYLOAD_TOO_LARGE', `body exceeds ${maxBodyBytes} bytes`);
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendError(
        reply,
        true,
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'content-type must be application/x-protobuf or application/json',
      );
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500)
      return sendError(reply, json, status, 'BAD_REQUEST', 'the request was rejected');
    req.log.error({ err }, 'otlp request failed');
    return sendError(reply, json, 503, 'INTERNAL_ERROR', 'internal error, retry later');
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({
      error: {
        code: 'ROUTE_NOT_FOUND',
        message: `no route for ${req.method} ${req.url.split('?')[0]?.slice(0, 200)}`,
      },
    }),
  );
  return app;
}
