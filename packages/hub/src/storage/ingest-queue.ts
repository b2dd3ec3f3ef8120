import type { LogRow } from '../otlp/normalize-logs.ts';
import type { SpanRow } from '../otlp/normalize-traces.ts';

export interface IngestJob {
  spans: SpanRow[] | null;
  logs: LogRow[] | null;
  items: number;
  bytes: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export interface QueueLimits {
  readonly maxItems: number;
  readonly maxBytes: number;
}

/**
 * Bounded FIFO between request handlers and the writer. `offer` refuses instead of growing:
 * the caller answers 429 so exporters back off and the hub's memory stays bounded.
 */
export class IngestQueue {
  readonly limits: QueueLimits;
  #jobs: IngestJob[] = [];
  #head = 0;
  items = 0;
  bytes = 0;

  constructor(limits: QueueLimits) {
    this.limits = limits;
  }

  /** True when nothing more should even be decoded. */
  full(): boolean {
    return this.items >= this.limits.maxItems || this.bytes >= this.limits.maxBytes;
  }

  offer(job: IngestJob): boolean {
    // An empty queue takes any single job, so one request larger than the bound can still pass.
    if (
      this.items > 0 &&
      (this.items + job.items > this.limits.maxItems || this.bytes + job.bytes > this.limits.maxBytes)
    ) {
      return false;
    }
    this.#jobs.push(job);
    this.items += job.items;
    this.bytes += job.bytes;
    return true;
  }

  get length(): number {
    return this.#jobs.length - this.#head;
  }

  /** Removes jobs from the front until about `maxItems` items are taken (at least one job). */
  take(maxItems: number): IngestJob[] {
    const out: IngestJob[] = [];
    let n = 0;
    while (
      this.#head < this.#jobs.length &&
      (out.length === 0 || n + this.#jobs[this.#head]!.items <= maxItems)
    ) {
      const job = this.#jobs[this.#head++]!;
      out.push(job);
      n += job.items;
      this.items -= job.items;
      this.bytes -= job.bytes;
    }
    // Consumed jobs must not stay referenced: they hold whole request buffers.
    if (this.#head === this.#jobs.length) {
      this.#jobs = [];
      this.#head = 0;
    } else if (this.#head > 64) {
      this.#jobs = this.#jobs.slice(this.#head);
      this.#head = 0;
    }
    return out;
  }
}
