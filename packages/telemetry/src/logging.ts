import { format } from 'node:util';
import { trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type LevelWithSilent, type Logger } from 'pino';
import type { OtlpLogs } from './otlp-logs.ts';
import { redactString, redactValue } from './redact.ts';

export interface Logging {
  logger: Logger;
  /** Later-bound so the logger exists before the exporters that warn through it. */
  setOtlp(otlp: OtlpLogs | undefined): void;
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

interface SonicBoomLike extends DestinationStream {
  on(event: 'drop', listener: () => void): unknown;
  flushSync(): void;
}

export function createLogging(
  service: string,
  level: string,
  destination: DestinationStream | undefined,
): Logging {
  let otlp: OtlpLogs | undefined;
  let dropped = 0;
  // Async stdout with a bounded buffer: a slow reader costs log lines (counted), never request latency.
  const sonic = destination
    ? undefined
    : (pino.destination({ dest: 1, sync: false, maxLength: 16 * 1024 * 1024 }) as unknown as SonicBoomLike);
  sonic?.on('drop', () => {
    dropped++;
  });
  const logger = pino(
    {
      level: level as LevelWithSilent,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => redactValue(bindings) as Record<string, unknown>,
      },
      mixin() {
        const span = trace.getActiveSpan();
        // pino merges the log object into the returned one, so it must be fresh each call.
        if (span === undefined) return {};
        const spanContext = span.spanContext();
        return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
      },
      hooks: {
        // Redaction happens once here, before both the JSON line and the OTLP record are built.
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
          const safeFields =
            fields === undefined ? undefined : (redactValue(fields) as Record<string, unknown>);
          const safeMessage = message === undefined ? undefined : redactString(message);
          if (otlp !== undefined) otlp.emit(numericLevel, safeFields, safeMessage);
          if (safeFields === undefined) method.call(this, safeMessage as string);
          else if (safeMessage === undefined) method.call(this, safeFields);
          else method.call(this, safeFields, safeMessage);
        },
      },
    },
    destination ?? sonic,
  );
  // pino runs the bindings formatter for the root only; child bindings (Fastify's per-request child,
  // logger.child({...}) in services) are redacted here instead. Children inherit this override.
  const originalChild = logger.child as unknown as (
    this: Logger,
    bindings: object,
    options?: object,
  ) => Logger;
  logger.child = function redactingChild(this: Logger, bindings: object, options?: object) {
    return originalChild.call(this, redactValue(bindings) as object, options);
  } as unknown as typeof logger.child;
  return {
    logger,
    setOtlp(next) {
      otlp = next;
    },
    linesDropped: () => dropped,
    flush() {
      try {
        sonic?.flushSync();
      } catch {
        // Not yet open or already closed: nothing buffered that a sync flush could save.
      }
    },
  };
}
