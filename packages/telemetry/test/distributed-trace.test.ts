import { waitFor } from '@vigil/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureProcess, startFixture } from './support/fixture-process.ts';
import { SPAN_KIND } from './support/otlp-decode.ts';
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver.ts';

let receiver: OtlpReceiver;
let upstream: FixtureProcess;
let downstream: FixtureProcess;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  downstream = await startFixture({ FIXTURE_SERVICE: 'svc-b', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
  upstream = await startFixture({
    FIXTURE_SERVICE: 'svc-a',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    DOWNSTREAM_URL: downstream.url,
  });
});

afterAll(async () => {
  await Promise.all([upstream?.stop(), downstream?.stop()]);
  await receiver?.close();
});

describe('a request crossing two real processes', () => {
  it('yields one trace: A server → A client → B server, and both services log that trace id', async () => {
    const response = await fetch(`${upstream.url}/call?card=4111111111111111&access_token=abc&q=ok&sig=s1`, {
      headers: { 'user-agent': 'vigil-test/1.0' },
    });
    expect(response.status).toBe(200);
    const traceId = response.headers.get('x-trace-id') ?? '';
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const body = (await response.json()) as { trace_id: string; downstream: { trace_id: string } };
    expect(body.trace_id).toBe(traceId);
    expect(body.downstream.trace_id).toBe(traceId);

    const spans = await waitFor(
      () => {
        const inTrace = receiver.spans.filter((s) => s.traceId === traceId);
        return inTrace.length >= 3 ? inTrace : undefined;
      },
      { timeoutMs: 15_000, description: 'three spans of the trace' },
    );
    const aServer = spans.find((s) => s.service === 'svc-a' && s.kind === SPAN_KIND.SERVER);
    const aClient = spans.find((s) => s.service === 'svc-a' && s.kind === SPAN_KIND.CLIENT);
    const bServer = spans.find((s) => s.service === 'svc-b' && s.kind === SPAN_KIND.SERVER);
    expect(aServer?.name).toBe('GET /call');
    expect(aServer?.parentSpanId).toBeUndefined();
    expect(aClient?.parentSpanId).toBe(aServer?.spanId);
    expect(bServer?.name).toBe('GET /items/:id');
    expect(bServer?.parentSpanId).toBe(aClient?.spanId);
    expect(bServer?.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/items/:id',
      'url.path': '/items/42',
      'http.response.status_code': 200,
    });
    // Stable HTTP server semantic conventions, url.query redacted like log text.
    const upstreamPort = Number(new URL(upstream.url).port);
    expect(aServer?.attributes).toMatchObject({
      'url.scheme': 'http',
      'url.path': '/call',
      'url.query': 'card=[REDACTED:card]&access_token=[REDACTED]&q=ok&sig=[REDACTED]',
      'server.address': '127.0.0.1',
      'server.port': upstreamPort,
      'client.address': '127.0.0.1',
      'user_agent.original': 'vigil-test/1.0',
      'network.protocol.version': '1.1',
    });
    expect(aServer?.attributes['error.type']).toBeUndefined();
    // One clock per process for the hand-made server span and the SDK's client span: the child
    // starts no earlier than its parent and ends no later.
    expect(BigInt(aClient!.startNs) >= BigInt(aServer!.startNs)).toBe(true);
    expect(BigInt(aClient!.endNs) <= BigInt(aServer!.endNs)).toBe(true);
    expect(aServer?.resource).toMatchObject({
      'service.name': 'svc-a',
      'service.version': '0.0.1',
      'deployment.environment': 'local',
    });
    expect(String(aServer?.resource['service.instance.id'])).toMatch(/^[0-9a-f-]{36}$/);

    // JSON log lines on stdout: both processes, carrying the trace id, and the span id of their server span.
    const aLines = await waitFor(
      () => {
        const lines = upstream.logs.filter((l) => l.trace_id === traceId);
        return lines.some((l) => l.event === 'http_request') ? lines : undefined;
      },
      { description: 'upstream request log' },
    );
    const bLines = await waitFor(
      () => {
        const lines = downstream.logs.filter((l) => l.trace_id === traceId);
        return lines.some((l) => l.event === 'http_request') ? lines : undefined;
      },
      { description: 'downstream request log' },
    );
    expect(aLines.find((l) => l.msg === 'downstream answered')).toMatchObject({
      service: 'svc-a',
      span_id: aServer?.spanId,
    });
    expect(bLines.find((l) => l.msg === 'item served')).toMatchObject({
      service: 'svc-b',
      span_id: bServer?.spanId,
    });
    expect(bLines.find((l) => l.event === 'http_request')).toMatchObject({
      route: '/items/:id',
      status: 200,
      method: 'GET',
    });

    // The same records exported as OTLP logs, linked to the trace.
    await waitFor(
      () =>
        receiver.logs.some((l) => l.service === 'svc-a' && l.traceId === traceId) &&
        receiver.logs.some((l) => l.service === 'svc-b' && l.traceId === traceId && l.body === 'item served'),
      { timeoutMs: 15_000, description: 'OTLP log records of both services' },
    );
  });

  it('marks 5xx server spans as errors with a redacted exception event', async () => {
    const response = await fetch(`${downstream.url}/fail`);
    expect(response.status).toBe(500);
    const traceId = response.headers.get('x-trace-id');
    const span = await waitFor(() => receiver.spans.find((s) => s.traceId === traceId), {
      timeoutMs: 15_000,
      description: 'error span',
    });
    expect(span.statusCode).toBe(2);
    // Stable HTTP semconv: error.type on a 5xx, the exception's class when one caused it.
    expect(span.attributes['error.type']).toBe('Error');
    expect(span.attributes['http.response.status_code']).toBe(500);
    const exception = span.events.find((e) => e.name === 'exception');
    expect(exception?.attributes).toMatchObject({
      'exception.type': 'Error',
      'exception.message': 'boom for card [REDACTED:card]',
    });
    expect(JSON.stringify(receiver.spans.filter((s) => s.traceId === traceId))).not.toContain('4111 1111');
  });

  it('continues a trace from an incoming traceparent and redacts request bodies in exported logs', async () => {
    const parentTrace = '0af7651916cd43dd8448eb211c80319c';
    const response = await fetch(`${downstream.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${parentTrace}-b7ad6b7169203331-01` },
      body: JSON.stringify({ card: '4111111111111111', cvv: '123', email: 'john@example.com' }),
    });
    expect(response.headers.get('x-trace-id')).toBe(parentTrace);
    expect(((await response.json()) as { trace_id: string }).trace_id).toBe(parentTrace);
    const span = await waitFor(() => receiver.spans.find((s) => s.traceId === parentTrace), {
      timeoutMs: 15_000,
      description: 'span',
    });
    expect(span.parentSpanId).toBe('b7ad6b7169203331');
    const record = await waitFor(
      () => receiver.logs.find((l) => l.traceId === parentTrace && l.body === 'echo received'),
      { timeoutMs: 15_000, description: 'echo log record' },
    );
    const exported = JSON.stringify(record);
    expect(exported).not.toContain('4111111111111111');
    expect(exported).not.toContain('john@');
    const line = downstream.logs.find((l) => l.trace_id === parentTrace && l.msg === 'echo received');
    expect(JSON.stringify(line)).not.toContain('4111111111111111');
  });
});
