import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelemetry, type Telemetry } from '../src/index.ts';

let telemetry: Telemetry;
let app: FastifyInstance;

beforeAll(async () => {
  telemetry = createTelemetry({ service: 'metrics-test', version: '1', env: { LOG_LEVEL: 'silent' } });
  app = Fastify({
    loggerInstance: telemetry.logger,
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  await app.register(telemetry.plugin);
  const orders = telemetry.counter({
    name: 'test_orders_created_total',
    help: 'Orders.',
    labelNames: ['segment'],
  });
  const value = telemetry.histogram({
    name: 'test_order_value_dollars',
    help: 'Value.',
    buckets: [10, 50, 100],
  });
  app.get('/products/:id', async (request) => {
    orders.inc({ segment: 'premium' });
    value.observe({}, 42.5);
    return { id: (request.params as { id: string }).id };
  });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await telemetry.shutdown();
});

const scrape = async (accept?: string) => {
  const response = await app.inject({ url: '/metrics', headers: accept ? { accept } : {} });
  return { type: String(response.headers['content-type']), body: response.body };
};
const OPENMETRICS = 'application/openmetrics-text; version=1.0.0,text/plain;version=0.0.4;q=0.5';
const seriesOf = (body: string, name: string) =>
  body.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));

describe('RED metrics', () => {
  it('label route with the template: 10,000 distinct ids make one series; unknown paths share "unmatched"', async () => {
    for (let i = 0; i < 10_000; i++) {
      const response = await app.inject({ url: `/products/${i}-${Math.random().toString(36).slice(2)}` });
      expect(response.statusCode).toBe(200);
    }
    for (let i = 0; i < 50; i++) expect((await app.inject({ url: `/nope/${i}` })).statusCode).toBe(404);
    const { body } = await scrape();
    const requests = seriesOf(body, 'http_requests_total');
    expect(requests).toContain(
      'http_requests_total{service="metrics-test",method="GET",route="/products/:id",status="200"} 10000',
    );
    expect(requests).toContain(
      'http_requests_total{service="metrics-test",method="GET",route="unmatched",status="404"} 50',
    );
    // The route's 500 and 503 exist from start-up at 0 (createStartupSeries); nothing else.
    for (const status of [500, 503])
      expect(requests).toContain(
        `http_requests_total{service="metrics-test",method="GET",route="/products/:id",status="${status}"} 0`,
      );
    expect(requests).toHaveLength(4);
    const counts = seriesOf(body, 'http_request_duration_seconds_count');
    expect(counts).toHaveLength(4);
    expect(body).not.toMatch(/route="\/products\/\d/);
  });

  it('do not count /metrics and /health scrapes', async () => {
    await app.inject({ url: '/health/ready' });
    await app.inject({ url: '/health/live' });
    const { body } = await scrape();
    expect(body).not.toContain('route="/metrics"');
    expect(body).not.toContain('route="/health');
  });
});

describe('exposition formats', () => {
  it('serves OpenMetrics with exemplars carrying the request trace id when the scraper asks', async () => {
    const response = await app.inject({ url: '/products/exemplar-1' });
    const traceId = String(response.headers['x-trace-id']);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const { type, body } = await scrape(OPENMETRICS);
    expect(type).toContain('application/openmetrics-text');
    expect(body.trimEnd().endsWith('# EOF')).toBe(true);
    const exemplarOf = (prefix: string) =>
      body.split('\n').find((line) => line.startsWith(prefix) && line.includes(`# {trace_id="${traceId}"}`));
    expect(exemplarOf('http_request_duration_seconds_bucket{')).toBeDefined();
    expect(exemplarOf('http_requests_total{')).toBeDefined();
    expect(exemplarOf('test_orders_created_total{segment="premium"}')).toBeDefined();
    expect(exemplarOf('test_order_value_dollars_bucket{le="50"}')).toBeDefined();
  });

  it('serves Prometheus text 0.0.4 otherwise: no exemplars, and counter names keep _total after an OpenMetrics scrape', async () => {
    await scrape(OPENMETRICS);
    const { type, body } = await scrape();
    expect(type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(body).not.toContain('# {trace_id=');
    expect(body).not.toContain('# EOF');
    expect(body).toContain('# TYPE http_requests_total counter');
    expect(body).toContain('# TYPE test_orders_created_total counter');
    expect(body).toContain('# TYPE process_cpu_user_seconds_total counter');
  });

  it('includes runtime metrics: event-loop lag, heap and GC', async () => {
    const { body } = await scrape();
    for (const name of [
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_gc_duration_seconds',
    ]) {
      expect(body).toContain(`# TYPE ${name}`);
    }
  });
});

describe('health endpoints', () => {
  it('live is 200; ready runs checks and names the failing one with 503', async () => {
    expect((await app.inject({ url: '/health/live' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/health/ready' })).json()).toMatchObject({ status: 'ok' });
    telemetry.health.addCheck('database', () => {
      throw new Error('database is locked');
    });
    telemetry.health.addCheck('slow', () => new Promise(() => {}));
    try {
      for (const url of ['/health/ready', '/health']) {
        const response = await app.inject({ url });
        expect(response.statusCode).toBe(503);
        const body = response.json();
        expect(body.failing).toEqual(['database', 'slow']);
        expect(body.error.code).toBe('NOT_READY');
        expect(body.checks.find((c: { name: string }) => c.name === 'slow').error).toMatch(/timed out/);
      }
    } finally {
      telemetry.health.removeCheck('database');
      telemetry.health.removeCheck('slow');
    }
    expect((await app.inject({ url: '/health/ready' })).statusCode).toBe(200);
  });
});
