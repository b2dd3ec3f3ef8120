// The open model's clock: one small thread per runner that sleeps until the next arrival is due
// and then hands the runner every arrival due by now.
//
// Hand-written on purpose (bench/load/run.ts, "scheduler dispatch lag" and "open 2,000 req/s"):
// the runner's own event loop only has millisecond timers, so keeping arrivals within 1 ms of
// their due time there meant polling with setImmediate for the last millisecond, which at
// ≥ 1,000 arrivals/s keeps a core busy per worker and starves the very target being measured
// on a 2-core machine. `Atomics.wait` sleeps with microsecond resolution without using the CPU,
// and a message wakes the runner's loop at once; the runner does no timing of its own.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { toLocal } from './clock.ts';
import { ArrivalSchedule, type OpenExecutor } from './executor.ts';

interface TickerData {
  executor: OpenExecutor;
  worker: number;
  workers: number;
  /** Int32Array[0]: 0 = run, 1 = stop. */
  control: SharedArrayBuffer;
}

/** Arrivals due (ms from the start), in order; `null` means the schedule is over. */
export type TickerBatch = Float64Array | null;

/**
 * The runner's side: the thread is created (and its module loaded) ahead of the common start,
 * so `start` only has to hand it the start instant.
 */
export class Ticker {
  private readonly thread: Worker;
  private readonly control = new Int32Array(new SharedArrayBuffer(4));
  private onBatch: (batch: TickerBatch) => void = () => {};
  /** Resolves once the thread has loaded and waits for its start instant. */
  readonly ready: Promise<void>;

  constructor(executor: OpenExecutor, worker: number, workers: number) {
    const data: TickerData = { executor, worker, workers, control: this.control.buffer as SharedArrayBuffer };
    this.thread = new Worker(new URL(import.meta.url), { workerData: data });
    this.ready = new Promise((resolve, reject) => {
      this.thread.once('error', reject);
      this.thread.on('message', (m: TickerBatch | 'ready') => {
        if (m === 'ready') resolve();
        else this.onBatch(m);
      });
    });
    this.thread.unref();
  }

  /** `startAt`: the schedule's time 0 on the shared clock (clock.ts). */
  start(startAt: number, onBatch: (batch: TickerBatch) => void): void {
    this.onBatch = onBatch;
    this.thread.postMessage(startAt);
  }

  stop(): void {
    Atomics.store(this.control, 0, 1);
    Atomics.notify(this.control, 0);
    void this.thread.terminate();
  }
}

function runThread(port: NonNullable<typeof parentPort>, data: TickerData): void {
  const control = new Int32Array(data.control);
  port.once('message', (startAt: number) => {
    const t0 = toLocal(startAt);
    const schedule = new ArrivalSchedule(data.executor, data.worker, data.workers);
    let due = schedule.next();
    const batch: number[] = [];
    while (due !== undefined && Atomics.load(control, 0) === 0) {
      const now = performance.now() - t0;
      if (due > now) {
        Atomics.wait(control, 0, 0, due - now);
        continue;
      }
      // Everything due by now goes out together: a late wake-up never thins the schedule.
      while (due !== undefined && due <= now) {
        batch.push(due);
        due = schedule.next();
      }
      port.postMessage(Float64Array.from(batch));
      batch.length = 0;
    }
    port.postMessage(null);
  });
  port.postMessage('ready');
}

if (
  !isMainThread &&
  parentPort &&
  (workerData as TickerData | undefined)?.control instanceof SharedArrayBuffer
)
  runThread(parentPort, workerData as TickerData);
