import { describe, expect, it } from 'vitest';
import type { StepSummary } from '../src/aggregate.ts';
import type { Percentiles } from '../src/histogram.ts';
import { formatSummary } from '../src/progress.ts';
import type { LoadSummary } from '../src/run.ts';

const latency = (p50: number): Percentiles => ({
  count: 1,
  mean: p50,
  p50,
  p90: p50,
  p95: p50,
  p99: p50,
  p999: p50,
  max: p50,
});
const step = (key: string, requests: number): StepSummary => ({
  key,
  journey: key.split('/')[0]!,
  step: key.split('/')[1]!,
  requests,
  failed: 0,
  rps: 1,
  errors: {} as StepSummary['errors'],
  checks: { passed: requests, failed: 0 },
  latencyMs: latency(4.5),
});

describe('the end-of-run summary', () => {
  it('lines the step rows up however long the step names are', () => {
    const summary = {
      scenario: 'checkout',
      executorText: 'open model, constant 10 it/s for 60s',
      partial: false,
      stopReason: null,
      totals: {
        requests: 1200,
        iterations: 600,
        failed: 0,
        errorRate: 0,
        rps: 20,
        errors: {},
        checks: { passed: 1200, failed: 0, rate: 1 },
        latencyMs: latency(4.6),
        schedule: { due: 0, late: 0, lagMs: latency(0) },
      },
      steps: [
        step('browse-products/list-products', 245),
        step('browse-products/list-products-page-2', 245),
        step('order/place-order', 53),
      ],
      thresholds: [],
    } as unknown as LoadSummary;
    const rows = formatSummary(summary)
      .split('\n')
      .filter((l) => / p50 /.test(l) && !l.includes('latency ms'));
    expect(rows).toHaveLength(3);
    const column = rows.map((r) => r.indexOf(' p50 '));
    expect(new Set(column).size).toBe(1);
    expect(rows[1]).toContain('browse-products/list-products-page-2 ');
  });
});
