import { Counter, Gauge, type Registry } from 'prom-client';
import type { ExportAccounting } from './export-accounting.ts';

export interface SelfMetricsSources {
  spans: ExportAccounting;
  logs: ExportAccounting;
  /** JSON log lines the stdout buffer had to drop (destination too slow). */
  logLinesDropped: () => number;
}

/** Telemetry about telemetry: loss is counted, never silent (TelemetryDropping alerts on outcome="dropped"). */
export function registerSelfMetrics(registry: Registry, service: string, sources: SelfMetricsSources): void {
  const { spans, logs } = sources;
  new Counter({
    name: 'telemetry_spans_total',
    help: 'Sampled spans handed to the exporter, by outcome (dropped = export failed or queue full).',
    labelNames: ['service', 'outcome'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ service, outcome: 'exported' }, spans.exported);
      this.inc({ service, outcome: 'dropped' }, spans.dropped());
    },
  });
  new Gauge({
    name: 'telemetry_span_queue_size',
    help: 'Spans waiting in the batch queue for export.',
    labelNames: ['service'],
    registers: [registry],
    collect() {
      this.set({ service }, spans.queued() + spans.inFlight);
    },
  });
  new Counter({
    name: 'telemetry_log_records_total',
    help: 'OTLP log records handed to the exporter, by outcome (dropped = export failed or queue full).',
    labelNames: ['service', 'outcome'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ service, outcome: 'exported' }, logs.exported);
      this.inc({ service, outcome: 'dropped' }, logs.dropped());
    },
  });
  new Gauge({
    name: 'telemetry_log_queue_size',
    help: 'OTLP log records waiting in the batch queue for export.',
    labelNames: ['service'],
    registers: [registry],
    collect() {
      this.set({ service }, logs.queued() + logs.inFlight);
    },
  });
  new Counter({
    name: 'telemetry_export_failures_total',
    help: 'OTLP export requests (batches) that failed, by signal.',
    labelNames: ['service', 'signal'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ service, signal: 'traces' }, spans.failedBatches);
      this.inc({ service, signal: 'logs' }, logs.failedBatches);
    },
  });
  new Counter({
    name: 'telemetry_log_lines_dropped_total',
    help: 'JSON log lines dropped because the stdout buffer was full.',
    labelNames: ['service'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ service }, sources.logLinesDropped());
    },
  });
}
