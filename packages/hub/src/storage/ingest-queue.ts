export interface QueueLimits {
  readonly maxItems: number;
  readonly maxBytes: number;
}

/**
 * The bound on spans and log records accepted but not yet committed. `offer` refuses instead of
 * growing: the caller answers 429 so exporters back off and the hub's memory stays bounded.
 */
export class IngestQueue {
  readonly limits: QueueLimits;
  items = 0;
  bytes = 0;

  constructor(limits: QueueLimits) {
    this.limits = limits;
  }

  /** True when nothing more should even be decoded. */
  full(): boolean {
    return this.items >= this.limits.maxItems || this.bytes >= this.limits.maxBytes;
  }

  offer(items: number, bytes: number): boolean {
    // An empty queue takes any single batch, so one request larger than the bound can still pass.
    if (
      this.items > 0 &&
      (this.items + items > this.limits.maxItems || this.bytes + bytes > this.limits.maxBytes)
    ) {
      return false;
    }
    this.items += items;
    this.bytes += bytes;
    return true;
  }

  release(items: number, bytes: number): void {
    this.items -= items;
    this.bytes -= bytes;
  }
}
