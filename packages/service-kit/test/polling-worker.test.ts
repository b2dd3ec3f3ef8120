import { describe, expect, it } from 'vitest';
import { createPollingWorker } from '../src/index.ts';
import { waitFor } from '../src/testing/index.ts';

describe('createPollingWorker', () => {
  it('sweeps on kick, never two at a time, and sweeps again when kicked during a sweep', async () => {
    let active = 0;
    let maxActive = 0;
    let sweeps = 0;
    let release: () => void = () => {};
    const worker = createPollingWorker({
      pollMs: 60_000,
      sweep: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        sweeps++;
        if (sweeps === 1) await new Promise<void>((resolve) => (release = resolve));
        active--;
      },
      onError: () => {},
    });
    worker.kick();
    worker.kick();
    worker.kick();
    expect(sweeps).toBe(1);
    release();
    await waitFor(() => sweeps === 2, { timeoutMs: 2000 });
    await worker.stop();
    expect(sweeps).toBe(2);
    expect(maxActive).toBe(1);
  });

  it('polls on its interval, reports a failing sweep and keeps polling; stop waits for the sweep in flight', async () => {
    const errors: unknown[] = [];
    let sweeps = 0;
    let finished: boolean | undefined;
    let thirdStarted: () => void = () => {};
    const third = new Promise<void>((resolve) => (thirdStarted = resolve));
    const worker = createPollingWorker({
      pollMs: 5,
      sweep: async (isStopped) => {
        sweeps++;
        if (sweeps === 1) throw new Error('boom');
        if (sweeps === 3) {
          thirdStarted();
          await new Promise((resolve) => setTimeout(resolve, 20));
          finished = isStopped();
        }
      },
      onError: (err) => errors.push(err),
    });
    worker.start();
    await third; // bounded by the test timeout
    await worker.stop();
    expect(errors).toHaveLength(1);
    expect(finished).toBe(true);
    const after = sweeps;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(sweeps).toBe(after);
  });
});
