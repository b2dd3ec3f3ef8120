import { durationSeconds } from './duration.ts';

/** The periods an SLO may declare; the burn-rate tiers are calibrated for these. */
export const PERIODS = ['28d', '30d'] as const;

/** Windows whose SLI error ratio is recorded for every SLO (the period's own window is added). */
export const SLI_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

/**
 * Windows of at least this length are not computed from the raw series at every evaluation:
 * they sum the recorded rates of a short base window, sampled once per base window by a
 * subquery (errors and events are summed separately, never averaged as ratios).
 */
export const DERIVED_FROM_SECONDS = 3 * 86_400;

/** The recorded base window a long window sums: 5m steps up to a week (3d: 864), 1h beyond (30d: 720). */
export function baseWindowOf(window: string): '5m' | '1h' | undefined {
  const seconds = durationSeconds(window);
  if (seconds === undefined || seconds < DERIVED_FROM_SECONDS) return undefined;
  return seconds <= 7 * 86_400 ? '5m' : '1h';
}

export type AlertKind = 'page' | 'ticket';

export interface BurnRateTier {
  readonly kind: AlertKind;
  readonly longWindow: string;
  readonly shortWindow: string;
  /** Share of the whole period's error budget this tier lets burn within its long window. */
  readonly budgetConsumed: number;
}

/** The SRE workbook's multi-window multi-burn-rate tiers (chapter 5, "Alerting on SLOs"). */
export const BURN_RATE_TIERS: readonly BurnRateTier[] = [
  { kind: 'page', longWindow: '1h', shortWindow: '5m', budgetConsumed: 0.02 },
  { kind: 'page', longWindow: '6h', shortWindow: '30m', budgetConsumed: 0.05 },
  { kind: 'ticket', longWindow: '1d', shortWindow: '2h', budgetConsumed: 0.1 },
  { kind: 'ticket', longWindow: '3d', shortWindow: '6h', budgetConsumed: 0.1 },
];

/**
 * How many times faster than "exactly on budget" errors must arrive for the tier to fire:
 * burning `budgetConsumed` of the budget within `longWindow` of a `period`.
 * 30d → 14.4 / 6 / 3 / 1; 28d → 13.44 / 5.6 / 2.8 / 0.933….
 */
export function burnRateFactor(tier: BurnRateTier, period: string): number {
  const periodSeconds = durationSeconds(period);
  const windowSeconds = durationSeconds(tier.longWindow);
  if (periodSeconds === undefined || windowSeconds === undefined) {
    throw new Error(`bad duration in burn-rate tier: period ${period}, window ${tier.longWindow}`);
  }
  return roundClean((tier.budgetConsumed * periodSeconds) / windowSeconds);
}

/** Drops binary floating-point noise (0.1 × 30 = 3.0000000000000004) so generated rules read cleanly. */
export function roundClean(value: number): number {
  return Number(value.toPrecision(12));
}
