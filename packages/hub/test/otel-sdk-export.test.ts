import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startTestHub, type TestHub, waitFor } from './helpers.ts';

// The OpenTelemetry SDK packages are resolved from the repository root so api, sdk and exporters
// are one consistent version set (packages/hub/node_modules pins older ones for the proto module).
const rootRequire = createRequire(new URL('../../../package.json', import.meta.url));
const api = rootRequire('@opentelemetry/api');
const { TracerProvider, SimpleSpanProcessor } = rootRequire('@opentelemetry/sdk-trace');
const { LoggerProvider, SimpleLogRecordProcessor } = rootRequire('@opentelemetry/sdk-logs');
const { OTLPTraceExporter } = rootRequire('@opentelemetry/exporter-trace-otlp-proto');
const { OTLPLogExporter } = rootRequire('@opentelemetry/exporter-logs-otlp-proto');
const { resourceFromAttributes } = rootRequire('@opentelemetry/resources');

const SERVICES = ['gateway', 'order-service', 'payment-service'] as const;

let t: TestHub;
const providers: { shutdown(): Promise<void> }[] = [];
let traceId = '';
const spanIds: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestHub();
  const tracers: Record<string, any> = {};
  const loggers: Record<string, any> = {};
  for (const service of SERVICES) {
    const resource = resourceFromAttributes({
      'service.name': service,
      'service.version': '1.2.3',
      'deployment.environment': 'test',
    });
    const tp = new TracerProvider({
      resource,
      spanProcessors: [
        new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${t.otlpUrl}/v1/traces` }) }),
      ],
    });
    const lp = new LoggerProvider({
      resource,
      processors: [
        new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${t.otlpUrl}/v1/logs` }) }),
      ],
    });
    providers.push(tp, lp);
    tracers[service] = tp.getTracer('hub-e2e', '0.0.1');
    loggers[service] = lp.getLogger('hub-e2e');
  }
  const { SpanKind, SpanStatusCode } = api;
  const ctxOf = (span: unknown) => api.trace.setSpan(api.ROOT_CONTEXT, span);

  const root = tracers.gateway.startSpan('POST /orders', {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': 'POST', 'http.response.status_code': 502, 'order.total': 42.5 },
  });
  const gwClient = tracers.gateway.startSpan('POST order-service', { kind: SpanKind.CLIENT }, ctxOf(root));
  const order = tracers['order-service'].startSpan(
    'POST /orders',
    { kind: SpanKind.SERVER, attributes: { 'order.id': 'o-77', 'order.premium': true } },
    ctxOf(gwClient),
  );
  order.addEvent('stock reserved', { 'product.id': 'p-9', quantity: 2 });
  const orderClient = tracers['order-service'].startSpan(
    'POST payment-service',
    { kind: SpanKind.CLIENT },
    ctxOf(order),
  );
  const payment = tracers['payment-service'].startSpan(
    'POST /payments',
    { kind: SpanKind.SERVER },
    ctxOf(orderClient),
  );
  payment.recordException(new TypeError('card declined by issuer'));
  payment.setStatus({ code: SpanStatusCode.ERROR, message: 'charge failed' });

  loggers['order-service'].emit({
    severityNumber: 9,
    severityText: 'INFO',
    body: 'order created for customer',
    attributes: { 'order.id': 'o-77' },
    context: ctxOf(order),
  });
  loggers['payment-service'].emit({
    severityNumber: 17,
    severityText: 'ERROR',
    body: 'payment declined',
    attributes: { 'order.id': 'o-77', 'payment.method': 'card' },
    context: ctxOf(payment),
  });
  loggers.gateway.emit({ severityNumber: 9, body: 'unrelated startup line' });

  for (const span of [payment, orderClient, order, gwClient, root]) span.end();
  traceId = root.spanContext().traceId;
  Object.assign(spanIds, {
    root: root.spanContext().spanId,
    gwClient: gwClient.spanContext().spanId,
    order: order.spanContext().spanId,
    orderClient: orderClient.spanContext().spanId,
    payment: payment.spanContext().spanId,
  });
  await Promise.all(providers.map((p: any) => p.forceFlush()));
});

afterAll(async () => {
  await Promise.all(providers.map((p) => p.shutdown()));
  await t?.close();
});

describe('a multi-service trace exported by the OpenTelemetry SDK', () => {
  it('comes back by id in the Jaeger shape with ids, parents, attributes, events and the exception', async () => {
    const res = await waitFor(
      async () => {
        const r = await getJson(`${t.apiUrl}/api/traces/${traceId}`);
        return r.status === 200 && r.body.data[0].spans.length === 5 ? r : null;
      },
      { description: 'all five spans' },
    );
    const trace = res.body.data[0];
    expect(trace.traceID).toBe(traceId);
    const byId = Object.fromEntries(trace.spans.map((s: any) => [s.spanID, s]));
    expect(Object.keys(byId).sort()).toEqual(Object.values(spanIds).sort());
    const parentOf = (id: string) => byId[id].references.find((r: any) => r.refType === 'CHILD_OF')?.spanID;
    expect(byId[spanIds.root!].references).toEqual([]);
    expect(parentOf(spanIds.gwClient!)).toBe(spanIds.root);
    expect(parentOf(spanIds.order!)).toBe(spanIds.gwClient);
    expect(parentOf(spanIds.orderClient!)).toBe(spanIds.order);
    expect(parentOf(spanIds.payment!)).toBe(spanIds.orderClient);
    for (const s of trace.spans) expect(s.references.every((r: any) => r.traceID === traceId)).toBe(true);

    const serviceOf = (id: string) => trace.processes[byId[id].processID].serviceName;
    expect(serviceOf(spanIds.root!)).toBe('gateway');
    expect(serviceOf(spanIds.order!)).toBe('order-service');
    expect(serviceOf(spanIds.payment!)).toBe('payment-service');
    const gwProcess = trace.processes[byId[spanIds.root!].processID];
    expect(gwProcess.tags).toContainEqual({ key: 'service.version', type: 'string', value: '1.2.3' });

    const root = byId[spanIds.root!];
    expect(root.operationName).toBe('POST /orders');
    expect(root.tags).toContainEqual({ key: 'http.response.status_code', type: 'int64', value: 502 });
    expect(root.tags).toContainEqual({ key: 'order.total', type: 'float64', value: 42.5 });
    expect(root.tags).toContainEqual({ key: 'span.kind', type: 'string', value: 'server' });
    expect(byId[spanIds.gwClient!].tags).toContainEqual({
      key: 'span.kind',
      type: 'string',
      value: 'client',
    });
    expect(byId[spanIds.order!].tags).toContainEqual({ key: 'order.premium', type: 'bool', value: true });
    expect(root.duration).toBeGreaterThanOrEqual(byId[spanIds.payment!].duration);
    expect(root.startTime).toBeLessThanOrEqual(byId[spanIds.payment!].startTime);

    const event = byId[spanIds.order!].logs[0];
    expect(event.fields).toContainEqual({ key: 'event', type: 'string', value: 'stock reserved' });
    expect(event.fields).toContainEqual({ key: 'product.id', type: 'string', value: 'p-9' });

    const payment = byId[spanIds.payment!];
    expect(payment.tags).toContainEqual({ key: 'otel.status_code', type: 'string', value: 'ERROR' });
    expect(payment.tags).toContainEqual({ key: 'error', type: 'bool', value: true });
    expect(payment.tags).toContainEqual({
      key: 'otel.status_description',
      type: 'string',
      value: 'charge failed',
    });
    const exception = payment.logs.find((l: any) =>
      l.fields.some((f: any) => f.key === 'event' && f.value === 'exception'),
    );
    expect(exception.fields).toContainEqual({ key: 'exception.type', type: 'string', value: 'TypeError' });
    expect(exception.fields).toContainEqual({
      key: 'exception.message',
      type: 'string',
      value: 'card declined by issuer',
    });
    expect(exception.fields.find((f: any) => f.key === 'exception.stacktrace').value).toContain('TypeError');
  });

  it('lists services and operations and finds the trace by search', async () => {
    const services = await getJson(`${t.apiUrl}/api/services`);
    expect(services.body.data).toEqual([...SERVICES].sort());
    expect(services.body.total).toBe(3);
    const ops = await getJson(`${t.apiUrl}/api/services/order-service/operations`);
    expect(ops.body.data.sort()).toEqual(['POST /orders', 'POST payment-service']);
    const kinds = await getJson(`${t.apiUrl}/api/operations?service=order-service&spanKind=client`);
    expect(kinds.body.data).toEqual([{ name: 'POST payment-service', spanKind: 'client' }]);

    const found = await getJson(
      `${t.apiUrl}/api/traces?service=payment-service&tags=${encodeURIComponent('{"error":"true"}')}&lookback=1h&limit=20`,
    );
    expect(found.body.data.map((tr: any) => tr.traceID)).toEqual([traceId]);
    expect(found.body.data[0].spans).toHaveLength(5);
    const byTag = await getJson(
      `${t.apiUrl}/api/traces?service=order-service&tags=${encodeURIComponent('{"order.id":"o-77"}')}`,
    );
    expect(byTag.body.data).toHaveLength(1);
    const none = await getJson(
      `${t.apiUrl}/api/traces?service=order-service&tags=${encodeURIComponent('{"order.id":"o-78"}')}`,
    );
    expect(none.body.data).toEqual([]);
    const slow = await getJson(`${t.apiUrl}/api/traces?service=gateway&minDuration=1h`);
    expect(slow.body.data).toEqual([]);
  });

  it('derives the service dependencies with call and error counts', async () => {
    const deps = await getJson(`${t.apiUrl}/api/dependencies?endTs=${Date.now()}&lookback=3600000`);
    expect(deps.body.data).toEqual([
      { parent: 'gateway', child: 'order-service', callCount: 1, errorCount: 0 },
      { parent: 'order-service', child: 'payment-service', callCount: 1, errorCount: 1 },
    ]);
  });

  it('stores the log records with their trace context and finds them by trace, text, level and attribute', async () => {
    const byTrace = await waitFor(
      async () => {
        const r = await getJson(`${t.apiUrl}/api/traces/${traceId}/logs`);
        return r.body.data.length === 2 ? r.body.data : null;
      },
      { description: 'two logs of the trace' },
    );
    expect(byTrace.map((l: any) => l.body)).toEqual(['order created for customer', 'payment declined']);
    expect(byTrace[0]).toMatchObject({
      service: 'order-service',
      level: 'info',
      trace_id: traceId,
      span_id: spanIds.order,
      attributes: { 'order.id': 'o-77' },
    });
    expect(new Date(byTrace[0].time).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(byTrace[0].time_unix_nano).toMatch(/^[0-9]{19}$/);

    const search = async (qs: string) =>
      (await getJson(`${t.apiUrl}/api/logs?${qs}`)).body.data.map((l: any) => l.body);
    expect(await search(`trace_id=${traceId}`)).toEqual(['payment declined', 'order created for customer']);
    expect(await search('q=DECLINED')).toEqual(['payment declined']);
    expect(await search('level=error')).toEqual(['payment declined']);
    expect(await search('attr.payment.method=card')).toEqual(['payment declined']);
    expect(await search('attr.order.id=o-77&service=order-service')).toEqual(['order created for customer']);
    expect(await search('service=gateway')).toEqual(['unrelated startup line']);
  });
});
