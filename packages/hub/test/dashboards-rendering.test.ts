import { describe, expect, it } from 'vitest';
import { statDisplay } from '../ui/src/pages/dashboards/colours.ts';
import type { PanelSpec } from '../ui/src/pages/dashboards/dashboard-types.ts';
import { legendFor, statLabelled } from '../ui/src/pages/dashboards/legend.ts';
import { ALL, rateIntervalFor, stepFor, substitute } from '../ui/src/pages/dashboards/promql-variables.ts';
import { formatValue } from '../ui/src/pages/dashboards/units.ts';

// The console's pure rendering rules: what Grafana would do with the same spec.

describe('Grafana variables', () => {
  const expr = 'sum by (service) (rate(http_requests_total{service=~"$service"}[$__rate_interval]))';

  it('All becomes .* and a chosen service is regex-escaped inside the PromQL string', () => {
    expect(substitute(expr, { service: ALL, stepSeconds: 5 })).toBe(
      'sum by (service) (rate(http_requests_total{service=~".*"}[60s]))',
    );
    expect(substitute('up{service=~"$service"}', { service: 'order-service', stepSeconds: 5 })).toBe(
      'up{service=~"order-service"}',
    );
    // Grafana's braced form too (a plain string here, not a template).
    const braced = ['up{service=~"$', '{service}"}'].join('');
    expect(substitute(braced, { service: 'a.b+c', stepSeconds: 5 })).toBe('up{service=~"a\\\\.b\\\\+c"}');
    expect(substitute('up{x="$services"}', { service: 'a', stepSeconds: 5 })).toBe('up{x="$services"}');
  });

  it('the step gives about 300 points (at least 5 s) and $__rate_interval spans four steps, at least 1m', () => {
    expect([15 * 60, 3600, 6 * 3600, 86400].map((s) => stepFor(s))).toEqual([5, 12, 72, 288]);
    expect(rateIntervalFor(5)).toBe('60s');
    expect(rateIntervalFor(72)).toBe('288s');
  });
});

describe('legends', () => {
  it('substitutes {{label}} and falls back to the series selector', () => {
    expect(legendFor('{{service}} p95', { service: 'gateway' }, 'x')).toBe('gateway p95');
    expect(legendFor('{{ service }} {{status}}', { service: 'gateway', status: '503' }, 'x')).toBe(
      'gateway 503',
    );
    expect(legendFor(undefined, { __name__: 'up', job: 'hub' }, 'up')).toBe('up{job="hub"}');
    expect(legendFor(undefined, {}, 'sum(rate(x[1m]))')).toBe('sum(rate(x[1m]))');
  });
});

describe('units', () => {
  it.each([
    ['reqps', 12.345, '12.3 req/s'],
    ['reqps', 2500, '2.5K req/s'],
    ['percentunit', 0.0523, '5.23%'],
    ['percentunit', 0, '0%'],
    ['s', 0.25, '250 ms'],
    ['s', 0.00042, '420 µs'],
    ['s', 3.5, '3.5 s'],
    ['bytes', 150 * 1024 * 1024, '150 MiB'],
    ['bytes', 512, '512 B'],
    ['currencyUSD', 1234.5, '$1.23K'],
    ['currencyUSD', 42.5, '$42.5'],
    ['short', 1500, '1.5 K'],
    ['none', 3, '3'],
  ])('%s %d → %s', (unit, value, text) => {
    expect(formatValue(unit, value)).toBe(text);
  });

  it('shows a dash for no value and marks infinities', () => {
    expect(formatValue('s', null)).toBe('—');
    expect(formatValue('s', Number.NaN)).toBe('—');
    expect(formatValue('short', Number.POSITIVE_INFINITY)).toBe('+Inf');
  });
});

describe('stat labels', () => {
  const stat = (queries: number): PanelSpec => ({
    title: 'SLA attainment this month',
    description: 'd',
    type: 'stat',
    unit: 'percentunit',
    queries: Array.from({ length: queries }, (_, i) => ({ expr: `q${i}`, legend: `{{sla}} ${i}` })),
  });

  it('one value of a one-query panel goes unnamed; several values are named', () => {
    expect(statLabelled(stat(1), 1)).toBe(false);
    expect(statLabelled(stat(1), 3)).toBe(true);
  });

  it('a lone value of a panel with several queries is named (the promise without its attainment)', () => {
    expect(statLabelled(stat(2), 1)).toBe(true);
    expect(statLabelled(stat(2), 2)).toBe(true);
  });
});

describe('stat colours', () => {
  const panel = (extra: Partial<PanelSpec>): PanelSpec => ({
    title: 't',
    description: 'd',
    type: 'stat',
    unit: 'none',
    queries: [{ expr: 'up' }],
    ...extra,
  });

  it('a value mapping wins (up 0 → DOWN in red)', () => {
    const up = panel({
      valueText: { '0': { text: 'DOWN', color: 'red' }, '1': { text: 'UP', color: 'green' } },
    });
    expect(statDisplay(up, '0', 0)).toEqual({ text: 'DOWN', colour: '#e02f44' });
    expect(statDisplay(up, '1', 1)).toEqual({ text: 'UP', colour: '#56a64b' });
    expect(statDisplay(up, '0.5', 0.5)).toEqual({});
  });

  it('otherwise the highest threshold step at or below the value', () => {
    const ratio = panel({
      thresholds: [
        { value: null, color: 'green' },
        { value: 0.01, color: 'orange' },
        { value: 0.05, color: 'red' },
      ],
    });
    expect(statDisplay(ratio, '0', 0).colour).toBe('#56a64b');
    expect(statDisplay(ratio, '0.01', 0.01).colour).toBe('#ff780a');
    expect(statDisplay(ratio, '0.2', 0.2).colour).toBe('#e02f44');
    expect(statDisplay(ratio, 'NaN', Number.NaN).colour).toBe('#56a64b');
  });
});
