import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { WarnOnce } from './warn-once.ts';

/** Where the items handed to a batch processor ended up: exported, failed in export, or refused (queue full). */
export class ExportAccounting {
  inFlight = 0;
  exported = 0;
  failed = 0;
  failedBatches = 0;
  overflowed = 0;
  readonly maxQueueSize: number;
  #readQueueLength: () => number | undefined = () => undefined;

  constructor(maxQueueSize: number) {
    this.maxQueueSize = maxQueueSize;
  }

  attachQueue(readQueueLength: () => number | undefined): void {
    this.#readQueueLength = readQueueLength;
  }

  queued(): number {
    return this.#readQueueLength() ?? 0;
  }

  /** Called before an item is offered to the batch processor: counts it when the processor will refuse it. */
  offer(processorShutDown: boolean): void {
    if (processorShutDown || this.queued() >= this.maxQueueSize) this.overflowed++;
  }

  /** Lost items: export failures plus queue overflow (and items offered after shutdown). */
  dropped(): number {
    return this.failed + this.overflowed;
  }
}

interface Exporter<T> {
  export(items: T[], resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

/** Wraps an OTLP exporter so each batch's outcome is counted and a failing collector is warned about once. */
export function countingExporter<T, E extends Exporter<T>>(
  inner: E,
  accounting: ExportAccounting,
  signal: 'traces' | 'logs',
  warnOnce: WarnOnce,
): Exporter<T> {
  return {
    export(items, resultCallback) {
      const n = items.length;
      accounting.inFlight += n;
      let settled = false;
      const done = (result: ExportResult) => {
        if (settled) return;
        settled = true;
        accounting.inFlight -= n;
        if (result.code === ExportResultCode.SUCCESS) {
          accounting.exported += n;
        } else {
          accounting.failed += n;
          accounting.failedBatches++;
          warnOnce(`export-${signal}`, `OTLP ${signal} export failed; items are dropped and counted`, {
            signal,
            error: result.error?.message,
          });
        }
        resultCallback(result);
      };
      try {
        inner.export(items, done);
      } catch (err) {
        done({ code: ExportResultCode.FAILED, error: err as Error });
      }
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

/** The SDK batch processors keep their queue in a private array; read its length when it is there. */
export function queueLengthReader(processor: object, field: string): () => number | undefined {
  return () => {
    const queue = (processor as Record<string, unknown>)[field];
    return Array.isArray(queue) ? queue.length : undefined;
  };
}
