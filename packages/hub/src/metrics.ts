import { createRegistry, RedMetrics } from '@vigil/telemetry/metrics';
import { Counter, Gauge } from 'prom-client';
import { LOG_REJECT_REASONS } from './otlp/normalize-logs.ts';
import { SPAN_REJECT_REASONS } from './otlp/normalize-traces.ts';

/** Statuses an OTLP request is shed with (queue full, stopping or store failing). */
const SHED_STATUSES = ['429', '503'] as const;

/** Each known label value at 0, so the first event is an increase rate() sees (a series born at 1 loses it). */
function atZero<L extends string>(counter: Counter<L>, label: L, values: readonly string[]): Counter<L> {
  for (const value of values) counter.inc({ [label]: value } as Partial<Record<L, string>>, 0);
  return counter;
}

/** The hub's self-telemetry, on a registry of its own so several hubs can live in one test process. */
export function createHubMetrics(sample: { queueSize: () => number; dbBytes: () => number }) {
  // The services' registry (process metrics without the *_total gauges promtool flags) and RED metrics.
  const registry = createRegistry();
  registry.setDefaultLabels({ service: 'hub' });
  const metrics = {
    registry,
    red: new RedMetrics('hub', registry),
    spansReceived: new Counter({
      name: 'hub_spans_received_total',
      help: 'Spans received over OTLP',
      registers: [registry],
    }),
    spansStored: new Counter({
      name: 'hub_spans_stored_total',
      help: 'Spans committed to the store',
      registers: [registry],
    }),
    spansRejected: atZero(
      new Counter({
        name: 'hub_spans_rejected_total',
        help: 'Spans rejected (invalid items, or whole requests refused)',
        labelNames: ['reason'],
        registers: [registry],
      }),
      'reason',
      SPAN_REJECT_REASONS,
    ),
    logsReceived: new Counter({
      name: 'hub_logs_received_total',
      help: 'Log records received over OTLP',
      registers: [registry],
    }),
    logsStored: new Counter({
      name: 'hub_logs_stored_total',
      help: 'Log records committed to the store',
      registers: [registry],
    }),
    logsRejected: atZero(
      new Counter({
        name: 'hub_logs_rejected_total',
        help: 'Log records rejected',
        labelNames: ['reason'],
        registers: [registry],
      }),
      'reason',
      LOG_REJECT_REASONS,
    ),
    shed: atZero(
      new Counter({
        name: 'hub_ingest_shed_total',
        help: 'OTLP requests refused with 429/503 because the ingest queue was full or the hub was stopping',
        labelNames: ['status'],
        registers: [registry],
      }),
      'status',
      SHED_STATUSES,
    ),
    streamsRejected: new Counter({
      name: 'hub_log_streams_rejected_total',
      help: 'Live-tail (SSE) streams refused with 429 because VIGIL_HUB_MAX_STREAMS were open',
      registers: [registry],
    }),
    streamsDisconnected: new Counter({
      name: 'hub_log_streams_disconnected_total',
      help: 'Live-tail (SSE) streams the hub closed, by reason (slow_reader: more than VIGIL_HUB_STREAM_MAX_BUFFER_BYTES unread)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    streamsOpen: new Gauge({
      name: 'hub_log_streams_open',
      help: 'Live-tail (SSE) streams open now',
      registers: [registry],
    }),
    retentionDeleted: new Counter({
      name: 'hub_retention_deleted_total',
      help: 'Rows deleted by retention',
      labelNames: ['table'],
      registers: [registry],
    }),
  };
  new Gauge({
    name: 'hub_ingest_queue_size',
    help: 'Spans and log records waiting for the writer',
    registers: [registry],
    collect() {
      this.set(sample.queueSize());
    },
  });
  new Gauge({
    name: 'hub_db_size_bytes',
    help: 'Size of the hub database file and its WAL',
    registers: [registry],
    collect() {
      this.set(sample.dbBytes());
    },
  });
  return metrics;
}

export type HubMetrics = ReturnType<typeof createHubMetrics>;
