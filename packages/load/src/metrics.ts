import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';
import type { TimelinePoint } from './aggregate.ts';

/**
 * The generator's own /metrics while a run lasts (Prometheus scrapes it in local mode, job
 * `vigil-load`), so dashboards show the offered load next to the services' RED metrics.
 */
export class LoadMetrics {
  readonly registry = new Registry();
  private readonly offered: Gauge;
  private readonly achieved: Gauge;
  private readonly inFlight: Gauge;
  private readonly running: Gauge;
  private readonly latency: Gauge;
  private readonly requests: Counter;
  private readonly late: Counter;

  constructor(scenario: string) {
    this.registry.setDefaultLabels({ scenario });
    const registers = [this.registry];
    this.running = new Gauge({
      name: 'vigil_load_running',
      help: '1 while a load run is in progress.',
      registers,
    });
    this.offered = new Gauge({
      name: 'vigil_load_offered_rate',
      help: 'Iterations per second the schedule asked for in the last second (open model; closed model: started).',
      registers,
    });
    this.achieved = new Gauge({
      name: 'vigil_load_achieved_rate',
      help: 'Responses per second in the last second.',
      registers,
    });
    this.inFlight = new Gauge({ name: 'vigil_load_in_flight', help: 'Iterations in flight.', registers });
    this.latency = new Gauge({
      name: 'vigil_load_latency_seconds',
      help: 'Latency quantiles of the last second per step, from the scheduled send time.',
      labelNames: ['step', 'quantile'],
      registers,
    });
    this.requests = new Counter({
      name: 'vigil_load_requests_total',
      help: 'Requests sent by the load generator, by step and outcome (ok or error).',
      labelNames: ['step', 'outcome'],
      registers,
    });
    this.late = new Counter({
      name: 'vigil_load_late_sends_total',
      help: 'Open-model iterations dispatched more than 1 ms after their scheduled time.',
      registers,
    });
    this.running.set(1);
  }

  /** Called once per closed second. */
  update(point: TimelinePoint): void {
    this.offered.set(point.due > 0 ? point.due : point.iterations);
    this.achieved.set(point.requests);
    this.inFlight.set(point.inFlight);
    this.late.inc(point.late);
    for (const [step, s] of Object.entries(point.steps)) {
      this.requests.inc({ step, outcome: 'ok' }, s.requests - s.failed);
      if (s.failed > 0) this.requests.inc({ step, outcome: 'error' }, s.failed);
      this.latency.set({ step, quantile: '0.95' }, s.p95 / 1000);
      this.latency.set({ step, quantile: '0.99' }, s.p99 / 1000);
    }
  }

  finished(): void {
    this.running.set(0);
    this.inFlight.set(0);
  }
}

/** Serves `metrics` on host:port; port 0 picks a free one. Resolves to the bound server. */
export async function serveMetrics(metrics: LoadMetrics, port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/metrics' && req.method === 'GET') {
      metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          res.end(text);
        },
        () => {
          res.writeHead(500).end();
        },
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":{"code":"NOT_FOUND","message":"only GET /metrics"}}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

export function boundPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}
