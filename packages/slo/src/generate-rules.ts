import {
  BURN_RATE_TIERS,
  type BurnRateTier,
  baseWindowOf,
  burnRateFactor,
  roundClean,
  SLI_WINDOWS,
} from './burn-rate.ts';
import { durationSeconds } from './duration.ts';
import { runbookUrl } from './runbook-url.ts';
import { generateSlaRuleGroups } from './sla-rules.ts';
import { DEFAULT_SEVERITY, type SloSpec, type SpecFile, WINDOW_PLACEHOLDER } from './spec.ts';

export const PAGE_ALERT = 'ErrorBudgetBurnFast';
export const TICKET_ALERT = 'ErrorBudgetBurnSlow';

export interface RecordingRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Array<RecordingRule | AlertingRule>;
}

/**
 * Prometheus rule groups for a validated spec: one group per SLO (recording rules before alerts),
 * then one per SLA (sla-rules.ts).
 */
export function generateRuleGroups(spec: SpecFile): RuleGroup[] {
  return [
    ...spec.slos.map((slo) => ({
      name: `slo:${slo.name}`,
      rules: [...recordingRules(slo), ...alertRules(slo)],
    })),
    ...generateSlaRuleGroups(spec),
  ];
}

export function errorRatioRecord(window: string): string {
  return `slo:sli_error:ratio_rate${window}`;
}

export function eventsRecord(window: string): string {
  return `slo:sli_events:rate${window}`;
}

export function errorsRecord(window: string): string {
  return `slo:sli_errors:rate${window}`;
}

function recordingRules(slo: SloSpec): RecordingRule[] {
  const labels = { slo: slo.name, service: slo.service };
  const budget = errorBudget(slo);
  const own = `{slo="${slo.name}"}`;
  const at = (query: string, window: string) => query.replaceAll(WINDOW_PLACEHOLDER, window);
  const windows = [...SLI_WINDOWS, slo.period];
  const raw = windows.filter((w) => baseWindowOf(w) === undefined);
  const derived = windows.filter((w) => baseWindowOf(w) !== undefined);
  const bases = [...new Set(derived.map((w) => baseWindowOf(w)!))];
  const rules: RecordingRule[] = [];
  for (const window of raw) {
    // `or vector(0)`: with no bad events at all the errors query returns nothing, and the
    // ratio must be 0 then, not missing.
    rules.push({
      record: errorRatioRecord(window),
      expr: `(\n  (${at(slo.sli.errors, window)})\n  or vector(0)\n)\n/\n(${at(slo.sli.total, window)})`,
      labels,
    });
  }
  for (const window of raw) {
    rules.push({ record: eventsRecord(window), expr: at(slo.sli.total, window), labels });
  }
  // The bases of the long windows: bad events per second over 5m / 1h (events: above).
  for (const base of bases) {
    rules.push({ record: errorsRecord(base), expr: `(${at(slo.sli.errors, base)})\nor vector(0)`, labels });
  }
  // Long windows (3d, the period) from the recorded base rates, one sample per base window:
  // the sum of errors over the sum of events (never an average of ratios), and the events rate
  // over the whole window (missing steps count 0, as a raw rate over the window would).
  // Subquery steps sit on multiples of the base (epoch-aligned), so a stack younger than one
  // base window (up to 1 h for the period) has no step yet and the window would be empty (no
  // error budget on the dashboard for up to an hour after start). Until the window has a step
  // with events, the latest base ratio stands in; from then on only whole steps count (adding
  // the current step always would count the latest base window twice). Steps without events
  // are 0/0: `> 0` drops that NaN so the stand-in applies (a first step recorded before any
  // request was counted, e.g. a counter born at its first increment, left the budget at NaN
  // until the next step, up to an hour).
  for (const window of derived) {
    const base = baseWindowOf(window)!;
    const range = `[${window}:${base}]`;
    const steps = durationSeconds(window)! / durationSeconds(base)!;
    const events = `sum_over_time(${eventsRecord(base)}${own}${range})`;
    rules.push({
      record: errorRatioRecord(window),
      expr: `(\n  sum_over_time(${errorsRecord(base)}${own}${range})\n  /\n  (${events} > 0)\n)\nor\n(${errorsRecord(base)}${own} / ${eventsRecord(base)}${own})`,
      labels,
    });
    if ((SLI_WINDOWS as readonly string[]).includes(window))
      rules.push({
        record: eventsRecord(window),
        expr: `(${events} or ${eventsRecord(base)}${own}) / ${steps}`,
        labels,
      });
  }
  rules.push(
    { record: 'slo:objective:ratio', expr: `vector(${roundClean(slo.objective / 100)})`, labels },
    { record: 'slo:error_budget:ratio', expr: `vector(${budget})`, labels },
    {
      record: 'slo:error_budget_remaining:ratio',
      expr: `1 - ${errorRatioRecord(slo.period)}${own} / ${budget}`,
      labels,
    },
  );
  return rules;
}

function alertRules(slo: SloSpec): AlertingRule[] {
  return [
    alertRule(slo, PAGE_ALERT, 'page', '2m', 'fast'),
    alertRule(slo, TICKET_ALERT, 'ticket', '15m', 'slowly but steadily'),
  ];
}

function alertRule(
  slo: SloSpec,
  alert: string,
  kind: 'page' | 'ticket',
  forDuration: string,
  pace: string,
): AlertingRule {
  const tiers = BURN_RATE_TIERS.filter((t) => t.kind === kind);
  const budget = errorBudget(slo);
  const conditions = tiers.map((tier) => tierCondition(slo, tier, budget)).join('\nor\n');
  const budgetText = `${roundClean(budget * 100)}% of requests`;
  const tierText = tiers
    .map(
      (t) =>
        `${roundClean(t.budgetConsumed * 100)}% of it within ${t.longWindow} (${burnRateFactor(t, slo.period)}×)`,
    )
    .join(' or ');
  const slowest = Math.min(...tiers.map((t) => burnRateFactor(t, slo.period)));
  return {
    alert,
    expr: conditions,
    for: forDuration,
    labels: {
      severity: slo.severity?.[kind] ?? DEFAULT_SEVERITY[kind],
      service: slo.service,
      team: slo.team,
      slo: slo.name,
    },
    annotations: {
      summary: `${slo.name}: error budget burning ${pace}`,
      description:
        `${slo.service} is spending the error budget of SLO ${slo.name} (${slo.objective}% over ${slo.period}, ` +
        `a budget of ${budgetText}) too fast: ${tierText}. Error ratio over the long window: ` +
        `{{ $value | humanizePercentage }}. At this pace the budget is gone within ` +
        `${exhaustionText(slo.period, slowest)}.`,
      runbook_url: runbookUrl(alert),
    },
  };
}

/** Long and short window both above factor × budget, and enough traffic in the long window. */
function tierCondition(slo: SloSpec, tier: BurnRateTier, budget: number): string {
  const threshold = `(${burnRateFactor(tier, slo.period)} * ${budget})`;
  const selector = `{slo="${slo.name}"}`;
  const lines = [
    `${errorRatioRecord(tier.longWindow)}${selector} > ${threshold}`,
    `and ${errorRatioRecord(tier.shortWindow)}${selector} > ${threshold}`,
  ];
  if (slo.min_traffic > 0)
    lines.push(`and ${eventsRecord(tier.longWindow)}${selector} >= ${slo.min_traffic}`);
  return `(\n  ${lines.join('\n  ')}\n)`;
}

export function errorBudget(slo: SloSpec): number {
  return roundClean(1 - slo.objective / 100);
}

function exhaustionText(period: string, factor: number): string {
  const hours = roundClean((durationSeconds(period) ?? 0) / 3600 / factor);
  return hours < 48 ? `${Math.round(hours)} hours` : `${Math.round(hours / 24)} days`;
}
