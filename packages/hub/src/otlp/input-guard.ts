/**
 * What the hub takes from OTLP input into places that grow with it (the services list, the operations
 * index, the writer's caches) is bounded, and timestamps are checked against a sane window. Items
 * over a bound are dropped and counted (OTLP partial success), never silently stored.
 */

/** 2000-01-01T00:00:00Z in ns: anything earlier is a unit mistake (seconds or ms sent as ns) or garbage. */
export const MIN_TIME_NS = 946_684_800e9;
/** Times further than this in the future are refused (clock skew beyond it is a broken clock). */
export const MAX_FUTURE_NS = 86_400e9;

export type TimeVerdict = 'ok' | 'missing' | 'out_of_range' | 'end_before_start';

/** Checks a span's (or log record's) start/end ns; end is optional for log records. */
export function checkTimes(startNs: number, endNs: number, nowNs: number): TimeVerdict {
  if (!(startNs > 0)) return 'missing';
  const max = nowNs + MAX_FUTURE_NS;
  if (!Number.isFinite(startNs) || startNs < MIN_TIME_NS || startNs > max) return 'out_of_range';
  if (!Number.isFinite(endNs) || endNs > max) return 'out_of_range';
  if (endNs < startNs) return 'end_before_start';
  return 'ok';
}

export type CardinalityVerdict = 'ok' | 'service_limit' | 'operation_limit';

export interface CardinalityLimits {
  readonly maxServices: number;
  readonly maxOperationsPerService: number;
}

/** Distinct services and per-service operation names admitted so far (seeded from the store at start-up). */
export class CardinalityGuard {
  readonly #limits: CardinalityLimits;
  readonly #operations = new Map<string, Set<string>>();

  constructor(limits: CardinalityLimits, seed: Iterable<{ service: string; name: string }> = []) {
    this.#limits = limits;
    for (const { service, name } of seed) {
      let ops = this.#operations.get(service);
      if (ops === undefined) {
        ops = new Set();
        this.#operations.set(service, ops);
      }
      ops.add(name);
    }
  }

  get services(): number {
    return this.#operations.size;
  }

  /** Admits a service (a log record's); false once `maxServices` others are known. */
  admitService(service: string): boolean {
    return this.#serviceOps(service) !== undefined;
  }

  /** Admits a span's service and operation name. */
  admitSpan(service: string, name: string): CardinalityVerdict {
    const ops = this.#serviceOps(service);
    if (ops === undefined) return 'service_limit';
    if (ops.has(name)) return 'ok';
    if (ops.size >= this.#limits.maxOperationsPerService) return 'operation_limit';
    ops.add(name);
    return 'ok';
  }

  #serviceOps(service: string): Set<string> | undefined {
    let ops = this.#operations.get(service);
    if (ops === undefined) {
      if (this.#operations.size >= this.#limits.maxServices) return undefined;
      ops = new Set();
      this.#operations.set(service, ops);
    }
    return ops;
  }
}
