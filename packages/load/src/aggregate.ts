import type hdr from 'hdr-histogram-js';
import { newHistogram, type Percentiles, percentiles, recordSamples } from './histogram.ts';
import { ERROR_KINDS, type ErrorKind, type IntervalReport, type TracedRequest } from './stats.ts';
import type { ThresholdSubject } from './thresholds.ts';

interface StepTotals {
  hist: hdr.Histogram;
  requests: number;
  failed: number;
  errors: Record<ErrorKind, number>;
  checksPassed: number;
  checksFailed: number;
}

/** One second of the run, all workers merged. */
export interface TimelinePoint {
  /** Seconds since the start. */
  t: number;
  requests: number;
  failed: number;
  iterations: number;
  due: number;
  late: number;
  inFlight: number;
  latency: Percentiles;
  /** Requests, failures and tail latency per step key. */
  steps: Record<string, { requests: number; failed: number; p95: number; p99: number }>;
}

export interface StepSummary {
  key: string;
  journey: string;
  step: string;
  requests: number;
  failed: number;
  rps: number;
  errors: Record<ErrorKind, number>;
  checks: { passed: number; failed: number };
  latencyMs: Percentiles;
}

const EMPTY: Percentiles = { count: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };

const emptyErrors = (): Record<ErrorKind, number> =>
  Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<ErrorKind, number>;

/** Merges the workers' interval reports into totals and a 1-s timeline (main thread). */
export class Aggregator {
  readonly steps = new Map<string, StepTotals>();
  readonly overall = newHistogram();
  readonly lag = newHistogram();
  readonly timeline: TimelinePoint[] = [];
  iterations = 0;
  due = 0;
  late = 0;
  failuresDropped = 0;
  readonly failures: TracedRequest[] = [];
  private readonly slowestByWorker = new Map<number, TracedRequest[]>();
  private readonly inFlightByWorker = new Map<number, number>();
  private readonly maxFailures: number;
  private bucket: {
    hist: hdr.Histogram;
    point: TimelinePoint;
    stepHists: Map<string, hdr.Histogram>;
  } | null = null;

  constructor(maxFailures = 10_000) {
    this.maxFailures = maxFailures;
  }

  private stepTotals(key: string): StepTotals {
    let s = this.steps.get(key);
    if (!s) {
      s = {
        hist: newHistogram(),
        requests: 0,
        failed: 0,
        errors: emptyErrors(),
        checksPassed: 0,
        checksFailed: 0,
      };
      this.steps.set(key, s);
    }
    return s;
  }

  /** Adds a worker's report to the totals and to the bucket of second `t`. */
  add(report: IntervalReport, t: number): void {
    // A report that arrives after the next second opened joins the open bucket.
    if (!this.bucket || t > this.bucket.point.t) {
      this.closeBucket();
      this.bucket = {
        hist: newHistogram(),
        stepHists: new Map(),
        point: {
          t,
          requests: 0,
          failed: 0,
          iterations: 0,
          due: 0,
          late: 0,
          inFlight: 0,
          latency: EMPTY,
          steps: {},
        },
      };
    }
    const b = this.bucket;
    for (const [key, s] of Object.entries(report.steps)) {
      const totals = this.stepTotals(key);
      let sh = b.stepHists.get(key);
      if (!sh) {
        sh = newHistogram();
        b.stepHists.set(key, sh);
      }
      recordSamples(s.samples, totals.hist, this.overall, b.hist, sh);
      totals.requests += s.requests;
      totals.failed += s.failed;
      totals.checksPassed += s.checksPassed;
      totals.checksFailed += s.checksFailed;
      for (const [kind, n] of Object.entries(s.errors)) totals.errors[kind as ErrorKind] += n ?? 0;
      b.point.requests += s.requests;
      b.point.failed += s.failed;
      b.point.steps[key] ??= { requests: 0, failed: 0, p95: 0, p99: 0 };
      const ps = b.point.steps[key];
      ps.requests += s.requests;
      ps.failed += s.failed;
    }
    if (report.lag) recordSamples(report.lag, this.lag);
    this.iterations += report.iterations;
    this.due += report.due;
    this.late += report.late;
    b.point.iterations += report.iterations;
    b.point.due += report.due;
    b.point.late += report.late;
    this.inFlightByWorker.set(report.worker, report.inFlight);
    b.point.inFlight = [...this.inFlightByWorker.values()].reduce((a, c) => a + c, 0);
    this.slowestByWorker.set(report.worker, report.slowest);
    for (const f of report.failures) {
      if (this.failures.length < this.maxFailures) this.failures.push(f);
      else this.failuresDropped++;
    }
    this.failuresDropped += report.failuresDropped;
  }

  /** Computes the percentiles of the current second and appends it to the timeline. */
  closeBucket(): void {
    const b = this.bucket;
    if (!b) return;
    b.point.latency = percentiles(b.hist);
    for (const [key, h] of b.stepHists) {
      const p = percentiles(h);
      const ps = b.point.steps[key]!;
      ps.p95 = p.p95;
      ps.p99 = p.p99;
      h.destroy();
    }
    b.hist.destroy();
    this.timeline.push(b.point);
    this.bucket = null;
  }

  lastPoint(): TimelinePoint | undefined {
    return this.timeline[this.timeline.length - 1];
  }

  inFlight(): number {
    return [...this.inFlightByWorker.values()].reduce((a, c) => a + c, 0);
  }

  slowest(n: number): TracedRequest[] {
    return [...this.slowestByWorker.values()]
      .flat()
      .sort((a, b) => b.latencyMs - a.latencyMs)
      .slice(0, n);
  }

  totals(): {
    requests: number;
    failed: number;
    checksPassed: number;
    checksFailed: number;
    errors: Record<ErrorKind, number>;
  } {
    const out = { requests: 0, failed: 0, checksPassed: 0, checksFailed: 0, errors: emptyErrors() };
    for (const s of this.steps.values()) {
      out.requests += s.requests;
      out.failed += s.failed;
      out.checksPassed += s.checksPassed;
      out.checksFailed += s.checksFailed;
      for (const k of ERROR_KINDS) out.errors[k] += s.errors[k];
    }
    return out;
  }

  stepSummaries(elapsedS: number): StepSummary[] {
    return [...this.steps.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, s]) => {
        const [journey = '', step = ''] = key.split('/');
        return {
          key,
          journey,
          step,
          requests: s.requests,
          failed: s.failed,
          rps: elapsedS > 0 ? s.requests / elapsedS : 0,
          errors: s.errors,
          checks: { passed: s.checksPassed, failed: s.checksFailed },
          latencyMs: percentiles(s.hist),
        };
      });
  }

  /** The numbers a threshold reads: every step whose key, journey or step name equals `selector`. */
  subject(selector: string | null, elapsedS: number): ThresholdSubject | undefined {
    const keys = [...this.steps.keys()].filter((key) => {
      if (selector === null) return true;
      const [journey, step] = key.split('/');
      return key === selector || journey === selector || step === selector;
    });
    if (keys.length === 0) return undefined;
    const hist = newHistogram();
    let requests = 0;
    let errors = 0;
    let checksPassed = 0;
    let checksFailed = 0;
    for (const key of keys) {
      const s = this.steps.get(key)!;
      hist.add(s.hist);
      requests += s.requests;
      errors += s.failed;
      checksPassed += s.checksPassed;
      checksFailed += s.checksFailed;
    }
    const p = percentiles(hist);
    hist.destroy();
    return {
      latency: { p50: p.p50, p90: p.p90, p95: p.p95, p99: p.p99, 'p99.9': p.p999, max: p.max, mean: p.mean },
      requests,
      errors,
      checksPassed,
      checksFailed,
      rps: elapsedS > 0 ? requests / elapsedS : 0,
      late: this.late,
      due: this.due,
    };
  }
}
