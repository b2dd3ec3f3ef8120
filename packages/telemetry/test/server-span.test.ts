import {
  createContextKey,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { randomHexId, ServerSpan, SpanContextOverlay } from '../src/server-span.ts';

function exportTarget() {
  const exporter = new InMemorySpanExporter();
  const resource = resourceFromAttributes({ 'service.name': 'unit' });
  return {
    exporter,
    target: {
      processor: new SimpleSpanProcessor({ exporter }),
      resource,
      scope: { name: 'unit-scope', version: '1' },
    },
  };
}

describe('randomHexId', () => {
  it('cuts distinct lowercase hex ids of the right length, across pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const traceId = randomHexId(16);
      const spanId = randomHexId(8);
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(spanId).toMatch(/^[0-9a-f]{16}$/);
      seen.add(traceId);
    }
    // 10,000 trace ids span more than one 64 KiB pool (4,096 trace ids each with their span ids).
    expect(seen.size).toBe(10_000);
  });
});

describe('ServerSpan', () => {
  it('is exported once, on finish, as a complete SDK span with what app code added', async () => {
    const { exporter, target } = exportTarget();
    const parent = {
      traceId: randomHexId(16),
      spanId: randomHexId(8),
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    };
    const span = new ServerSpan('GET /items/:id', parent.traceId, true, true, parent, undefined, target);
    span.attributes['http.route'] = '/items/:id';
    span.setAttribute('app.key', 'v').setAttribute('', 'ignored');
    span.addEvent('cache miss', { 'cache.name': 'items' });
    span.recordException(new Error('boom'));
    span.updateName('GET /items/:id (renamed)');
    expect(span.isRecording()).toBe(true);
    span.finish(503);
    span.finish(503);
    expect(span.isRecording()).toBe(false);
    span.setAttribute('after.finish', true);

    const finished = exporter.getFinishedSpans();
    expect(finished).toHaveLength(1);
    const [exported] = finished;
    expect(exported?.name).toBe('GET /items/:id (renamed)');
    expect(exported?.kind).toBe(SpanKind.SERVER);
    expect(exported?.spanContext()).toMatchObject({
      traceId: parent.traceId,
      traceFlags: TraceFlags.SAMPLED,
    });
    expect(exported?.spanContext().spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(exported?.parentSpanContext?.spanId).toBe(parent.spanId);
    expect(exported?.attributes).toEqual({
      'http.route': '/items/:id',
      'app.key': 'v',
      'http.response.status_code': 503,
      'error.type': '503',
    });
    expect(exported?.status.code).toBe(SpanStatusCode.ERROR);
    expect(exported?.events.map((e) => e.name)).toEqual(['cache miss', 'exception']);
    expect(exported?.events[1]?.attributes?.['exception.message']).toBe('boom');
    expect(exported?.instrumentationScope.name).toBe('unit-scope');
    expect(exported?.resource.attributes['service.name']).toBe('unit');
    const start = exported?.startTime ?? [0, 0];
    const end = exported?.endTime ?? [0, 0];
    expect(end[0] * 1e9 + end[1]).toBeGreaterThanOrEqual(start[0] * 1e9 + start[1]);
    expect(start[0]).toBeGreaterThan(1_700_000_000); // epoch seconds, not a monotonic clock
  });

  it('keeps an OK status set by app code and exports nothing for an unsampled request', () => {
    const { exporter, target } = exportTarget();
    const ok = new ServerSpan('POST /x', randomHexId(16), true, true, undefined, undefined, target);
    ok.setStatus({ code: SpanStatusCode.OK });
    ok.finish(500);
    expect(exporter.getFinishedSpans()[0]?.status.code).toBe(SpanStatusCode.OK);

    const unsampled = new ServerSpan('GET /y', randomHexId(16), false, false, undefined, undefined, target);
    unsampled.setAttribute('k', 'v');
    expect(unsampled.isRecording()).toBe(false);
    expect(unsampled.spanContext().traceFlags).toBe(TraceFlags.NONE);
    unsampled.finish(200);
    expect(exporter.getFinishedSpans()).toHaveLength(1);
  });
});

describe('SpanContextOverlay', () => {
  it('behaves like trace.setSpan(parent, span) for reads, writes and deletes', () => {
    const { target } = exportTarget();
    const key = createContextKey('unit key');
    const other = createContextKey('other key');
    const parentSpan = trace.wrapSpanContext({
      traceId: randomHexId(16),
      spanId: randomHexId(8),
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    const parent = trace.setSpan(ROOT_CONTEXT.setValue(key, 'from parent'), parentSpan);
    const span = new ServerSpan('GET /', randomHexId(16), true, true, undefined, undefined, target);
    const ctx = new SpanContextOverlay(parent, span);

    expect(trace.getSpan(ctx)).toBe(span);
    expect(ctx.getValue(key)).toBe('from parent');
    const written = ctx.setValue(other, 42);
    expect(trace.getSpan(written)).toBe(span);
    expect(written.getValue(key)).toBe('from parent');
    expect(written.getValue(other)).toBe(42);
    expect(ctx.getValue(other)).toBeUndefined();
    // Deleting the span removes it entirely (not revealing the parent's span); other deletes keep it.
    expect(trace.getSpan(trace.deleteSpan(ctx))).toBeUndefined();
    const withoutKey = ctx.deleteValue(key);
    expect(withoutKey.getValue(key)).toBeUndefined();
    expect(trace.getSpan(withoutKey)).toBe(span);
  });
});
