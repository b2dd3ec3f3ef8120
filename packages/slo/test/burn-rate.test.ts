import { describe, expect, it } from 'vitest';
import { BURN_RATE_TIERS, burnRateFactor, durationSeconds } from '../src/index.ts';

const factors = (period: string) => BURN_RATE_TIERS.map((tier) => burnRateFactor(tier, period));

describe('burnRateFactor', () => {
  it('gives the SRE workbook factors for a 30-day period', () => {
    expect(factors('30d')).toEqual([14.4, 6, 3, 1]);
  });

  it('scales the factors with a 28-day period', () => {
    expect(factors('28d')).toEqual([13.44, 5.6, 2.8, 0.933333333333]);
  });

  it('pairs each long window with its short window, pages before tickets', () => {
    expect(BURN_RATE_TIERS.map((t) => `${t.kind}:${t.longWindow}/${t.shortWindow}`)).toEqual([
      'page:1h/5m',
      'page:6h/30m',
      'ticket:1d/2h',
      'ticket:3d/6h',
    ]);
  });
});

describe('durationSeconds', () => {
  it('parses single-unit Prometheus durations and rejects anything else', () => {
    expect(durationSeconds('5m')).toBe(300);
    expect(durationSeconds('3d')).toBe(259_200);
    expect(durationSeconds('1h30m')).toBeUndefined();
    expect(durationSeconds('0d')).toBeUndefined();
    expect(durationSeconds('30 days')).toBeUndefined();
  });
});
