import type { DashboardSpec } from './dashboard-spec.ts';
import { errorRatio, latencyQuantile, RATE, requestRate, SERVICE, USER_TRAFFIC } from './promql.ts';

export const serviceOverview: DashboardSpec = {
  uid: 'vigil-service-overview',
  title: 'Vigil / Service Overview',
  description: 'RED metrics (rate, errors, duration) and runtime health of every Vigil service.',
  tags: ['vigil', 'red'],
  serviceVariable: true,
  sections: [
    {
      title: 'Availability',
      panels: [
        {
          title: 'Up',
          description:
            'Whether Prometheus could scrape each service on its last attempt (1 = up). ServiceDown fires after 1 minute at 0.',
          type: 'stat',
          unit: 'none',
          width: 12,
          queries: [{ expr: `up{job=~"vigil-services|hub", ${SERVICE}}`, legend: '{{service}}' }],
          valueText: { '0': { text: 'DOWN', color: 'red' }, '1': { text: 'UP', color: 'green' } },
        },
        {
          title: 'Request rate (all selected)',
          description:
            'User requests per second across the selected services (scrapes and health probes excluded).',
          type: 'stat',
          unit: 'reqps',
          queries: [{ expr: `sum(rate(http_requests_total{${USER_TRAFFIC}}[${RATE}]))` }],
        },
        {
          title: 'Error ratio (all selected)',
          description: 'Share of user requests answered with a 5xx across the selected services.',
          type: 'stat',
          unit: 'percentunit',
          queries: [
            {
              expr: `(sum(rate(http_requests_total{${USER_TRAFFIC}, status=~"5.."}[${RATE}])) or vector(0)) / sum(rate(http_requests_total{${USER_TRAFFIC}}[${RATE}]))`,
            },
          ],
          thresholds: [
            { value: null, color: 'green' },
            { value: 0.01, color: 'orange' },
            { value: 0.05, color: 'red' },
          ],
        },
      ],
    },
    {
      title: 'Traffic and errors',
      panels: [
        {
          title: 'Request rate',
          description: 'User requests per second per service.',
          type: 'timeseries',
          unit: 'reqps',
          queries: [{ expr: requestRate(), legend: '{{service}}' }],
        },
        {
          title: 'Error ratio',
          description:
            'Per service: 5xx responses divided by all responses, both summed over routes and instances before dividing. HighErrorRate fires above 5% for 5 minutes.',
          type: 'timeseries',
          unit: 'percentunit',
          min: 0,
          queries: [{ expr: errorRatio(), legend: '{{service}}' }],
          thresholds: [
            { value: null, color: 'green' },
            { value: 0.05, color: 'red' },
          ],
        },
        {
          title: 'Requests by status',
          description:
            'Requests per second per service and status code; a sudden 4xx rise often means a bad client deploy.',
          type: 'timeseries',
          unit: 'reqps',
          queries: [
            {
              expr: `sum by (service, status) (rate(http_requests_total{${USER_TRAFFIC}}[${RATE}]))`,
              legend: '{{service}} {{status}}',
            },
          ],
        },
        {
          title: 'Busiest routes',
          description: 'The ten route templates with the most requests per second.',
          type: 'timeseries',
          unit: 'reqps',
          queries: [
            {
              expr: `topk(10, sum by (service, method, route) (rate(http_requests_total{${USER_TRAFFIC}}[${RATE}])))`,
              legend: '{{service}} {{method}} {{route}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Latency',
      panels: [
        {
          title: 'Latency p50 / p95 / p99',
          description:
            'Quantiles per service from histogram buckets summed over routes and instances. The dots are exemplars: click one to open its trace. HighLatency fires when p95 stays above 500 ms.',
          type: 'timeseries',
          unit: 's',
          width: 24,
          exemplars: true,
          queries: [
            { expr: latencyQuantile(0.5), legend: '{{service}} p50' },
            { expr: latencyQuantile(0.95), legend: '{{service}} p95' },
            { expr: latencyQuantile(0.99), legend: '{{service}} p99' },
          ],
        },
      ],
    },
    {
      // `vigil load run` (job vigil-load): the load the generator offers, next to the RED metrics
      // above. Empty between runs.
      title: 'Load generator (vigil load)',
      panels: [
        {
          title: 'Load offered and achieved',
          description:
            'Iterations per second the load schedule asked for, responses per second it got back, and iterations in flight. Empty unless `vigil load run` is running.',
          type: 'timeseries',
          unit: 'reqps',
          queries: [
            { expr: 'sum by (scenario) (vigil_load_offered_rate)', legend: '{{scenario}} offered' },
            { expr: 'sum by (scenario) (vigil_load_achieved_rate)', legend: '{{scenario}} achieved' },
            { expr: 'sum by (scenario) (vigil_load_in_flight)', legend: '{{scenario}} in flight' },
          ],
        },
        {
          title: 'Load generator latency p99 by step',
          description:
            'p99 per journey step as the load generator sees it, from the scheduled send time (coordinated omission included), over the last second.',
          type: 'timeseries',
          unit: 's',
          queries: [{ expr: 'vigil_load_latency_seconds{quantile="0.99"}', legend: '{{step}}' }],
        },
      ],
    },
    {
      title: 'Runtime',
      panels: [
        {
          title: 'Event loop lag p99',
          description:
            'How long callbacks waited for the event loop (p99). Sustained values above 100 ms fire EventLoopLagHigh.',
          type: 'timeseries',
          unit: 's',
          queries: [
            { expr: `nodejs_eventloop_lag_p99_seconds{${SERVICE}}`, legend: '{{service}} {{instance}}' },
          ],
        },
        {
          title: 'Resident memory',
          description: 'Process resident set size. Steady growth under steady load is a leak (MemoryGrowth).',
          type: 'timeseries',
          unit: 'bytes',
          queries: [
            { expr: `process_resident_memory_bytes{${SERVICE}}`, legend: '{{service}} {{instance}}' },
          ],
        },
        {
          title: 'CPU',
          description: 'CPU seconds used per second (1 = one full core).',
          type: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: `rate(process_cpu_seconds_total{${SERVICE}}[${RATE}])`,
              legend: '{{service}} {{instance}}',
            },
          ],
        },
        {
          title: 'Injected faults',
          description:
            'Faults currently injected through the admin API (chaos experiments); anything here explains odd behaviour.',
          type: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: `sum by (service, kind) (fault_injection_active{${SERVICE}})`,
              legend: '{{service}} {{kind}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Host and processes (node-exporter, process-exporter)',
      panels: [
        {
          title: 'Host CPU',
          description:
            'Share of the host CPU busy, by mode (node-exporter, job "node"). Near 100% everything slows down, whatever the service.',
          type: 'timeseries',
          unit: 'percentunit',
          min: 0,
          queries: [
            {
              expr: `sum by (mode) (rate(node_cpu_seconds_total{job="node", mode!="idle"}[${RATE}])) / scalar(count(node_cpu_seconds_total{job="node", mode="idle"}))`,
              legend: '{{mode}}',
            },
          ],
        },
        {
          title: 'Host memory available',
          description: 'Memory the host can still give to processes (MemAvailable) against its total.',
          type: 'timeseries',
          unit: 'bytes',
          min: 0,
          queries: [
            { expr: 'node_memory_MemAvailable_bytes{job="node"}', legend: 'available' },
            { expr: 'node_memory_MemTotal_bytes{job="node"}', legend: 'total' },
          ],
        },
        {
          title: 'Disk space free',
          description:
            'Free share of each real filesystem. HostDiskFillingUp fires under 15% when the last 6 hours say it will be full within a day.',
          type: 'timeseries',
          unit: 'percentunit',
          min: 0,
          queries: [
            {
              expr: 'node_filesystem_avail_bytes{job="node", fstype!~"tmpfs|ramfs|squashfs|overlay|nsfs|fuse.*"} / node_filesystem_size_bytes{job="node", fstype!~"tmpfs|ramfs|squashfs|overlay|nsfs|fuse.*"}',
              legend: '{{mountpoint}}',
            },
          ],
        },
        {
          title: 'Process CPU (every local process)',
          description:
            'CPU seconds per second of each process of the local stack, Prometheus and Alertmanager included (process-exporter, one group per component).',
          type: 'timeseries',
          unit: 'percentunit',
          min: 0,
          queries: [
            {
              expr: `sum by (groupname) (rate(namedprocess_namegroup_cpu_seconds_total{job="process"}[${RATE}]))`,
              legend: '{{groupname}}',
            },
          ],
        },
        {
          title: 'Process resident memory (every local process)',
          description: 'Resident memory of each process group of the local stack (process-exporter).',
          type: 'timeseries',
          unit: 'bytes',
          min: 0,
          queries: [
            {
              expr: 'namedprocess_namegroup_memory_bytes{job="process", memtype="resident"}',
              legend: '{{groupname}}',
            },
          ],
        },
        {
          title: 'Heap used / heap limit',
          description:
            'JavaScript heap in use against the V8 limit of each Node process (nodejs_heap_size_limit_bytes). ProcessNearMemoryLimit fires above 90% for 5 minutes; at 100% the process crashes.',
          type: 'timeseries',
          unit: 'percentunit',
          min: 0,
          queries: [
            {
              expr: `nodejs_heap_size_used_bytes{${SERVICE}} / nodejs_heap_size_limit_bytes{${SERVICE}}`,
              legend: '{{service}} {{instance}}',
            },
          ],
        },
      ],
    },
  ],
};
