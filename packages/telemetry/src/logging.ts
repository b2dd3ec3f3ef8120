import { format } from 'node:util';
import { type Context, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type LevelWithSilent, type Logger } from 'pino';
import { createBatchedDestination } from './log-destination.ts';
import type { OtlpLogs } from './otlp-logs.ts';
import { redactString, redactValue } from './redact.ts';

export interface Logging {
  logger: Logger;
  /** Later-bound so the logger exists before the exporters that warn through it. */
  setOtlp(otlp: OtlpLogs | undefined): void;
  /**
   * The request log line, built by hand: the same JSON line `logger.info` would write, without pino's
   * generic serialisation and hook pass (trusted, pre-escaped values; stdout only, never over OTLP).
   */
  writeRequestLog(
    traceId: string,
    spanId: string,
    methodJson: string,
    routeJson: string,
    status: number,
    durationMs: number,
  ): void;
  linesDropped(): number;
  flush(): void;
}

function messageFrom(args: readonly unknown[], start: number): string | undefined {
  if (args.length <= start) return undefined;
  if (args.length === start + 1) {
    const only = args[start];
    return typeof only === 'string' ? only : String(only);
  }
  return format(...args.slice(start));
}

/** Log fields built by the library itself from known-safe values (route templates, numbers): not redacted. */
export const TRUSTED_FIELDS = Symbol('vigil.trustedLogFields');
/** Set on a library-built line that goes to stdout only, not over OTLP (request logs by default). */
export const NOT_EXPORTED = Symbol('vigil.notExported');
/** The trace context a library-built log line belongs to, when it is logged outside that context. */
export const LOG_CONTEXT = Symbol('vigil.logContext');

interface InternalFields {
  [TRUSTED_FIELDS]?: boolean;
  [NOT_EXPORTED]?: boolean;
  [LOG_CONTEXT]?: Context;
}

// Under load many lines share a millisecond, and every line of a second shares its date and time: the
// ISO string is built once per second, and only its milliseconds once per millisecond.
let lastMs = 0;
let lastTime = '';
let lastSecond = -1;
let secondPrefix = '';
function isoTimeCached(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    const second = Math.floor(now / 1000);
    if (second !== lastSecond) {
      lastSecond = second;
      // "YYYY-MM-DDTHH:MM:SS." of a whole second.
      secondPrefix = `,"time":"${new Date(second * 1000).toISOString().slice(0, 20)}`;
    }
    const ms = now - second * 1000;
    lastTime = `${secondPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
  }
  return lastTime;
}

/** `{ reqId }` as Fastify's per-request child logger binds it (a generated counter, `req-<n>`). */
function isRequestIdOnly(bindings: object): boolean {
  let keys = 0;
  for (const key in bindings) {
    if (key !== 'reqId' || ++keys > 1) return false;
  }
  const reqId = (bindings as { reqId?: unknown }).reqId;
  return typeof reqId === 'string' && /^req-[0-9a-z]+$/.test(reqId);
}

export function createLogging(
  service: string,
  level: string,
  destination: DestinationStream | undefined,
): Logging {
  let otlp: OtlpLogs | undefined;
  // Batched stdout with a bounded buffer: a slow reader costs log lines (counted), never request latency.
  const stdout = destination ? undefined : createBatchedDestination(1);
  const sink = (destination ?? stdout) as { write(line: string): unknown };
  const levelAndTime = '{"level":"info"';
  const serviceField = `,"service":${JSON.stringify(service)}`;
  const logger = pino(
    {
      level: level as LevelWithSilent,
      base: { service },
      timestamp: isoTimeCached,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => redactValue(bindings) as Record<string, unknown>,
      },
      hooks: {
        // One pass per call: redact (once, for both the JSON line and the OTLP record), export, then add
        // trace_id/span_id of the active span (or of the context the library passes for request logs).
        logMethod(args, method, numericLevel) {
          const first: unknown = args[0];
          let fields: Record<string, unknown> | undefined;
          let message: string | undefined;
          if (first instanceof Error) {
            fields = { err: first };
            message = messageFrom(args, 1) ?? first.message;
          } else if (typeof first === 'object' && first !== null) {
            fields = first as Record<string, unknown>;
            message = messageFrom(args, 1);
          } else {
            message = messageFrom(args, 0);
          }
          const internal = fields as InternalFields | undefined;
          let safeFields =
            fields === undefined || internal?.[TRUSTED_FIELDS] === true
              ? fields
              : (redactValue(fields) as Record<string, unknown>);
          const safeMessage =
            message === undefined || internal?.[TRUSTED_FIELDS] === true ? message : redactString(message);
          const ctx = internal?.[LOG_CONTEXT];
          if (otlp !== undefined && internal?.[NOT_EXPORTED] !== true)
            otlp.emit(numericLevel, safeFields, safeMessage, ctx);
          const span = ctx === undefined ? trace.getActiveSpan() : trace.getSpan(ctx);
          if (span !== undefined) {
            const spanContext = span.spanContext();
            safeFields = { trace_id: spanContext.traceId, span_id: spanContext.spanId, ...safeFields };
          }
          if (safeFields === undefined) method.call(this, safeMessage as string);
          else if (safeMessage === undefined) method.call(this, safeFields);
          else method.call(this, safeFields, safeMessage);
        },
      },
    },
    destination ?? (stdout as DestinationStream),
  );
  // pino runs the bindings formatter for the root only; child bindings (Fastify's per-request child,
  // logger.child({...}) in services) are redacted here instead. Children inherit this override.
  const originalChild = logger.child as unknown as (
    this: Logger,
    bindings: object,
    options?: object,
  ) => Logger;
  logger.child = function redactingChild(this: Logger, bindings: object, options?: object) {
    // Fastify makes one child per request with only its generated request id: nothing to redact there.
    const safe = isRequestIdOnly(bindings) ? bindings : (redactValue(bindings) as object);
    return originalChild.call(this, safe, options);
  } as unknown as typeof logger.child;
  return {
    logger,
    setOtlp(next) {
      otlp = next;
    },
    writeRequestLog(traceId, spanId, methodJson, routeJson, status, durationMs) {
      if (!logger.isLevelEnabled('info')) return;
      sink.write(
        `${levelAndTime}${isoTimeCached()}${serviceField},"trace_id":"${traceId}","span_id":"${spanId}","event":"http_request","method":${methodJson},"route":${routeJson},"status":${status},"duration_ms":${durationMs},"msg":"request completed"}\n`,
      );
    },
    linesDropped: () => stdout?.dropped() ?? 0,
    flush() {
      stdout?.flushSync();
    },
  };
}
