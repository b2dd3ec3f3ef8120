import { roundClean } from './burn-rate.ts';
import type { AlertingRule, RecordingRule, RuleGroup } from './generate-rules.ts';
import { runbookUrl } from './runbook-url.ts';
import type { SlaSpec, SpecFile } from './spec.ts';

export const SLA_AT_RISK_ALERT = 'SLAAtRisk';

/** The Prometheus job of the synthetic probes (blackbox exporter); its targets carry `sla` and `journey`. */
export const PROBE_JOB = 'blackbox';

/** `probe_success` of one SLA's journeys. */
export function probeSelector(sla: string): string {
  return `probe_success{job="${PROBE_JOB}", sla="${sla}"}`;
}

/**
 * Share of the current calendar month (UTC) elapsed at the evaluation time, a vector without
 * labels (minute resolution).
 */
export const MONTH_ELAPSED_EXPR =
  '((day_of_month() - 1) * 86400 + hour() * 3600 + minute() * 60) / (days_in_month() * 86400)';

export const slaRecord = {
  probes1h: 'sla:probes:count1h',
  failures1h: 'sla:probe_failures:count1h',
  ratio: (window: string) => `sla:probe_failure:ratio_${window}`,
  monthToDate: 'sla:probe_failure:ratio_month_to_date',
  budgetSpent: 'sla:error_budget_spent:ratio_month_to_date',
  objective: 'sla:objective:ratio',
  elapsed: 'sla:month_elapsed:ratio',
} as const;

/** Windows of the recent failure ratio the at-risk projection extrapolates (both must agree). */
export const SLA_PROJECTION_WINDOWS = ['6h', '1d'] as const;

export function slaBudget(sla: SlaSpec): number {
  return roundClean(1 - sla.objective / 100);
}

/** One rule group per SLA: hourly probe counts, recent ratios, month to date, and SLAAtRisk. */
export function generateSlaRuleGroups(spec: SpecFile): RuleGroup[] {
  return spec.slas.map((sla) => {
    const slo = spec.slos.find((s) => s.name === sla.slo);
    const labels = { sla: sla.name, service: slo?.service ?? 'gateway', team: sla.team };
    return {
      name: `sla:${sla.name}`,
      // The month-to-date subquery reads 744 hourly points: once a minute is enough.
      interval: '1m',
      rules: [...slaRecordingRules(sla, labels), slaAtRiskAlert(sla, labels)],
    };
  });
}

function slaRecordingRules(sla: SlaSpec, labels: Record<string, string>): RecordingRule[] {
  const probes = probeSelector(sla.name);
  const own = `{sla="${sla.name}"}`;
  // Inside the subquery: the steps whose hour belongs to the month of the evaluation time. A step
  // at `t` holds the hour (t-1h, t], hence `time() - 60`; `@ end()` reads the month-elapsed
  // sample this evaluation just recorded, whatever the step (a lookup, not a nested subquery).
  const inThisMonth = `(month(vector(time() - 60)) == on () month(timestamp(${slaRecord.elapsed}${own} @ end())))`;
  const monthSum = (record: string) => `sum_over_time((${record}${own} and on () ${inThisMonth})[31d:1h])`;
  const rules: RecordingRule[] = [
    { record: slaRecord.probes1h, expr: `sum(count_over_time(${probes}[1h]))`, labels },
    {
      record: slaRecord.failures1h,
      expr: `sum(count_over_time(${probes}[1h])) - sum(sum_over_time(${probes}[1h]))`,
      labels,
    },
  ];
  for (const window of SLA_PROJECTION_WINDOWS) {
    rules.push({
      record: slaRecord.ratio(`rate${window}`),
      expr: `1 - sum(sum_over_time(${probes}[${window}])) / sum(count_over_time(${probes}[${window}]))`,
      labels,
    });
  }
  rules.push(
    // Share of the calendar month elapsed, with the SLA's labels so that it matches one to one.
    { record: slaRecord.elapsed, expr: MONTH_ELAPSED_EXPR, labels },
    {
      // Whole hours of this month (the current hour joins at its end).
      record: slaRecord.monthToDate,
      expr: `${monthSum(slaRecord.failures1h)}\n/\n${monthSum(slaRecord.probes1h)}`,
      labels,
    },
    {
      // Share of the month's error budget spent so far (probes spread evenly over the month).
      record: slaRecord.budgetSpent,
      expr: `${slaRecord.monthToDate}${own} * ${slaRecord.elapsed}${own} / ${slaBudget(sla)}`,
      labels,
    },
    { record: slaRecord.objective, expr: `vector(${roundClean(sla.objective / 100)})`, labels },
  );
  return rules;
}

/**
 * The month's failure ratio if the rest of the month fails as the last `window` did:
 * month-to-date × elapsed + recent × remaining (the first hour of a month has no month to date
 * yet: the recent ratio stands in).
 */
function projection(sla: SlaSpec, window: string): string {
  const own = `{sla="${sla.name}"}`;
  const recent = `${slaRecord.ratio(`rate${window}`)}${own}`;
  const elapsed = `${slaRecord.elapsed}${own}`;
  return `(\n  (${slaRecord.monthToDate}${own} or ${recent}) * ${elapsed}\n  + ${recent} * (1 - ${elapsed})\n) > ${slaBudget(sla)}`;
}

function slaAtRiskAlert(sla: SlaSpec, labels: Record<string, string>): AlertingRule {
  const budget = slaBudget(sla);
  const [short, long] = SLA_PROJECTION_WINDOWS;
  return {
    alert: SLA_AT_RISK_ALERT,
    expr: `${projection(sla, short)}\nand on (sla)\n${projection(sla, long)}`,
    for: '30m',
    labels: { severity: 'warning', ...labels },
    annotations: {
      summary: `SLA ${sla.name} at risk this month`,
      description:
        `At the failure rate of the last ${short} and ${long}, the synthetic probes of SLA ${sla.name} ` +
        `(${sla.objective}% per calendar month, a budget of ${roundClean(budget * 100)}% failed probes) end ` +
        `the month at {{ $value | humanizePercentage }} failed: below the promise. ` +
        'Run `vigil sla report` for attainment, budget spent and breaches.',
      runbook_url: runbookUrl(SLA_AT_RISK_ALERT),
    },
  };
}
