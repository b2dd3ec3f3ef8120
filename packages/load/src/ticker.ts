// The open model's clock: one small thread per runner that sleeps until the next arrival is due
// and then releases every arrival due by now, by raising a counter in shared memory.
//
// Hand-written on purpose (bench/load/run.ts, "scheduler dispatch lag" and "open 2,000 req/s"):
// the runner's own event loop only has millisecond timers, so keeping arrivals within 1 ms of
// their due time there meant polling with setImmediate for the last millisecond, which at
// ≥ 1,000 arrivals/s keeps a core busy per worker and starves the very target being measured
// on a 2-core machine. `Atomics.wait` sleeps with microsecond resolution without using the CPU.
//
// Nothing but a number crosses threads: the runner follows the same ArrivalSchedule itself and
// waits on the counter with `Atomics.waitAsync`, so a release costs the ticker one store and one
// notify (a message per release cost it ~0.05 ms of CPU and the runner a MessagePort event), and
// the releases that come while the runner is busy coalesce into one wake-up. Releases are at
// least `batchMs` apart: above 1/batchMs arrivals/s the ticker releases what fell due in that
// window together (each arrival still timed from its own due time); below, each at its due time.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { toLocal } from './clock.ts';
import { ArrivalSchedule, type OpenExecutor } from './executor.ts';

/** Default least time between two releases (ms): bounds wake-ups to 2,000/s per runner. */
export const BATCH_MS = 0.5;

// Int32 slots of the shared state.
const CONTROL = 0; // 0 = run, 1 = stop
/** Arrivals released so far, n ≥ 0, while the schedule runs; -1 - n once it is over. */
const RELEASED = 1;

interface TickerData {
  executor: OpenExecutor;
  worker: number;
  workers: number;
  batchMs: number;
  state: SharedArrayBuffer;
}

/**
 * Called with the number of this worker's arrivals released so far (the first `released` of its
 * ArrivalSchedule) and whether the schedule is over (then `released` is final).
 */
export type OnRelease = (released: number, ended: boolean) => void;

/**
 * The runner's side: the thread is created (and its module loaded) ahead of the common start,
 * so `start` only has to hand it the start instant.
 */
export class Ticker {
  private readonly thread: Worker;
  private readonly state = new Int32Array(new SharedArrayBuffer(8));
  /** Resolves once the thread has loaded and waits for its start instant. */
  readonly ready: Promise<void>;

  constructor(executor: OpenExecutor, worker: number, workers: number, batchMs = BATCH_MS) {
    const data: TickerData = {
      executor,
      worker,
      workers,
      batchMs,
      state: this.state.buffer as SharedArrayBuffer,
    };
    this.thread = new Worker(new URL(import.meta.url), { workerData: data });
    this.ready = new Promise((resolve, reject) => {
      this.thread.once('error', reject);
      this.thread.once('message', () => resolve());
    });
    this.thread.unref();
  }

  /** `startAt`: the schedule's time 0 on the shared clock (clock.ts). */
  start(startAt: number, onRelease: OnRelease): void {
    const state = this.state;
    let seen = 0;
    const check = (): void => {
      for (;;) {
        const v = Atomics.load(state, RELEASED);
        if (v !== seen) {
          seen = v;
          if (v < 0) {
            onRelease(-1 - v, true);
            return;
          }
          onRelease(v, false);
        }
        const wait = Atomics.waitAsync(state, RELEASED, seen);
        if (wait.async) {
          void wait.value.then(check);
          return;
        }
      }
    };
    this.thread.postMessage(startAt);
    check();
  }

  stop(): void {
    Atomics.store(this.state, CONTROL, 1);
    Atomics.notify(this.state, CONTROL);
    void this.thread.terminate();
  }
}

function runThread(port: NonNullable<typeof parentPort>, data: TickerData): void {
  const state = new Int32Array(data.state);
  port.once('message', (startAt: number) => {
    const t0 = toLocal(startAt);
    const schedule = new ArrivalSchedule(data.executor, data.worker, data.workers);
    let due = schedule.next();
    let released = 0;
    let lastRelease = Number.NEGATIVE_INFINITY;
    while (due !== undefined && Atomics.load(state, CONTROL) === 0) {
      const now = performance.now() - t0;
      const wakeAt = Math.max(due, lastRelease + data.batchMs);
      if (wakeAt > now) {
        Atomics.wait(state, CONTROL, 0, wakeAt - now);
        continue;
      }
      // Everything due by now goes out together: a late wake-up never thins the schedule.
      while (due !== undefined && due <= now) {
        released++;
        due = schedule.next();
      }
      lastRelease = now;
      Atomics.store(state, RELEASED, released);
      Atomics.notify(state, RELEASED);
    }
    Atomics.store(state, RELEASED, -1 - released);
    Atomics.notify(state, RELEASED);
  });
  port.postMessage('ready');
}

if (!isMainThread && parentPort && (workerData as TickerData | undefined)?.state instanceof SharedArrayBuffer)
  runThread(parentPort, workerData as TickerData);
