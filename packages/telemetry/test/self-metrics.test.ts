import { Writable } from 'node:stream';
import { waitFor } from '@vigil/service-kit/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createTelemetry, type Telemetry } from '../src/index.ts';
import { closedPort, type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver.ts';

const started: Telemetry[] = [];
let receiver: OtlpReceiver | undefined;
afterAll(async () => {
  await Promise.all(started.map((t) => t.shutdown()));
  await receiver?.close();
});

function sample(body: string, name: string, labels: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}
const scrape = (telemetry: Telemetry) => telemetry.registry.metrics();

function telemetryAt(endpoint: string, service: string): Telemetry {
  const telemetry = createTelemetry({
    service,
    version: '1',
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, LOG_LEVEL: 'info' },
    logDestination: new Writable({ write: (_chunk, _encoding, callback) => callback() }),
    shutdownTimeoutMs: 1000,
  });
  started.push(telemetry);
  return telemetry;
}

describe('self-metrics', () => {
  it('count spans and log records dropped when the collector is down, and the host keeps going', async () => {
    const port = await closedPort();
    const telemetry = telemetryAt(`http://127.0.0.1:${port}`, 'down-collector');
    for (let i = 0; i < 20; i++) telemetry.tracer.startSpan(`work-${i}`).end();
    telemetry.logger.info('a record the collector will never see');
    await telemetry.flush(); // resolves (never rejects) even though every export fails
    const body = await waitFor(
      async () => {
        const text = await scrape(telemetry);
        return (sample(text, 'telemetry_spans_total', 'outcome="dropped"') ?? 0) >= 20 ? text : undefined;
      },
      { timeoutMs: 15_000, description: 'dropped spans to be counted' },
    );
    expect(sample(body, 'telemetry_spans_total', 'outcome="exported"')).toBe(0);
    expect(sample(body, 'telemetry_export_failures_total', 'signal="traces"')).toBeGreaterThanOrEqual(1);
    await waitFor(
      async () =>
        (sample(await scrape(telemetry), 'telemetry_log_records_total', 'outcome="dropped"') ?? 0) >= 1,
      {
        timeoutMs: 15_000,
        description: 'dropped log records to be counted',
      },
    );
  });

  it('count queue overflow as dropped without throwing', async () => {
    const port = await closedPort();
    const telemetry = telemetryAt(`http://127.0.0.1:${port}`, 'overflow');
    // The export worker's queue holds 4096 spans and one batch of 512 is in flight: the rest overflow.
    for (let i = 0; i < 6000; i++) telemetry.tracer.startSpan('burst').end();
    // Handed over, not yet taken: the queue gauge shows them at once.
    expect(
      sample(await scrape(telemetry), 'telemetry_span_queue_size', 'service="overflow"'),
    ).toBeGreaterThan(0);
    // The worker counts the overflow (and the failed exports) as it takes the batches.
    await waitFor(
      async () =>
        (sample(await scrape(telemetry), 'telemetry_spans_total', 'outcome="dropped"') ?? 0) >=
        6000 - 4096 - 512,
      { timeoutMs: 15_000, description: 'overflowed spans to be counted as dropped' },
    );
  });

  it('count exported spans and log records when the collector is up', async () => {
    receiver = await startOtlpReceiver();
    const telemetry = telemetryAt(receiver.url, 'collector-up');
    for (let i = 0; i < 7; i++) telemetry.tracer.startSpan('ok').end();
    telemetry.logger.warn('exported record');
    await telemetry.flush();
    const body = await scrape(telemetry);
    expect(sample(body, 'telemetry_spans_total', 'outcome="exported"')).toBe(7);
    expect(sample(body, 'telemetry_spans_total', 'outcome="dropped"')).toBe(0);
    expect(sample(body, 'telemetry_log_records_total', 'outcome="exported"')).toBeGreaterThanOrEqual(1);
    expect(sample(body, 'telemetry_span_queue_size', 'service="collector-up"')).toBe(0);
    expect(receiver.spans.filter((s) => s.service === 'collector-up')).toHaveLength(7);
    expect(receiver.logs.some((l) => l.body === 'exported record' && l.severityText === 'WARN')).toBe(true);
  });
});
