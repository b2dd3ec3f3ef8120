import hdr from 'hdr-histogram-js';

/** How a request failed. `status`: unexpected HTTP status; `check`: a JSON check failed. */
export const ERROR_KINDS = ['status', 'check', 'timeout', 'reset', 'refused', 'other'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Latencies are recorded in microseconds, 1 µs .. 2 min, 3 significant digits (0.1 %). */
const HIGHEST_US = 120_000_000;

export function newHistogram(): hdr.Histogram {
  return hdr.build({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
  });
}

export function recordMs(h: hdr.Histogram, ms: number): void {
  h.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000))));
}

export function encode(h: hdr.Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/** Adds an encoded histogram into each of `into` (merging across workers and intervals); decodes once. */
export function mergeEncoded(encoded: string, ...into: hdr.Histogram[]): void {
  const h = hdr.decodeFromCompressedBase64(encoded, 32);
  for (const target of into) target.add(h);
  h.destroy();
}

export interface Percentiles {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

/** Percentiles in milliseconds. */
export function percentiles(h: hdr.Histogram): Percentiles {
  const count = h.totalCount;
  const at = (p: number) => (count === 0 ? 0 : h.getValueAtPercentile(p) / 1000);
  return {
    count,
    mean: count === 0 ? 0 : h.mean / 1000,
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    p999: at(99.9),
    max: count === 0 ? 0 : h.maxValue / 1000,
  };
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
  hist: string;
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
  /** Encoded histogram of dispatch lag (µs) of every arrival. */
  lag: string | null;
  inFlight: number;
  slowest: TracedRequest[];
  failures: TracedRequest[];
  failuresDropped: number;
}

/** A send more than this late counts as "could not be sent on time". */
export const LATE_MS = 1;

class StepRecorder {
  hist = newHistogram();
  requests = 0;
  failed = 0;
  errors: Partial<Record<ErrorKind, number>> = {};
  checksPassed = 0;
  checksFailed = 0;
}

/** Per-worker recorder: interval histograms per step, reset at every flush. */
export class Recorder {
  private steps = new Map<string, StepRecorder>();
  private slowest: TracedRequest[] = [];
  private failures: TracedRequest[] = [];
  private failuresDropped = 0;
  private iterations = 0;
  private due = 0;
  private late = 0;
  private lag: hdr.Histogram | null = null;
  inFlight = 0;
  private readonly worker: number;
  private readonly keepSlowest: number;
  private readonly maxFailuresPerInterval: number;

  constructor(worker: number, keepSlowest: number, maxFailuresPerInterval: number) {
    this.worker = worker;
    this.keepSlowest = keepSlowest;
    this.maxFailuresPerInterval = maxFailuresPerInterval;
  }

  private step(key: string): StepRecorder {
    let s = this.steps.get(key);
    if (!s) {
      s = new StepRecorder();
      this.steps.set(key, s);
    }
    return s;
  }

  request(r: TracedRequest, checks: { passed: number; failed: number }): void {
    const s = this.step(r.key);
    recordMs(s.hist, r.latencyMs);
    s.requests++;
    s.checksPassed += checks.passed;
    s.checksFailed += checks.failed;
    if (r.kind) {
      s.failed++;
      s.errors[r.kind] = (s.errors[r.kind] ?? 0) + 1;
      if (this.failures.length < this.maxFailuresPerInterval) this.failures.push(r);
      else this.failuresDropped++;
    }
    if (this.keepSlowest > 0) {
      const slow = this.slowest;
      if (slow.length < this.keepSlowest) {
        slow.push(r);
        slow.sort((a, b) => b.latencyMs - a.latencyMs);
      } else if (r.latencyMs > slow[slow.length - 1]!.latencyMs) {
        slow[slow.length - 1] = r;
        slow.sort((a, b) => b.latencyMs - a.latencyMs);
      }
    }
  }

  iteration(): void {
    this.iterations++;
  }

  /** An open-model arrival left the scheduler `lagMs` after it was due. */
  dispatched(lagMs: number): void {
    this.due++;
    if (lagMs > LATE_MS) this.late++;
    this.lag ??= newHistogram();
    recordMs(this.lag, lagMs);
  }

  flush(): IntervalReport {
    const steps: Record<string, StepInterval> = {};
    for (const [key, s] of this.steps) {
      if (s.requests === 0) continue;
      steps[key] = {
        hist: encode(s.hist),
        requests: s.requests,
        failed: s.failed,
        errors: s.errors,
        checksPassed: s.checksPassed,
        checksFailed: s.checksFailed,
      };
      s.hist.reset();
      s.requests = s.failed = s.checksPassed = s.checksFailed = 0;
      s.errors = {};
    }
    const report: IntervalReport = {
      worker: this.worker,
      steps,
      iterations: this.iterations,
      due: this.due,
      late: this.late,
      lag: this.lag && this.lag.totalCount > 0 ? encode(this.lag) : null,
      inFlight: this.inFlight,
      // The running top-N is sent every time (small), so a partial report still has it.
      slowest: [...this.slowest],
      failures: this.failures,
      failuresDropped: this.failuresDropped,
    };
    this.lag?.reset();
    this.iterations = this.due = this.late = this.failuresDropped = 0;
    this.failures = [];
    return report;
  }
}
