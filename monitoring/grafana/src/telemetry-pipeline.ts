import type { DashboardSpec } from './dashboard-spec.ts';
import { RATE, SERVICE } from './promql.ts';

export const telemetryPipeline: DashboardSpec = {
  uid: 'vigil-telemetry-pipeline',
  title: 'Vigil / Telemetry pipeline',
  description:
    'Spans and logs leaving the services, arriving at the hub, and anything lost on the way; plus the health of Prometheus and Alertmanager.',
  tags: ['vigil', 'telemetry'],
  serviceVariable: true,
  sections: [
    {
      title: 'From the services',
      panels: [
        {
          title: 'Telemetry items lost',
          description:
            'Spans and log records dropped by the services or rejected by the hub, per second (recording rule service:telemetry_items_lost:rate5m). TelemetryDropping fires when this stays above 0.',
          type: 'stat',
          unit: 'short',
          queries: [{ expr: 'sum(service:telemetry_items_lost:rate5m) or vector(0)' }],
          thresholds: [
            { value: null, color: 'green' },
            { value: 0.000001, color: 'red' },
          ],
        },
        {
          title: 'Spans by outcome',
          description: 'Spans per second per service leaving the exporter (exported) or lost (dropped).',
          type: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: `sum by (service, outcome) (rate(telemetry_spans_total{${SERVICE}}[${RATE}]))`,
              legend: '{{service}} {{outcome}}',
            },
          ],
        },
        {
          title: 'Log records by outcome',
          description: 'Log records per second per service exported over OTLP or dropped.',
          type: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: `sum by (service, outcome) (rate(telemetry_log_records_total{${SERVICE}}[${RATE}]))`,
              legend: '{{service}} {{outcome}}',
            },
          ],
        },
        {
          title: 'Export queues',
          description:
            'Spans and log records waiting in each service’s batch queue (or in flight); a queue pinned at its maximum is about to drop.',
          type: 'timeseries',
          unit: 'short',
          queries: [
            { expr: `sum by (service) (telemetry_span_queue_size{${SERVICE}})`, legend: '{{service}} spans' },
            { expr: `sum by (service) (telemetry_log_queue_size{${SERVICE}})`, legend: '{{service}} logs' },
          ],
        },
        {
          title: 'Export failures',
          description:
            'Failed OTLP export requests (batches) per second by signal, and JSON log lines dropped because stdout could not keep up.',
          type: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: `sum by (service, signal) (rate(telemetry_export_failures_total{${SERVICE}}[${RATE}]))`,
              legend: '{{service}} {{signal}} batches failed',
            },
            {
              expr: `sum by (service) (rate(telemetry_log_lines_dropped_total{${SERVICE}}[${RATE}]))`,
              legend: '{{service}} stdout lines dropped',
            },
          ],
        },
      ],
    },
    {
      title: 'Into the hub',
      panels: [
        {
          title: 'Hub ingest',
          description: 'Spans and log records received over OTLP and committed to the store, per second.',
          type: 'timeseries',
          unit: 'short',
          queries: [
            { expr: `sum(rate(hub_spans_received_total[${RATE}]))`, legend: 'spans received' },
            { expr: `sum(rate(hub_spans_stored_total[${RATE}]))`, legend: 'spans stored' },
            { expr: `sum(rate(hub_logs_received_total[${RATE}]))`, legend: 'logs received' },
            { expr: `sum(rate(hub_logs_stored_total[${RATE}]))`, legend: 'logs stored' },
          ],
        },
        {
          title: 'Hub rejected and shed',
          description:
            'Items the hub rejected (by reason) and OTLP requests it refused with 429/503 because its queue was full.',
          type: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: `sum by (reason) (rate(hub_spans_rejected_total[${RATE}]))`,
              legend: 'spans rejected {{reason}}',
            },
            {
              expr: `sum by (reason) (rate(hub_logs_rejected_total[${RATE}]))`,
              legend: 'logs rejected {{reason}}',
            },
            {
              expr: `sum by (status) (rate(hub_ingest_shed_total[${RATE}]))`,
              legend: 'requests shed {{status}}',
            },
          ],
        },
        {
          title: 'Hub ingest queue',
          description: 'Spans and log records waiting for the hub’s writer.',
          type: 'timeseries',
          unit: 'short',
          queries: [{ expr: 'hub_ingest_queue_size', legend: 'queued' }],
        },
      ],
    },
    {
      title: 'Metrics and alerting',
      panels: [
        {
          title: 'Scrape duration',
          description: 'How long each scrape took; approaching the scrape timeout means lost samples.',
          type: 'timeseries',
          unit: 's',
          queries: [{ expr: 'scrape_duration_seconds', legend: '{{job}} {{service}}' }],
        },
        {
          title: 'Samples ingested',
          description: 'Samples Prometheus appends per second.',
          type: 'timeseries',
          unit: 'short',
          queries: [
            {
              // Prometheus 2.42 counts float and native-histogram samples apart (label type).
              expr: `rate(prometheus_tsdb_head_samples_appended_total[${RATE}])`,
              legend: '{{type}} samples/s',
            },
          ],
        },
        {
          title: 'Rule evaluation failures',
          description: 'Failed rule evaluations per second by group (PrometheusRuleEvaluationFailures).',
          type: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: `sum by (rule_group) (rate(prometheus_rule_evaluation_failures_total[${RATE}]))`,
              legend: '{{rule_group}}',
            },
          ],
        },
        {
          title: 'Alert notifications',
          description:
            'Notifications Alertmanager sent and failed to send, per integration (AlertmanagerNotificationsFailing).',
          type: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: `sum by (integration) (rate(alertmanager_notifications_total[${RATE}]))`,
              legend: '{{integration}} sent',
            },
            {
              expr: `sum by (integration) (rate(alertmanager_notifications_failed_total[${RATE}]))`,
              legend: '{{integration}} failed',
            },
          ],
        },
      ],
    },
  ],
};
