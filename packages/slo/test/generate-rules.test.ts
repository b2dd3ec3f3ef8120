import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  GENERATED_HEADER,
  generateFromSpecText,
  generateRuleGroups,
  type SloSpec,
  type SpecFile,
  validateSpec,
} from '../src/index.ts';

function spec(overrides: Partial<SloSpec> = {}): SpecFile {
  const result = validateSpec({
    slos: [
      {
        name: 'orders',
        service: 'order-service',
        team: 'commerce',
        objective: 99.5,
        period: '28d',
        min_traffic: 0.02,
        sli: { errors: 'sum(rate(errs[{{window}}]))', total: 'sum(rate(all[{{window}}]))' },
        ...overrides,
      },
    ],
  });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.spec;
}

const rulesOf = (s: SpecFile) => generateRuleGroups(s)[0]!.rules;
const alert = (s: SpecFile, name: string) => rulesOf(s).find((r) => 'alert' in r && r.alert === name)!;

describe('generateRuleGroups', () => {
  it('records the SLI error ratio for every window and the period, with the window substituted', () => {
    const records = rulesOf(spec()).flatMap((r) => ('record' in r ? [r.record] : []));
    expect(records.filter((r) => r.startsWith('slo:sli_error:'))).toEqual(
      ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '28d'].map((w) => `slo:sli_error:ratio_rate${w}`),
    );
    const ratio1h = rulesOf(spec()).find((r) => 'record' in r && r.record === 'slo:sli_error:ratio_rate1h')!;
    expect(ratio1h.expr).toBe('(\n  (sum(rate(errs[1h])))\n  or vector(0)\n)\n/\n(sum(rate(all[1h])))');
    expect(ratio1h.labels).toEqual({ slo: 'orders', service: 'order-service' });
  });

  it('records the error budget remaining over the period', () => {
    const remaining = rulesOf(spec()).find(
      (r) => 'record' in r && r.record === 'slo:error_budget_remaining:ratio',
    )!;
    expect(remaining.expr).toBe('1 - slo:sli_error:ratio_rate28d{slo="orders"} / 0.005');
  });

  it('pages on 1h+5m or 6h+30m and tickets on 1d+2h or 3d+6h, with factors from the 28d period', () => {
    const page = alert(spec(), 'ErrorBudgetBurnFast');
    expect(page.expr).toContain('slo:sli_error:ratio_rate1h{slo="orders"} > (13.44 * 0.005)');
    expect(page.expr).toContain('and slo:sli_error:ratio_rate5m{slo="orders"} > (13.44 * 0.005)');
    expect(page.expr).toContain('slo:sli_error:ratio_rate6h{slo="orders"} > (5.6 * 0.005)');
    expect(page.expr).toContain('and slo:sli_error:ratio_rate30m{slo="orders"} > (5.6 * 0.005)');
    const ticket = alert(spec(), 'ErrorBudgetBurnSlow');
    expect(ticket.expr).toContain('slo:sli_error:ratio_rate1d{slo="orders"} > (2.8 * 0.005)');
    expect(ticket.expr).toContain('and slo:sli_error:ratio_rate2h{slo="orders"} > (2.8 * 0.005)');
    expect(ticket.expr).toContain('slo:sli_error:ratio_rate3d{slo="orders"} > (0.933333333333 * 0.005)');
    expect(ticket.expr).toContain('and slo:sli_error:ratio_rate6h{slo="orders"} > (0.933333333333 * 0.005)');
  });

  it('guards every tier with the minimum traffic over its long window, and drops the guard at 0', () => {
    const page = alert(spec(), 'ErrorBudgetBurnFast');
    expect(page.expr).toContain('and slo:sli_events:rate1h{slo="orders"} >= 0.02');
    expect(page.expr).toContain('and slo:sli_events:rate6h{slo="orders"} >= 0.02');
    expect(alert(spec({ min_traffic: 0 }), 'ErrorBudgetBurnFast').expr).not.toContain('sli_events');
  });

  it('labels alerts with severity, service, team and slo; severity is overridable per SLO', () => {
    expect(
      'labels' in alert(spec(), 'ErrorBudgetBurnFast') && alert(spec(), 'ErrorBudgetBurnFast').labels,
    ).toEqual({
      severity: 'critical',
      service: 'order-service',
      team: 'commerce',
      slo: 'orders',
    });
    expect(alert(spec(), 'ErrorBudgetBurnSlow').labels.severity).toBe('ticket');
    const overridden = spec({ severity: { page: 'warning' } });
    expect(alert(overridden, 'ErrorBudgetBurnFast').labels.severity).toBe('warning');
    expect(alert(overridden, 'ErrorBudgetBurnSlow').labels.severity).toBe('ticket');
  });
});

describe('generateFromSpecText', () => {
  it('renders YAML that starts with the do-not-edit header and parses back to the groups', () => {
    const text =
      'slos:\n  - name: a\n    service: s\n    team: t\n    objective: 99\n    period: 30d\n    sli: { errors: "e[{{window}}]", total: "t[{{window}}]" }\n';
    const result = generateFromSpecText(text, 'spec.yaml');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.text.startsWith(`${GENERATED_HEADER}\n`)).toBe(true);
    expect(result.text).not.toMatch(/[&*]a\d/); // no YAML anchors: the file is read by people
    expect((parse(result.text) as { groups: unknown[] }).groups).toHaveLength(1);
  });

  it('returns the validation errors instead of rules for a bad spec', () => {
    const result = generateFromSpecText('slos:\n  - name: a\n', 'spec.yaml');
    expect(result.ok).toBe(false);
  });
});
