import { performance } from 'node:perf_hooks';

export interface OpenLoopResult {
  /** Requests started (every one was due within the run). */
  sent: number;
  ok: number;
  /** Answers that were not 2xx. */
  non2xx: number;
  /** Requests that failed without an answer (connection errors, timeouts). */
  errors: number;
  /** Started requests per second, over the whole schedule. */
  offeredRate: number;
  /** Milliseconds from each request's scheduled start to its answer (sorted). */
  latenciesMs: number[];
  /** Most requests in flight at once. */
  maxInFlight: number;
}

/**
 * Constant-rate, open-loop load: request i is due at start + i / rate, whatever the earlier ones are
 * doing, and its latency is counted from that due time, so a stall delays (and is charged to) every
 * request scheduled during it. autocannon's `overallRate` is neither: each connection sends its share
 * of a second's requests back to back when the second starts (bursts), and its coordinated-omission
 * correction then adds synthetic samples per request.
 */
export async function openLoop(options: {
  rate: number;
  seconds: number;
  /** Sends request i; resolves to the HTTP status. */
  send(i: number): Promise<number>;
}): Promise<OpenLoopResult> {
  const total = Math.round(options.rate * options.seconds);
  const intervalMs = 1000 / options.rate;
  const latencies: number[] = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();

  const fire = (i: number, due: number): Promise<void> => {
    inFlight++;
    if (inFlight > maxInFlight) maxInFlight = inFlight;
    return options.send(i).then(
      (status) => {
        inFlight--;
        latencies.push(performance.now() - due);
        if (status >= 200 && status < 300) ok++;
        else non2xx++;
      },
      () => {
        inFlight--;
        latencies.push(performance.now() - due);
        errors++;
      },
    );
  };

  let next = 0;
  while (next < total) {
    const now = performance.now();
    // Everything due by now goes out now (a late timer never thins the schedule).
    while (next < total && start + next * intervalMs <= now) {
      pending.push(fire(next, start + next * intervalMs));
      next++;
    }
    if (next < total) {
      const wait = start + next * intervalMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  const sentAt = performance.now();
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  return {
    sent: total,
    ok,
    non2xx,
    errors,
    offeredRate: total / ((sentAt - start) / 1000 || 1),
    latenciesMs: latencies,
    maxInFlight,
  };
}

/** The q-quantile (0..1) of sorted values, nearest-rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}
