// What a worker records: no histogram library here (it costs a worker thread ~140 ms of CPU to
// load); the main thread builds the HDR histograms from the samples (histogram.ts).

/** How a request failed. `status`: unexpected HTTP status; `check`: a JSON check failed. */
export const ERROR_KINDS = ['status', 'check', 'timeout', 'reset', 'refused', 'other'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Latencies are recorded in microseconds, 1 µs .. 2 min, 3 significant digits (0.1 %). */
export const HIGHEST_US = 120_000_000;

/** A latency in ms as the histograms' unit: whole µs, clamped to 1 µs .. 2 min. */
export function toMicros(ms: number): number {
  return Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000)));
}

/**
 * One interval's latencies (µs) as recorded, handed to the main thread as a typed array: a worker
 * does no histogram work on the request path, and nothing is encoded per interval (an HDR
 * histogram's encoding walks its whole counts array: 18,432 slots at this range and precision,
 * ~9 % of a runner's CPU at 1,000 requests/s when it was done every second per step).
 */
export class Samples {
  private buf = new Uint32Array(256);
  private n = 0;

  get length(): number {
    return this.n;
  }

  push(ms: number): void {
    if (this.n === this.buf.length) {
      const bigger = new Uint32Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.n++] = toMicros(ms);
  }

  /** The samples so far (a copy), and starts over. */
  take(): Uint32Array {
    const out = this.buf.slice(0, this.n);
    this.n = 0;
    return out;
  }
}

export interface TracedRequest {
  /** `journey/step`. */
  key: string;
  latencyMs: number;
  status: number;
  traceId: string | null;
  /** Epoch ms when the response (or error) arrived. */
  at: number;
  kind?: ErrorKind;
  message?: string;
}

/** What one step did in one interval, as a worker sends it to the main thread. */
export interface StepInterval {
  /** Latencies in µs, in the order recorded. */
  samples: Uint32Array;
  requests: number;
  failed: number;
  errors: Partial<Record<ErrorKind, number>>;
  checksPassed: number;
  checksFailed: number;
}

export interface IntervalReport {
  worker: number;
  steps: Record<string, StepInterval>;
  iterations: number;
  /** Arrivals that were due in the interval (open model). */
  due: number;
  /** Arrivals dispatched more than LATE_MS after their scheduled time. */
  late: number;
  /** Dispatch lag (µs) of every arrival. */
  lag: Uint32Array | null;
  inFlight: number;
  slowest: TracedRequest[];
  failures: TracedRequest[];
  failuresDropped: number;
}

/** A send more than this late counts as "could not be sent on time". */
export const LATE_MS = 1;

/** One step's interval counters; the runner holds on to it so a request does no lookup. */
export class StepRecorder {
  readonly key: string;
  samples = new Samples();
  requests = 0;
  failed = 0;
  errors: Partial<Record<ErrorKind, number>> = {};
  checksPassed = 0;
  checksFailed = 0;

  constructor(key: string) {
    this.key = key;
  }
}

/** Per-worker recorder: the interval's samples and counters per step, reset at every flush. */
export class Recorder {
  private steps = new Map<string, StepRecorder>();
  /** The slowest so far, slowest first. */
  private slowest: TracedRequest[] = [];
  private failures: TracedRequest[] = [];
  private failuresDropped = 0;
  private iterations = 0;
  private due = 0;
  private late = 0;
  private readonly lag = new Samples();
  inFlight = 0;
  private readonly worker: number;
  private readonly keepSlowest: number;
  private readonly maxFailuresPerInterval: number;

  constructor(worker: number, keepSlowest: number, maxFailuresPerInterval: number) {
    this.worker = worker;
    this.keepSlowest = keepSlowest;
    this.maxFailuresPerInterval = maxFailuresPerInterval;
  }

  step(key: string): StepRecorder {
    let s = this.steps.get(key);
    if (!s) {
      s = new StepRecorder(key);
      this.steps.set(key, s);
    }
    return s;
  }

  request(r: TracedRequest, checks: { passed: number; failed: number }): void {
    const failure = r.kind ? { kind: r.kind, message: r.message ?? '' } : undefined;
    this.record(
      this.step(r.key),
      r.latencyMs,
      r.status,
      r.traceId,
      failure,
      checks.passed,
      checks.failed,
      r.at,
    );
  }

  /**
   * One request of step `s`. A TracedRequest is only built for a failure or a request among the
   * slowest so far: the common case allocates nothing.
   */
  record(
    s: StepRecorder,
    latencyMs: number,
    status: number,
    traceId: string | null,
    failure: { kind: ErrorKind; message: string } | undefined,
    checksPassed: number,
    checksFailed: number,
    at?: number,
  ): void {
    s.samples.push(latencyMs);
    s.requests++;
    s.checksPassed += checksPassed;
    s.checksFailed += checksFailed;
    const slow = this.slowest;
    const isSlow =
      this.keepSlowest > 0 &&
      (slow.length < this.keepSlowest || latencyMs > slow[slow.length - 1]!.latencyMs);
    if (!failure && !isSlow) return;
    const r: TracedRequest = { key: s.key, latencyMs, status, traceId, at: at ?? Date.now() };
    if (failure) {
      r.kind = failure.kind;
      r.message = failure.message;
      s.failed++;
      s.errors[failure.kind] = (s.errors[failure.kind] ?? 0) + 1;
      if (this.failures.length < this.maxFailuresPerInterval) this.failures.push(r);
      else this.failuresDropped++;
    }
    if (isSlow) {
      // Insertion into the short sorted list.
      let i = slow.length < this.keepSlowest ? slow.length : slow.length - 1;
      while (i > 0 && slow[i - 1]!.latencyMs < latencyMs) {
        slow[i] = slow[i - 1]!;
        i--;
      }
      slow[i] = r;
    }
  }

  iteration(): void {
    this.iterations++;
  }

  /** An open-model arrival left the scheduler `lagMs` after it was due. */
  dispatched(lagMs: number): void {
    this.due++;
    if (lagMs > LATE_MS) this.late++;
    this.lag.push(lagMs);
  }

  flush(): IntervalReport {
    const steps: Record<string, StepInterval> = {};
    for (const [key, s] of this.steps) {
      if (s.requests === 0) continue;
      steps[key] = {
        samples: s.samples.take(),
        requests: s.requests,
        failed: s.failed,
        errors: s.errors,
        checksPassed: s.checksPassed,
        checksFailed: s.checksFailed,
      };
      s.requests = s.failed = s.checksPassed = s.checksFailed = 0;
      s.errors = {};
    }
    const report: IntervalReport = {
      worker: this.worker,
      steps,
      iterations: this.iterations,
      due: this.due,
      late: this.late,
      lag: this.lag.length > 0 ? this.lag.take() : null,
      inFlight: this.inFlight,
      // The running top-N is sent every time (small), so a partial report still has it.
      slowest: [...this.slowest],
      failures: this.failures,
      failuresDropped: this.failuresDropped,
    };
    this.iterations = this.due = this.late = this.failuresDropped = 0;
    this.failures = [];
    return report;
  }
}
