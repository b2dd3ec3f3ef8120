import { waitFor } from '@vigil/service-kit/testing';
import Fastify, { LogController } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { createTelemetry } from '../src/index.ts';
import { type FixtureProcess, startFixture } from './support/fixture-process.ts';
import { closedPort } from './support/otlp-receiver.ts';

const services: FixtureProcess[] = [];
afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
});

describe('bad configuration never reaches the host', () => {
  it('falls back from a bad sampler, bad endpoint and bad levels, warning once each', () => {
    const telemetry = createTelemetry({
      service: 'bad-config',
      version: '1',
      env: {
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: 'banana',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url',
        LOG_LEVEL: 'loud',
        VIGIL_TELEMETRY: 'maybe',
        OTEL_RESOURCE_ATTRIBUTES: 'team=checkout,broken,region=eu%2Dwest',
      },
    });
    expect(telemetry.config).toMatchObject({
      enabled: true,
      logLevel: 'info',
      tracesEndpoint: undefined,
      logsEndpoint: undefined,
      sampler: { root: 'traceidratio', parentBased: true, ratio: 1 },
      resourceAttributes: { team: 'checkout', region: 'eu-west' },
    });
    expect(telemetry.config.warnings).toHaveLength(6);
    expect(
      createTelemetry({ service: 'x', version: '1', env: { OTEL_TRACES_SAMPLER: 'nonsense' } }).config
        .sampler,
    ).toEqual({
      root: 'always_on',
      parentBased: true,
      ratio: 1,
    });
  });

  it('a real service with bad values and a dead collector keeps serving and warns once', async () => {
    const port = await closedPort();
    const service = await startFixture({
      FIXTURE_SERVICE: 'never-throws',
      OTEL_TRACES_SAMPLER: 'traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '7',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://nope',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
    });
    services.push(service);
    for (let i = 0; i < 30; i++) {
      const response = await fetch(`${service.url}/items/${i}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-trace-id')).toMatch(/^[0-9a-f]{32}$/);
    }
    const warnings = () => service.logs.filter((l) => l.event === 'telemetry_warning');
    expect(warnings().map((w) => w.msg)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('OTEL_TRACES_SAMPLER_ARG "7"'),
        expect.stringContaining('ftp://nope'),
      ]),
    );
    // Logs still go to the (dead) collector: its failure is warned about exactly once, then only counted.
    await waitFor(() => warnings().some((w) => w.key === 'export-logs'), {
      timeoutMs: 15_000,
      description: 'export warning',
    });
    for (let i = 0; i < 10; i++) expect((await fetch(`${service.url}/items/again-${i}`)).status).toBe(200);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/telemetry_log_records_total\{service="never-throws",outcome="dropped"\} [1-9]/);
    expect(warnings().filter((w) => w.key === 'export-logs')).toHaveLength(1);
  });
});

describe('VIGIL_TELEMETRY=off', () => {
  it('creates no spans, RED metrics or request logs, but keeps /metrics, /health and the logger', async () => {
    const lines: string[] = [];
    const telemetry = createTelemetry({
      service: 'off-test',
      version: '1',
      env: { VIGIL_TELEMETRY: 'off' },
      logDestination: { write: (line: string) => lines.push(line) },
    });
    const app = Fastify({
      loggerInstance: telemetry.logger,
      logController: new LogController({ disableRequestLogging: true }),
    });
    await app.register(telemetry.plugin);
    app.get('/things/:id', async () => ({ trace: telemetry.traceId() ?? null }));
    const response = await app.inject({ url: '/things/1' });
    expect(response.json()).toEqual({ trace: null });
    expect(response.headers['x-trace-id']).toBeUndefined();
    const metrics = await app.inject({ url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).not.toContain('http_requests_total{');
    expect(metrics.body).toContain('nodejs_heap_size_used_bytes');
    expect((await app.inject({ url: '/health/ready' })).statusCode).toBe(200);
    telemetry.logger.info('still logging');
    expect(lines.some((l) => l.includes('still logging'))).toBe(true);
    expect(lines.some((l) => l.includes('request completed'))).toBe(false);
    await app.close();
  });
});
