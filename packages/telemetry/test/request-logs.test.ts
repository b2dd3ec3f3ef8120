import { waitFor } from '@vigil/service-kit/testing';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelemetry, type Telemetry } from '../src/index.ts';
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver.ts';

let receiver: OtlpReceiver;
const cleanups: Array<() => Promise<void>> = [];
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
  await receiver.close();
});

async function serviceWith(service: string, env: Record<string, string>) {
  const lines: string[] = [];
  const telemetry: Telemetry = createTelemetry({
    service,
    version: '1',
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, LOG_LEVEL: 'info', ...env },
    logDestination: { write: (line: string) => lines.push(line) },
    shutdownTimeoutMs: 1000,
  });
  const app = Fastify({
    loggerInstance: telemetry.logger,
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  await app.register(telemetry.plugin);
  app.get('/items/:id', async (request) => {
    request.log.info({ item_id: 'a"b' }, 'item served');
    return { ok: true };
  });
  await app.ready();
  cleanups.push(async () => {
    await app.close();
    await telemetry.shutdown();
  });
  const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { telemetry, app, parsed };
}

describe('request logs', () => {
  it('go to stdout as JSON lines and, by default, not over OTLP; app lines are still exported', async () => {
    const { telemetry, app, parsed } = await serviceWith('req-logs-default', {});
    const response = await app.inject({ url: '/items/7?x=1' });
    const traceId = response.headers['x-trace-id'];
    await app.inject({ url: '/nowhere' });
    await telemetry.flush();
    const request = parsed().find((l) => l.event === 'http_request' && l.trace_id === traceId);
    expect(request).toEqual({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      service: 'req-logs-default',
      trace_id: traceId,
      span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
      event: 'http_request',
      method: 'GET',
      route: '/items/:id',
      status: 200,
      duration_ms: expect.any(Number),
      msg: 'request completed',
    });
    expect(parsed().find((l) => l.event === 'http_request' && l.status === 404)).toMatchObject({
      route: 'unmatched',
      method: 'GET',
    });
    await waitFor(
      () => receiver.logs.some((l) => l.service === 'req-logs-default' && l.body === 'item served'),
      { timeoutMs: 10_000, description: 'the app log line over OTLP' },
    );
    const server = receiver.spans.find((s) => s.service === 'req-logs-default' && s.traceId === traceId);
    expect(server?.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/items/:id',
      'url.path': '/items/7',
      'http.response.status_code': 200,
    });
    expect(
      receiver.logs.filter((l) => l.service === 'req-logs-default' && l.body === 'request completed'),
    ).toEqual([]);
  });

  it('are exported over OTLP too with VIGIL_OTLP_REQUEST_LOGS=on', async () => {
    const { telemetry, app } = await serviceWith('req-logs-on', { VIGIL_OTLP_REQUEST_LOGS: 'on' });
    const response = await app.inject({ url: '/items/8' });
    await telemetry.flush();
    const record = await waitFor(
      () =>
        receiver.logs.find(
          (l) =>
            l.service === 'req-logs-on' &&
            l.body === 'request completed' &&
            l.traceId === response.headers['x-trace-id'],
        ),
      { timeoutMs: 10_000, description: 'the request log over OTLP' },
    );
    expect(record.attributes).toMatchObject({ event: 'http_request', route: '/items/:id', status: 200 });
  });
});
