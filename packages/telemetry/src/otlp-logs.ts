import type { Context } from '@opentelemetry/api';
import type { AnyValueMap, Logger as OtelLogger, SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import type { Resource } from '@opentelemetry/resources';
import {
  BatchLogRecordProcessor,
  LoggerProvider,
  type LogRecordProcessor,
  type ReadWriteLogRecord,
} from '@opentelemetry/sdk-logs';
import { countingExporter, ExportAccounting, queueLengthReader } from './export-accounting.ts';
import type { WarnOnce } from './warn-once.ts';

const MAX_QUEUE_SIZE = 4096;

// pino numeric levels → OTel severity numbers (TRACE=1, DEBUG=5, INFO=9, WARN=13, ERROR=17, FATAL=21).
const SEVERITY: Record<number, { number: SeverityNumber; text: string }> = {
  10: { number: 1, text: 'TRACE' },
  20: { number: 5, text: 'DEBUG' },
  30: { number: 9, text: 'INFO' },
  40: { number: 13, text: 'WARN' },
  50: { number: 17, text: 'ERROR' },
  60: { number: 21, text: 'FATAL' },
};

class CountingLogRecordProcessor implements LogRecordProcessor {
  readonly #inner: LogRecordProcessor;
  readonly #accounting: ExportAccounting;
  #shutDown = false;

  constructor(inner: LogRecordProcessor, accounting: ExportAccounting) {
    this.#inner = inner;
    this.#accounting = accounting;
  }
  onEmit(record: ReadWriteLogRecord, context?: Context): void {
    this.#accounting.offer(this.#shutDown);
    this.#inner.onEmit(record, context);
  }
  forceFlush(): Promise<void> {
    return this.#inner.forceFlush();
  }
  shutdown(): Promise<void> {
    this.#shutDown = true;
    return this.#inner.shutdown();
  }
}

export interface OtlpLogs {
  emit(
    level: number,
    fields: Record<string, unknown> | undefined,
    message: string | undefined,
    context?: Context,
  ): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Attributes for an OTLP log record: `err` becomes the semconv exception.* attributes. */
function toAttributes(fields: Record<string, unknown> | undefined): AnyValueMap | undefined {
  if (!fields) return undefined;
  const attributes: AnyValueMap = {};
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined || typeof value === 'function') continue;
    if (key === 'err' && value !== null && typeof value === 'object') {
      const err = value as { name?: unknown; message?: unknown; stack?: unknown };
      const type = (value as object).constructor?.name;
      attributes['exception.type'] = type && type !== 'Object' ? type : String(err.name ?? 'Error');
      if (err.message !== undefined) attributes['exception.message'] = String(err.message);
      if (err.stack !== undefined) attributes['exception.stacktrace'] = String(err.stack);
      continue;
    }
    attributes[key] = value as AnyValueMap[string];
  }
  return attributes;
}

export function createOtlpLogs(
  endpoint: string,
  resource: Resource,
  version: string,
  accounting: ExportAccounting,
  warnOnce: WarnOnce,
): OtlpLogs {
  const exporter = countingExporter(
    new OTLPLogExporter({ url: endpoint, timeoutMillis: 3000 }),
    accounting,
    'logs',
    warnOnce,
  );
  const batch = new BatchLogRecordProcessor({
    exporter: exporter as unknown as ConstructorParameters<typeof BatchLogRecordProcessor>[0]['exporter'],
    maxQueueSize: MAX_QUEUE_SIZE,
    maxExportBatchSize: 512,
    scheduledDelayMillis: 1000,
    exportTimeoutMillis: 4000,
  });
  accounting.attachQueue(queueLengthReader(batch, '_finishedLogRecords'));
  const provider = new LoggerProvider({
    resource,
    processors: [new CountingLogRecordProcessor(batch, accounting)],
  });
  const logger: OtelLogger = provider.getLogger('@vigil/telemetry', version);
  return {
    emit(level, fields, message, context) {
      const severity = SEVERITY[level] ?? { number: 9, text: 'INFO' };
      logger.emit({
        ...(context === undefined ? {} : { context }),
        severityNumber: severity.number,
        severityText: severity.text,
        body: message ?? '',
        attributes: toAttributes(fields),
      });
    },
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

export function logsAccounting(): ExportAccounting {
  return new ExportAccounting(MAX_QUEUE_SIZE);
}
