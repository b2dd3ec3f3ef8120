import { constantRate, loadScenario, runLoad } from '@vigil/load';

/**
 * Background load for chaos runs and the gameday: the `checkout` scenario of `vigil load` (a
 * constant mixed journey: browse users and products, view a product, place and read an order),
 * open model at a constant rate, on one worker thread, until stopped.
 */

export interface LoadStats {
  readonly requests: number;
  readonly failed: number;
}

export interface BackgroundLoad {
  stop(): Promise<LoadStats>;
}

export interface BackgroundLoadOptions {
  /** Journeys started per second. */
  readonly journeysPerSecond: number;
}

const SCENARIO = 'checkout';
/** Longer than any gameday; stop() ends it. */
const UNTIL_STOPPED_MS = 6 * 3600 * 1000;

export async function startBackgroundLoad(
  gatewayUrl: string,
  opts: BackgroundLoadOptions,
): Promise<BackgroundLoad> {
  const scenario = await loadScenario(SCENARIO);
  const run = runLoad(scenario, constantRate(opts.journeysPerSecond, UNTIL_STOPPED_MS), {
    target: gatewayUrl,
    workers: 1,
  });
  return {
    async stop() {
      run.stop('chaos run finished');
      const summary = await run.done;
      return { requests: summary.totals.requests, failed: summary.totals.failed };
    },
  };
}
