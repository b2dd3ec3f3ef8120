import type { DashboardSpec } from './dashboard-spec.ts';
import { SERVICE } from './promql.ts';

// Reads the rules `vigil slo generate` writes (monitoring/prometheus/rules/slo-generated.yml):
// slo:sli_error:ratio_rate<window>, slo:sli_events:rate<window>, slo:error_budget:ratio and
// slo:error_budget_remaining:ratio, each labelled {slo, service}.
const burn = (window: string) =>
  `slo:sli_error:ratio_rate${window}{${SERVICE}} / on (slo) slo:error_budget:ratio`;

export const slos: DashboardSpec = {
  uid: 'vigil-slos',
  title: 'Vigil / SLOs',
  description: 'Error budgets and burn rates of the SLOs declared in monitoring/slo/slos.yaml.',
  tags: ['vigil', 'slo'],
  serviceVariable: true,
  sections: [
    {
      // The SLAs of slos.yaml (`slas:`): recorded by the generated `sla:<name>` rule groups from
      // the blackbox exporter's probes (job `blackbox`), per calendar month (UTC).
      title: 'SLA (calendar month, measured from outside)',
      panels: [
        {
          title: 'SLA attainment this month',
          description:
            'Share of successful synthetic probes of each SLA’s journeys since the 1st of the month (UTC, whole hours), beside its promise. `vigil sla report` gives breaches and the SLI’s view.',
          type: 'stat',
          unit: 'percentunit',
          width: 8,
          queries: [
            { expr: `1 - sla:probe_failure:ratio_month_to_date{${SERVICE}}`, legend: '{{sla}}' },
            { expr: `sla:objective:ratio{${SERVICE}}`, legend: '{{sla}} promise' },
          ],
        },
        {
          title: 'SLA budget spent this month',
          description:
            'Share of the month’s allowed failed probes already spent (1 = the promise is broken for the month). SLAAtRisk warns when the pace of the last 6h and 1d would pass 1 by the month’s end.',
          type: 'stat',
          unit: 'percentunit',
          width: 8,
          queries: [{ expr: `sla:error_budget_spent:ratio_month_to_date{${SERVICE}}`, legend: '{{sla}}' }],
          thresholds: [
            { value: null, color: 'green' },
            { value: 0.5, color: 'orange' },
            { value: 1, color: 'red' },
          ],
        },
        {
          title: 'Probe success by journey (5m)',
          description:
            'Share of successful probes of each journey over 5 minutes (blackbox exporter, job blackbox); 0 is a journey down as customers see it.',
          type: 'timeseries',
          unit: 'percentunit',
          width: 8,
          min: 0,
          max: 1,
          queries: [
            {
              expr: 'avg by (sla, journey) (avg_over_time(probe_success{job="blackbox"}[5m]))',
              legend: '{{sla}} {{journey}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Error budget',
      panels: [
        {
          title: 'Error budget remaining',
          description:
            'Share of the period’s error budget still unspent, per SLO (1 = untouched, 0 = spent, below 0 = objective missed).',
          type: 'stat',
          unit: 'percentunit',
          width: 24,
          queries: [{ expr: `slo:error_budget_remaining:ratio{${SERVICE}}`, legend: '{{slo}}' }],
          thresholds: [
            { value: null, color: 'red' },
            { value: 0, color: 'orange' },
            { value: 0.25, color: 'green' },
          ],
        },
        {
          title: 'Error budget remaining over time',
          description:
            'How the budget has been spent; a steep drop is an incident, a steady slope is chronic unreliability.',
          type: 'timeseries',
          unit: 'percentunit',
          queries: [{ expr: `slo:error_budget_remaining:ratio{${SERVICE}}`, legend: '{{slo}}' }],
        },
        {
          title: 'SLI error ratio (5m) against the budget',
          description:
            'Bad events divided by all events over 5 minutes, next to the error budget (1 − objective).',
          type: 'timeseries',
          unit: 'percentunit',
          queries: [
            { expr: `slo:sli_error:ratio_rate5m{${SERVICE}}`, legend: '{{slo}} error ratio' },
            { expr: `slo:error_budget:ratio{${SERVICE}}`, legend: '{{slo}} budget' },
          ],
        },
      ],
    },
    {
      title: 'Burn rate',
      panels: [
        {
          title: 'Fast burn (page): 1h and 5m',
          description:
            'Error ratio divided by the budget: 1 spends the budget exactly over the period. ErrorBudgetBurnFast pages when both windows exceed 14.4 (30d; 13.44 for 28d).',
          type: 'timeseries',
          unit: 'short',
          thresholds: [
            { value: null, color: 'green' },
            { value: 14.4, color: 'red' },
          ],
          queries: [
            { expr: burn('1h'), legend: '{{slo}} 1h' },
            { expr: burn('5m'), legend: '{{slo}} 5m' },
          ],
        },
        {
          title: 'Fast burn (page): 6h and 30m',
          description: 'The second page condition: both windows above 6 (5.6 for 28d).',
          type: 'timeseries',
          unit: 'short',
          thresholds: [
            { value: null, color: 'green' },
            { value: 6, color: 'red' },
          ],
          queries: [
            { expr: burn('6h'), legend: '{{slo}} 6h' },
            { expr: burn('30m'), legend: '{{slo}} 30m' },
          ],
        },
        {
          title: 'Slow burn (ticket): 1d, 2h and 3d',
          description: 'ErrorBudgetBurnSlow opens a ticket when 1d and 2h exceed 3, or 3d and 6h exceed 1.',
          type: 'timeseries',
          unit: 'short',
          thresholds: [
            { value: null, color: 'green' },
            { value: 1, color: 'orange' },
            { value: 3, color: 'red' },
          ],
          queries: [
            { expr: burn('1d'), legend: '{{slo}} 1d' },
            { expr: burn('2h'), legend: '{{slo}} 2h' },
            { expr: burn('3d'), legend: '{{slo}} 3d' },
          ],
        },
        {
          title: 'SLI traffic',
          description:
            'Events per second behind each SLO; below the SLO’s min_traffic its burn-rate alerts stay quiet.',
          type: 'timeseries',
          unit: 'short',
          queries: [{ expr: `slo:sli_events:rate5m{${SERVICE}}`, legend: '{{slo}}' }],
        },
      ],
    },
  ],
};
