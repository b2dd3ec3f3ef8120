import type { IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type Dispatcher, Pool } from 'undici';
import { Arrivals } from './arrivals.ts';
import { toLocal } from './clock.ts';
import { ArrivalSchedule, type Executor, share } from './executor.ts';
import { type CompiledStep, compileStep, requestOptions } from './request.ts';
import type { Journey, Scenario } from './scenario.ts';
import { type ErrorKind, type IntervalReport, Recorder } from './stats.ts';
import { jsonPath, render, type TemplateContext } from './template.ts';
import { Ticker } from './ticker.ts';

/** What the main thread hands each worker. */
export interface RunnerInit {
  worker: number;
  workers: number;
  scenario: Scenario;
  executor: Executor;
  target: string;
  /** The instant the schedule starts, on the shared clock (clock.ts), the same in every worker. */
  startAt: number;
  timeoutMs: number;
  keepSlowest: number;
  maxFailuresPerInterval: number;
  /** How long in-flight requests may finish after a stop. */
  graceMs: number;
  /** Open model: least time between two releases of arrivals (ticker.ts, BATCH_MS). */
  batchMs?: number;
}

export type RunnerMessage =
  | { type: 'ready' }
  | { type: 'interval'; t: number; report: IntervalReport }
  | { type: 'done'; report: IntervalReport | null }
  | { type: 'error'; message: string };

function classify(err: unknown): { kind: ErrorKind; message: string } {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  const message = `${code ? `${code}: ` : ''}${e.message ?? String(err)}`.slice(0, 200);
  if (/TIMEOUT|ETIMEDOUT|AbortError/i.test(code) || e.message?.includes('timeout'))
    return { kind: 'timeout', message };
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE')
    return { kind: 'reset', message };
  if (code === 'ECONNREFUSED') return { kind: 'refused', message };
  return { kind: 'other', message };
}

interface CompiledJourney {
  readonly journey: Journey;
  readonly steps: readonly CompiledStep[];
  readonly vars: ReadonlyArray<readonly [string, unknown]>;
}

/** What the iterations of one runner share. */
interface Shared {
  readonly pool: Pool;
  readonly recorder: Recorder;
  readonly scenario: Scenario;
  readonly journeys: readonly CompiledJourney[];
  readonly totalWeight: number;
  /** Closed model: a user pauses after its journey too. */
  readonly pauseAfter: boolean;
  stopped(): boolean;
  /** A problem that ends the run (a journey's variables cannot be rendered). */
  fatal(message: string): void;
  /** The iteration is over (done, failed, or given up after a stop). */
  end(it: Iteration): void;
}

function compileJourneys(scenario: Scenario, recorder: Recorder): CompiledJourney[] {
  return scenario.journeys.map((journey) => ({
    journey,
    vars: Object.entries(journey.vars),
    steps: journey.steps.map((step) => {
      const key = `${journey.name}/${step.name}`;
      return compileStep(step, key, recorder.step(key));
    }),
  }));
}

function pickJourney(journeys: readonly CompiledJourney[], total: number): CompiledJourney {
  let r = Math.random() * total;
  for (const j of journeys) {
    r -= j.journey.weight;
    if (r < 0) return j;
  }
  return journeys[journeys.length - 1]!;
}

const think = (min: number, max: number) => min + Math.random() * (max - min);

/**
 * One iteration of a journey, and the undici dispatch handler of its requests: one object per
 * iteration in flight (reused for the next one), no promise, stream or closure per request. The
 * response is handled in a microtask after undici's callback returns (not inside its parser).
 */
class Iteration implements Dispatcher.DispatchHandler {
  private readonly s: Shared;
  vu = 0;
  iter = 0;
  private journey!: CompiledJourney;
  private ctx!: TemplateContext;
  private k = 0;
  private scheduledAt: number | null = null;
  private sendAt = 0;
  private endAt = 0;
  private status = 0;
  private traceId: string | null = null;
  private chunks: Buffer[] = [];
  private error: unknown = null;
  private inDispatch = false;
  private readonly completeCb = () => this.complete();
  private readonly sendCb = () => this.send();
  private readonly endCb = () => this.s.end(this);

  constructor(s: Shared) {
    this.s = s;
  }

  /** `scheduledAt`: the open model's due instant (this thread's clock), which the first request counts from. */
  start(vu: number, iter: number, scheduledAt: number | null): void {
    const s = this.s;
    this.vu = vu;
    this.iter = iter;
    this.journey = pickJourney(s.journeys, s.totalWeight);
    const vars: Record<string, unknown> = { vu, iteration: iter };
    this.ctx = { vars, data: s.scenario.data };
    try {
      for (const [name, value] of this.journey.vars) vars[name] = render(value, this.ctx);
    } catch (err) {
      s.fatal(`journey ${this.journey.journey.name}: ${(err as Error).message}`);
      s.end(this);
      return;
    }
    this.k = 0;
    this.scheduledAt = scheduledAt;
    this.send();
  }

  private send(): void {
    if (this.k > 0 && this.s.stopped()) {
      this.s.end(this);
      return;
    }
    const c = this.journey.steps[this.k]!;
    this.sendAt = this.k === 0 && this.scheduledAt !== null ? this.scheduledAt : performance.now();
    this.status = 0;
    this.traceId = null;
    this.error = null;
    this.chunks.length = 0;
    let opts: Dispatcher.DispatchOptions;
    try {
      opts = requestOptions(c, this.ctx);
    } catch (err) {
      this.failNow(err);
      return;
    }
    this.inDispatch = true;
    this.s.pool.dispatch(opts, this);
    this.inDispatch = false;
  }

  /** A failure before anything was sent: handled on the next turn of the loop, never recursively. */
  private failNow(err: unknown): void {
    this.endAt = performance.now();
    this.error = err;
    setImmediate(this.completeCb);
  }

  onRequestStart(): void {}

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    this.status = statusCode;
    const tid = headers['x-trace-id'];
    this.traceId = typeof tid === 'string' ? tid : null;
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.journey.steps[this.k]!.needBody) this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.endAt = performance.now();
    queueMicrotask(this.completeCb);
  }

  onResponseError(_c: Dispatcher.DispatchController | null, err: Error): void {
    if (this.inDispatch) this.failNow(err);
    else {
      this.endAt = performance.now();
      this.error = err;
      queueMicrotask(this.completeCb);
    }
  }

  private complete(): void {
    const c = this.journey.steps[this.k]!;
    const { step } = c;
    const ctx = this.ctx;
    const status = this.status;
    let failure: { kind: ErrorKind; message: string } | undefined;
    let passed = 0;
    let failed = 0;
    if (this.error !== null) failure = classify(this.error);
    else {
      let parsed: unknown;
      if (c.needBody) {
        const text =
          this.chunks.length === 1
            ? this.chunks[0]!.toString('utf8')
            : Buffer.concat(this.chunks).toString('utf8');
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          parsed = undefined;
        }
      }
      if (step.check.status.includes(status)) passed++;
      else {
        failed++;
        failure = { kind: 'status', message: `status ${status}, expected ${step.check.status.join('|')}` };
      }
      for (const check of step.check.json) {
        if (check.when && !check.when.includes(status)) continue;
        const value = jsonPath(parsed, check.path);
        // Expected values are templates too (`equals: '{{orderId}}'`).
        const ok =
          (check.exists === undefined || (value !== undefined) === check.exists) &&
          (check.equals === undefined || value === render(check.equals, ctx)) &&
          (check.oneOf === undefined || (render(check.oneOf, ctx) as unknown[]).includes(value));
        if (ok) passed++;
        else {
          failed++;
          failure ??= { kind: 'check', message: `${check.path} = ${JSON.stringify(value)?.slice(0, 80)}` };
        }
      }
      if (!failure)
        for (const [name, path] of c.extract) {
          const value = jsonPath(parsed, path);
          if (value === undefined) {
            failure = { kind: 'check', message: `extract ${name}: ${path} is missing` };
            failed++;
            break;
          }
          (ctx.vars as Record<string, unknown>)[name] = value;
        }
    }
    this.chunks.length = 0;
    this.s.recorder.record(c.rec, this.endAt - this.sendAt, status, this.traceId, failure, passed, failed);
    const { min, max } = this.journey.journey.thinkTime;
    // A failed step ends the iteration: later steps depend on its variables.
    if (failure || ++this.k === this.journey.steps.length) {
      this.s.recorder.iteration();
      if (this.s.pauseAfter && max > 0 && !this.s.stopped()) setTimeout(this.endCb, think(min, max));
      else this.s.end(this);
    } else if (max > 0) setTimeout(this.sendCb, think(min, max));
    else this.send();
  }
}

/**
 * Runs the request path (undici's parser is WebAssembly compiled on first use, plus JIT of the
 * dispatch handler) against a throwaway loopback server in this thread, so the first scheduled
 * requests do not pay for it: on a busy machine that costs seconds and would show as lag.
 */
export async function warmUp(requests = 50): Promise<void> {
  const server = createServer((_req, res) => res.end('{"id":1}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 2 });
  // A validated scenario, written out (the worker does not load the schema library for it).
  const scenario: Scenario = {
    name: 'warm-up',
    description: '',
    data: {},
    defaults: {},
    journeys: [
      {
        name: 'warm',
        weight: 1,
        thinkTime: { min: 0, max: 0 },
        vars: {},
        steps: [
          {
            name: 'up',
            method: 'GET',
            path: '/warm',
            headers: {},
            check: { status: [200], json: [{ path: 'id', equals: 1 }] },
            extract: {},
          },
        ],
      },
    ],
  };
  const recorder = new Recorder(-1, 1, 1);
  try {
    await new Promise<void>((resolve) => {
      let left = requests;
      const shared: Shared = {
        pool,
        recorder,
        scenario,
        journeys: compileJourneys(scenario, recorder),
        totalWeight: 1,
        pauseAfter: false,
        stopped: () => false,
        fatal: () => {},
        end: (it) => (--left > 0 ? it.start(1, left, null) : resolve()),
      };
      new Iteration(shared).start(1, left, null);
    });
    recorder.flush();
  } finally {
    await pool.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

export interface Runner {
  /** Sends the interval report for second `t` (the main thread asks every second). */
  flush(t: number): void;
  /** Stops scheduling; in-flight requests get graceMs to finish, then the final report goes out. */
  stop(): void;
}

/**
 * Runs one worker's share of the executor; `post` receives interval and final reports. An open
 * model's `ticker` should be created (and awaited `ready`) ahead of the start instant.
 */
export function startRunner(init: RunnerInit, post: (m: RunnerMessage) => void, ticker?: Ticker): Runner {
  const { scenario, executor, worker, workers } = init;
  const recorder = new Recorder(worker, init.keepSlowest, init.maxFailuresPerInterval);
  const open = executor.kind === 'open';
  const maxInFlight = open ? Math.max(1, share(executor.maxInFlight ?? 2000, workers, worker)) : 0;
  const vus = executor.kind === 'closed' ? share(executor.vus, workers, worker) : 0;
  const pool = new Pool(init.target, {
    connections: open ? maxInFlight : Math.max(1, vus),
    pipelining: 1,
    headersTimeout: init.timeoutMs,
    bodyTimeout: init.timeoutMs,
    keepAliveTimeout: 30_000,
  });
  // This thread's clock for the shared start instant.
  const t0 = toLocal(init.startAt);
  const endAt = t0 + (executor.kind === 'closed' ? executor.duration : Number.POSITIVE_INFINITY);
  let stopped = false;
  let finished = false;
  let active = 0;
  /** Closed model: what a user does when its iteration is over; open model: the next arrival. */
  let onEnd: (it: Iteration) => void = () => {};
  const shared: Shared = {
    pool,
    recorder,
    scenario,
    journeys: compileJourneys(scenario, recorder),
    totalWeight: scenario.journeys.reduce((s, j) => s + j.weight, 0),
    pauseAfter: !open,
    stopped: () => stopped,
    fatal(message) {
      post({ type: 'error', message });
      stopped = true;
    },
    end(it) {
      active--;
      recorder.inFlight = active;
      onEnd(it);
    },
  };
  const begin = (it: Iteration, vu: number, iter: number, scheduledAt: number | null) => {
    active++;
    recorder.inFlight = active;
    it.start(vu, iter, scheduledAt);
  };

  let graceTimer: NodeJS.Timeout | undefined;
  const finish = () => {
    if (finished) return;
    finished = true;
    if (graceTimer) clearTimeout(graceTimer);
    ownTicker?.stop();
    recorder.inFlight = active;
    post({ type: 'done', report: recorder.flush() });
    void pool.destroy().catch(() => {});
  };
  const maybeFinish = () => {
    if (active === 0 && (stopped || schedulerDone)) finish();
  };
  let schedulerDone = false;
  let ownTicker: Ticker | undefined;

  if (executor.kind === 'closed') {
    let vusLeft = vus;
    onEnd = (it) => {
      if (!stopped && performance.now() < endAt) begin(it, it.vu, it.iter + 1, null);
      else if (--vusLeft === 0) {
        schedulerDone = true;
        maybeFinish();
      }
    };
    const startVus = () => {
      if (stopped) return;
      schedulerDone = vus === 0;
      maybeFinish();
      for (let i = 0; i < vus; i++) begin(new Iteration(shared), worker + i * workers + 1, 0, null);
    };
    const wait = t0 - performance.now();
    if (wait > 0) setTimeout(startVus, wait);
    else startVus();
  } else {
    // The ticker thread does the timing (see ticker.ts); this thread only starts what is released.
    const clock = ticker ?? new Ticker(executor, worker, workers, init.batchMs);
    ownTicker = clock;
    const idle: Iteration[] = [];
    let iter = 0;
    let schedulerEnded = false;
    const arrivals = new Arrivals(
      new ArrivalSchedule(executor, worker, workers),
      t0,
      recorder,
      () => active < maxInFlight,
      (scheduledAt) => begin(idle.pop() ?? new Iteration(shared), worker + 1, iter++, scheduledAt),
    );
    onEnd = (it) => {
      idle.push(it);
      if (!stopped) arrivals.next();
      if (schedulerEnded) schedulerDone = arrivals.backlog === 0;
      maybeFinish();
    };
    clock.start(init.startAt, (released, ended) => {
      if (stopped) return;
      arrivals.release(released);
      if (ended) {
        schedulerEnded = true;
        schedulerDone = arrivals.backlog === 0;
        maybeFinish();
      }
    });
  }

  return {
    flush(t) {
      if (!finished) post({ type: 'interval', t, report: recorder.flush() });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      ownTicker?.stop();
      if (active === 0) finish();
      else graceTimer = setTimeout(finish, init.graceMs);
    },
  };
}
