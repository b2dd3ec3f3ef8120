// One clock for the main thread, the runners and their tickers. performance.now() counts from
// each thread's own origin, and performance.timeOrigin is a wall-clock reading taken when the
// thread started, so "timeOrigin + now" of two threads can disagree by up to a millisecond —
// as much as the scheduler's whole accuracy goal. process.hrtime is one monotonic clock for the
// process: instants are passed between threads on it and turned into each thread's
// performance.now() timeline on arrival.
import { performance } from 'node:perf_hooks';

/** Milliseconds on the process-wide monotonic clock (the same in every thread). */
export function sharedNow(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** This thread's performance.now() reading of the shared-clock instant `shared`. */
export function toLocal(shared: number): number {
  return shared - (sharedNow() - performance.now());
}
