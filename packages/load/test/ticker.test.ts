import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { waitFor } from '@vigil/service-kit/testing';
import { describe, expect, it } from 'vitest';
import { sharedNow, toLocal } from '../src/clock.ts';
import { ArrivalSchedule, constantRate, type OpenExecutor } from '../src/executor.ts';
import { Ticker } from '../src/ticker.ts';

/** Every release as the runner sees it: arrivals released so far, and when (this thread's clock). */
function collect(ticker: Ticker, startAt: number) {
  const seen: { released: number; at: number }[] = [];
  let ended: number | null = null;
  ticker.start(startAt, (released, end) => {
    seen.push({ released, at: performance.now() });
    if (end) ended = released;
  });
  return { seen, ended: () => ended };
}

function dueTimes(executor: OpenExecutor, worker: number, workers: number): number[] {
  const out: number[] = [];
  const schedule = new ArrivalSchedule(executor, worker, workers);
  for (let t = schedule.next(); t !== undefined; t = schedule.next()) out.push(t);
  return out;
}

describe('Ticker (the open model clock thread)', () => {
  it("releases each of this worker's arrivals once, in order, never before it is due", async () => {
    const executor = constantRate(2000, 400);
    const ticker = new Ticker(executor, 1, 2, 0);
    await ticker.ready;
    const startAt = sharedNow() + 20;
    const run = collect(ticker, startAt);
    await waitFor(() => run.ended() !== null, { timeoutMs: 10_000, description: 'the schedule to end' });
    ticker.stop();
    const due = dueTimes(executor, 1, 2);
    expect(run.ended()).toBe(due.length);
    const t0 = toLocal(startAt);
    let before = 0;
    for (const { released, at } of run.seen) {
      expect(released).toBeGreaterThanOrEqual(before);
      before = released;
      // The last arrival released so far was due by the time the runner heard of it.
      if (released > 0) expect(at).toBeGreaterThanOrEqual(t0 + due[released - 1]!);
    }
  });

  it('batches: releases are at least batchMs apart, and none comes early', async () => {
    // 2,000/s for one worker: an arrival every 0.5 ms, released in 5-ms windows.
    const executor = constantRate(2000, 300);
    const ticker = new Ticker(executor, 0, 1, 5);
    await ticker.ready;
    const startAt = sharedNow() + 20;
    const run = collect(ticker, startAt);
    await waitFor(() => run.ended() !== null, { timeoutMs: 10_000, description: 'the schedule to end' });
    ticker.stop();
    const due = dueTimes(executor, 0, 1);
    expect(run.ended()).toBe(600);
    // 300 ms in windows of ≥ 5 ms: at most 61 releases (+ the end), not one per arrival.
    expect(run.seen.length).toBeLessThanOrEqual(62);
    const t0 = toLocal(startAt);
    for (const { released, at } of run.seen)
      if (released > 0) expect(at).toBeGreaterThanOrEqual(t0 + due[released - 1]!);
  });

  it('stop() ends the schedule early: nothing more is released', async () => {
    const ticker = new Ticker(constantRate(100, 60_000), 0, 1);
    await ticker.ready;
    const run = collect(ticker, sharedNow());
    const last = () => run.seen[run.seen.length - 1]?.released ?? 0;
    await waitFor(() => last() >= 5, { timeoutMs: 10_000, description: 'five arrivals' });
    ticker.stop();
    const count = last();
    // An observation window, not a wait for a condition: at 100/s, 200 ms would bring ~20 more.
    await delay(200);
    expect(last()).toBeLessThanOrEqual(count + 1);
  });
});
