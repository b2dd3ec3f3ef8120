import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { toLocal } from './clock.ts';
import { type Executor, share } from './executor.ts';
import type { Journey, Scenario, Step } from './scenario.ts';
import { type ErrorKind, type IntervalReport, Recorder, type TracedRequest } from './stats.ts';
import { jsonPath, render, renderString, type TemplateContext } from './template.ts';
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
}

export type RunnerMessage =
  | { type: 'ready' }
  | { type: 'interval'; t: number; report: IntervalReport }
  | { type: 'done'; report: IntervalReport | null }
  | { type: 'error'; message: string };

/**
 * Runs the request path (undici's parser is WebAssembly compiled on first use, plus JIT and the
 * histograms) against a throwaway loopback server in this thread, so the first scheduled
 * requests do not pay for it: on a busy machine that costs seconds and would show as lag.
 */
export async function warmUp(requests = 50): Promise<void> {
  const server = createServer((_req, res) => res.end('{"id":1}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 2 });
  const recorder = new Recorder(-1, 1, 1);
  try {
    for (let i = 0; i < requests; i++) {
      const t = performance.now();
      const res = await pool.request({ method: 'GET', path: '/warm' });
      JSON.parse(await res.body.text());
      recorder.request(
        { key: 'warm/up', latencyMs: performance.now() - t, status: res.statusCode, traceId: null, at: 0 },
        { passed: 1, failed: 0 },
      );
    }
    recorder.flush();
  } finally {
    await pool.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

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

function pickJourney(journeys: readonly Journey[], total: number): Journey {
  let r = Math.random() * total;
  for (const j of journeys) {
    r -= j.weight;
    if (r < 0) return j;
  }
  return journeys[journeys.length - 1]!;
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
  const totalWeight = scenario.journeys.reduce((s, j) => s + j.weight, 0);
  // This thread's clock for the shared start instant.
  const t0 = toLocal(init.startAt);
  const endAt = t0 + (executor.kind === 'closed' ? executor.duration : Number.POSITIVE_INFINITY);
  let stopped = false;
  let finished = false;
  let active = 0;
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

  async function send(step: Step, ctx: TemplateContext, key: string, sendAt: number): Promise<boolean> {
    let status = 0;
    let traceId: string | null = null;
    let failure: { kind: ErrorKind; message: string } | undefined;
    const checks = { passed: 0, failed: 0 };
    try {
      const body = step.json === undefined ? undefined : JSON.stringify(render(step.json, ctx));
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(step.headers)) headers[k.toLowerCase()] = renderString(v, ctx);
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      const res = await pool.request({
        method: step.method,
        path: renderString(step.path, ctx),
        headers,
        body,
        ...(step.timeout ? { headersTimeout: step.timeout, bodyTimeout: step.timeout } : {}),
      });
      status = res.statusCode;
      const tid = res.headers['x-trace-id'];
      traceId = typeof tid === 'string' ? tid : null;
      const needBody = step.check.json.length > 0 || Object.keys(step.extract).length > 0;
      let parsed: unknown;
      if (needBody) {
        const text = await res.body.text();
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          parsed = undefined;
        }
      } else await res.body.dump();
      if (step.check.status.includes(status)) checks.passed++;
      else {
        checks.failed++;
        failure = { kind: 'status', message: `status ${status}, expected ${step.check.status.join('|')}` };
      }
      for (const c of step.check.json) {
        if (c.when && !c.when.includes(status)) continue;
        const value = jsonPath(parsed, c.path);
        // Expected values are templates too (`equals: '{{orderId}}'`).
        const ok =
          (c.exists === undefined || (value !== undefined) === c.exists) &&
          (c.equals === undefined || value === render(c.equals, ctx)) &&
          (c.oneOf === undefined || (render(c.oneOf, ctx) as unknown[]).includes(value));
        if (ok) checks.passed++;
        else {
          checks.failed++;
          failure ??= { kind: 'check', message: `${c.path} = ${JSON.stringify(value)?.slice(0, 80)}` };
        }
      }
      if (!failure) {
        for (const [name, path] of Object.entries(step.extract)) {
          const value = jsonPath(parsed, path);
          if (value === undefined) {
            failure = { kind: 'check', message: `extract ${name}: ${path} is missing` };
            checks.failed++;
            break;
          }
          (ctx.vars as Record<string, unknown>)[name] = value;
        }
      }
    } catch (err) {
      failure = classify(err);
    }
    const latencyMs = performance.now() - sendAt;
    const record: TracedRequest = { key, latencyMs, status, traceId, at: Date.now() };
    if (failure) {
      record.kind = failure.kind;
      record.message = failure.message;
    }
    recorder.request(record, checks);
    return failure === undefined;
  }

  async function iteration(vu: number, iter: number, scheduledAt: number | null): Promise<void> {
    const journey = pickJourney(scenario.journeys, totalWeight);
    const vars: Record<string, unknown> = { vu, iteration: iter };
    const ctx: TemplateContext = { vars, data: scenario.data };
    try {
      for (const [name, value] of Object.entries(journey.vars)) vars[name] = render(value, ctx);
    } catch (err) {
      post({ type: 'error', message: `journey ${journey.name}: ${(err as Error).message}` });
      stopped = true;
      return;
    }
    const { min, max } = journey.thinkTime;
    for (const [k, step] of journey.steps.entries()) {
      if (k > 0 && max > 0) {
        await sleep(min + Math.random() * (max - min));
        if (stopped) return;
      }
      const sendAt = k === 0 && scheduledAt !== null ? scheduledAt : performance.now();
      // A failed step ends the iteration: later steps depend on its variables.
      if (!(await send(step, ctx, `${journey.name}/${step.name}`, sendAt))) break;
    }
    recorder.iteration();
    // The closed model's user also pauses after the journey before starting the next one.
    if (!open && max > 0 && !stopped) await sleep(min + Math.random() * (max - min));
  }

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

  const run = (vu: number, iter: number, scheduledAt: number | null): Promise<void> => {
    active++;
    recorder.inFlight = active;
    return iteration(vu, iter, scheduledAt).finally(() => {
      active--;
      recorder.inFlight = active;
    });
  };

  if (executor.kind === 'closed') {
    const startVus = async () => {
      const wait = t0 - performance.now();
      if (wait > 0) await sleep(wait);
      await Promise.all(
        Array.from({ length: vus }, async (_, i) => {
          const vu = worker + i * workers + 1;
          for (let iter = 0; !stopped && performance.now() < endAt; iter++) await run(vu, iter, null);
        }),
      );
      schedulerDone = true;
      maybeFinish();
    };
    void startVus();
  } else {
    // The ticker thread does the timing (see ticker.ts); this loop only launches what is due.
    const clock = ticker ?? new Ticker(executor, worker, workers);
    ownTicker = clock;
    const backlog: number[] = [];
    let iter = 0;
    let schedulerEnded = false;
    const launch = (dueAt: number) => {
      recorder.dispatched(performance.now() - (t0 + dueAt));
      const n = iter++;
      void run(worker + 1, n, t0 + dueAt).then(() => {
        const next = backlog.shift();
        if (next !== undefined && !stopped) launch(next);
        else if (schedulerEnded) schedulerDone = backlog.length === 0;
        maybeFinish();
      });
    };
    clock.start(init.startAt, (batch) => {
      if (stopped) return;
      if (batch === null) {
        schedulerEnded = true;
        schedulerDone = backlog.length === 0;
        maybeFinish();
        return;
      }
      for (const dueAt of batch) {
        if (active < maxInFlight) launch(dueAt);
        else backlog.push(dueAt);
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
