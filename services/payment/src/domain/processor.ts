import { setTimeout as delay } from 'node:timers/promises';
import type { DeclineReason } from './card.ts';

export interface ProcessorOptions {
  /** Median authorization latency. */
  medianMs: number;
  /** Spread of the log-normal latency (0 = constant). */
  sigma: number;
}

export type Authorization = { approved: true } | { approved: false; reason: DeclineReason };

/** A standard normal sample (Box–Muller). */
function gaussian(): number {
  const u = 1 - Math.random();
  const v = Math.random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Card-network latency is right-skewed: most calls are quick, a few are slow — log-normal. */
export function sampleLatencyMs(options: ProcessorOptions): number {
  return Math.max(0, options.medianMs * Math.exp(options.sigma * gaussian()));
}

/**
 * The simulated card network. The verdict is a pure function of the card on file, so asking
 * again after a crash gives the same answer (what a real processor's idempotency gives us).
 */
export function createProcessor(options: ProcessorOptions) {
  return {
    decide(outcome: DeclineReason | null): Authorization {
      return outcome === null ? { approved: true } : { approved: false, reason: outcome };
    },
    async authorize(outcome: DeclineReason | null): Promise<Authorization> {
      await delay(sampleLatencyMs(options));
      return this.decide(outcome);
    },
  };
}

export type Processor = ReturnType<typeof createProcessor>;
