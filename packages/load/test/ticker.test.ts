import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { waitFor } from '@vigil/service-kit/testing';
import { describe, expect, it } from 'vitest';
import { sharedNow, toLocal } from '../src/clock.ts';
import { ArrivalSchedule, constantRate } from '../src/executor.ts';
import { Ticker, type TickerBatch } from '../src/ticker.ts';

function collect(ticker: Ticker, startAt: number) {
  const seen: { due: number; at: number }[] = [];
  let ended = false;
  ticker.start(startAt, (batch: TickerBatch) => {
    if (batch === null) ended = true;
    else for (const due of batch) seen.push({ due, at: performance.now() });
  });
  return { seen, ended: () => ended };
}

describe('Ticker (the open model clock thread)', () => {
  it("hands over each of this worker's arrivals once, in order, never before it is due", async () => {
    const executor = constantRate(2000, 400);
    const ticker = new Ticker(executor, 1, 2);
    await ticker.ready;
    const startAt = sharedNow() + 20;
    const run = collect(ticker, startAt);
    await waitFor(() => run.ended(), { timeoutMs: 10_000, description: 'the schedule to end' });
    ticker.stop();
    const expected: number[] = [];
    const schedule = new ArrivalSchedule(executor, 1, 2);
    for (let t = schedule.next(); t !== undefined; t = schedule.next()) expected.push(t);
    expect(run.seen.map((s) => s.due)).toEqual(expected);
    const t0 = toLocal(startAt);
    for (const s of run.seen) expect(s.at).toBeGreaterThanOrEqual(t0 + s.due);
  });

  it('stop() ends the schedule early: nothing more arrives', async () => {
    const ticker = new Ticker(constantRate(100, 60_000), 0, 1);
    await ticker.ready;
    const run = collect(ticker, sharedNow());
    await waitFor(() => run.seen.length >= 5, { timeoutMs: 10_000, description: 'five arrivals' });
    ticker.stop();
    const count = run.seen.length;
    // An observation window, not a wait for a condition: at 100/s, 200 ms would bring ~20 more.
    await delay(200);
    expect(run.seen.length).toBeLessThanOrEqual(count + 1);
  });
});
