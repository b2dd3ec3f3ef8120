import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Aggregator, type StepSummary, type TimelinePoint } from './aggregate.ts';
import { sharedNow } from './clock.ts';
import { describeExecutor, type Executor, executorDuration } from './executor.ts';
import { type Percentiles, percentiles } from './histogram.ts';
import { boundPort, LoadMetrics, serveMetrics } from './metrics.ts';
import type { RunnerInit, RunnerMessage } from './runner.ts';
import type { Scenario } from './scenario.ts';
import type { ErrorKind, TracedRequest } from './stats.ts';
import {
  evaluateThreshold,
  parseThreshold,
  type Threshold,
  ThresholdError,
  type ThresholdResult,
} from './thresholds.ts';

export interface LoadOptions {
  /** Base URL of the system under test; default: the scenario's target. */
  target?: string;
  /** Worker threads (default: min(2, cores)). */
  workers?: number;
  /** Per-request timeout in ms (default 10 s; a step's own `timeout` wins). */
  timeoutMs?: number;
  /** k6-style expressions, e.g. `p95(order) < 300ms`, `error_rate < 1%`. */
  thresholds?: readonly string[];
  /** Stop the run as soon as a threshold fails (checked every second after the first 5 s). */
  abortOnFail?: boolean;
  /** How many of the slowest requests to keep with their trace ids (default 20). */
  keepSlowest?: number;
  /** Serve /metrics on this port while running (0 = any free port; undefined = no endpoint). */
  metricsPort?: number;
  /** Called every second with the run's progress. */
  onProgress?: (p: Progress) => void;
  /** Base URL of the hub console, for links to traces in the report. */
  hubUrl?: string;
  /**
   * Open model: least time between two releases of arrivals per worker (ms, default 0.5): above
   * 1/batchMs arrivals/s per worker, those due within it start together, each timed from its own
   * due time. 0 releases every arrival at its due time.
   */
  batchMs?: number;
}

export interface Progress {
  elapsedS: number;
  totalS: number;
  /** The last second. */
  last: TimelinePoint;
  requests: number;
  failed: number;
  late: number;
}

export interface LoadSummary {
  scenario: string;
  executor: Executor;
  executorText: string;
  target: string;
  workers: number;
  startedAt: string;
  durationS: number;
  /** True when the run was stopped before its schedule ended (Ctrl-C, stop(), abort-on-fail). */
  partial: boolean;
  stopReason: string | null;
  totals: {
    requests: number;
    iterations: number;
    failed: number;
    errorRate: number;
    rps: number;
    errors: Record<ErrorKind, number>;
    checks: { passed: number; failed: number; rate: number };
    latencyMs: Percentiles;
    /** Open model: arrivals scheduled, those dispatched > 1 ms late, and the dispatch lag. */
    schedule: { due: number; late: number; lagMs: Percentiles };
  };
  steps: StepSummary[];
  timeline: TimelinePoint[];
  slowest: TracedRequest[];
  failures: TracedRequest[];
  failuresDropped: number;
  thresholds: ThresholdResult[];
  /** Every threshold passed. */
  ok: boolean;
  hubUrl: string | null;
  metricsUrl: string | null;
}

export interface LoadRun {
  /** Resolves when the run ends (schedule over, stop(), or abort-on-fail) with the summary. */
  readonly done: Promise<LoadSummary>;
  /** Stops early; the summary is marked partial. */
  stop(reason?: string): void;
  /** Set once the /metrics endpoint listens. */
  metricsUrl(): string | null;
}

/** Validates thresholds against the scenario's journeys and steps before anything is sent. */
export function checkThresholds(scenario: Scenario, exprs: readonly string[]): Threshold[] {
  const thresholds = exprs.map(parseThreshold);
  const names = new Set<string>();
  for (const j of scenario.journeys) {
    names.add(j.name);
    for (const s of j.steps) {
      names.add(s.name);
      names.add(`${j.name}/${s.name}`);
    }
  }
  for (const t of thresholds)
    if (t.selector !== null && !names.has(t.selector))
      throw new ThresholdError(
        t.expr,
        `'${t.selector}' is no journey or step of scenario '${scenario.name}'`,
      );
  return thresholds;
}

const WORKER_URL = new URL('./worker.ts', import.meta.url);

/**
 * Runs `scenario` with `executor` on worker threads and returns a handle; `await run.done`
 * for the summary. The programmatic API behind `vigil load run` (docs/load-testing.md).
 */
export function runLoad(scenario: Scenario, executor: Executor, options: LoadOptions = {}): LoadRun {
  const thresholds = checkThresholds(scenario, options.thresholds ?? []);
  const target = options.target ?? scenario.target;
  if (!target) throw new Error(`scenario '${scenario.name}' has no target and none was given`);
  const workers = Math.max(1, options.workers ?? Math.min(2, availableParallelism()));
  const totalS = executorDuration(executor) / 1000;
  const agg = new Aggregator();
  const metrics = options.metricsPort === undefined ? null : new LoadMetrics(scenario.name);
  let metricsUrl: string | null = null;
  let stopReason: string | null = null;
  let stopRequested = false;
  let startedAt = new Date();
  // Set once every worker has loaded: they all start at this instant (epoch ms, high resolution).
  let startAt = Number.POSITIVE_INFINITY;
  const elapsedS = () => Math.max(0, (sharedNow() - startAt) / 1000);

  const threads: Worker[] = [];
  let tick: NodeJS.Timeout | undefined;
  let resolveDone!: (s: LoadSummary) => void;
  let rejectDone!: (e: Error) => void;
  const done = new Promise<LoadSummary>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });

  const evaluate = (): ThresholdResult[] =>
    thresholds.map((t) => {
      const subject = agg.subject(t.selector, elapsedS());
      return subject ? evaluateThreshold(t, subject) : { expr: t.expr, actual: Number.NaN, ok: false };
    });

  const stop = (reason = 'stopped') => {
    if (stopRequested) return;
    stopRequested = true;
    stopReason = reason;
    for (const w of threads) w.postMessage({ type: 'stop' });
  };

  let second = 0;
  const onSecond = () => {
    // The workers answered the previous flush within a few ms: that second is complete.
    agg.closeBucket();
    second++;
    for (const w of threads) w.postMessage({ type: 'flush', t: second });
    const last = agg.lastPoint();
    if (last && last.t === second - 1) {
      metrics?.update(last);
      const totals = agg.totals();
      options.onProgress?.({
        elapsedS: elapsedS(),
        totalS,
        last,
        requests: totals.requests,
        failed: totals.failed,
        late: agg.late,
      });
    }
    if (options.abortOnFail && elapsedS() >= 5 && thresholds.length > 0) {
      const failed = evaluate().find((r) => !r.ok);
      if (failed) stop(`threshold '${failed.expr}' failed (abort-on-fail)`);
    }
  };

  let finished = 0;
  let ready = 0;
  let failedWith: Error | null = null;
  const start = () => {
    startAt = sharedNow() + 20;
    startedAt = new Date(Date.now() + 20);
    for (const w of threads) w.postMessage({ type: 'start', startAt });
    setTimeout(() => {
      tick = setInterval(onSecond, 1000);
    }, 20);
  };
  const onMessage = (m: RunnerMessage) => {
    if (m.type === 'ready') {
      if (++ready === workers && !stopRequested) start();
    } else if (m.type === 'interval') agg.add(m.report, m.t);
    else if (m.type === 'done') {
      if (m.report) agg.add(m.report, second + 1);
      finished++;
      if (finished === workers) void finish();
    } else if (m.type === 'error') {
      failedWith ??= new Error(m.message);
      stop(`error: ${m.message}`);
    }
  };

  const finish = async () => {
    if (tick) clearInterval(tick);
    agg.closeBucket();
    const last = agg.lastPoint();
    if (last) metrics?.update(last);
    metrics?.finished();
    await Promise.all(threads.map((w) => w.terminate()));
    if (metricsServer) await new Promise((r) => metricsServer!.close(() => r(null)));
    if (failedWith && agg.totals().requests === 0) return rejectDone(failedWith);
    // A run that was not stopped lasted its schedule: an open model's last arrival is due before
    // the end (at 1 it/s for 15 s, at 14 s), and its run ends when that iteration does.
    const duration = Math.max(0.001, stopRequested ? elapsedS() : totalS);
    const totals = agg.totals();
    const results = evaluate();
    const checksTotal = totals.checksPassed + totals.checksFailed;
    resolveDone({
      scenario: scenario.name,
      executor,
      executorText: describeExecutor(executor),
      target,
      workers,
      startedAt: startedAt.toISOString(),
      durationS: duration,
      partial: stopRequested,
      stopReason,
      totals: {
        requests: totals.requests,
        iterations: agg.iterations,
        failed: totals.failed,
        errorRate: totals.requests === 0 ? 0 : totals.failed / totals.requests,
        rps: totals.requests / duration,
        errors: totals.errors,
        checks: {
          passed: totals.checksPassed,
          failed: totals.checksFailed,
          rate: checksTotal === 0 ? 1 : totals.checksPassed / checksTotal,
        },
        latencyMs: percentiles(agg.overall),
        schedule: { due: agg.due, late: agg.late, lagMs: percentiles(agg.lag) },
      },
      steps: agg.stepSummaries(duration),
      timeline: agg.timeline,
      slowest: agg.slowest(options.keepSlowest ?? 20),
      failures: agg.failures,
      failuresDropped: agg.failuresDropped,
      thresholds: results,
      ok: results.every((r) => r.ok),
      hubUrl: options.hubUrl ?? null,
      metricsUrl,
    });
  };

  let metricsServer: import('node:http').Server | undefined;
  const begin = async () => {
    if (metrics) {
      metricsServer = await serveMetrics(metrics, options.metricsPort ?? 0);
      metricsUrl = `http://127.0.0.1:${boundPort(metricsServer)}/metrics`;
    }
    for (let i = 0; i < workers; i++) {
      const init: RunnerInit = {
        worker: i,
        workers,
        scenario,
        executor,
        target,
        startAt: 0,
        timeoutMs: options.timeoutMs ?? 10_000,
        keepSlowest: options.keepSlowest ?? 20,
        maxFailuresPerInterval: 1000,
        graceMs: 2000,
        batchMs: options.batchMs,
      };
      const w = new Worker(WORKER_URL, { workerData: init });
      w.on('message', onMessage);
      w.on('error', (err) => {
        failedWith ??= err;
        finished++;
        stop(`worker failed: ${err.message}`);
        if (finished === workers) void finish();
      });
      threads.push(w);
    }
  };
  begin().catch((err: Error) => {
    stop(err.message);
    rejectDone(err);
  });

  return { done, stop, metricsUrl: () => metricsUrl };
}
