import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStatus, ExportTraceServiceResponse } from '../src/otlp/proto.ts';
import {
  encodeTraces,
  getJson,
  postOtlp,
  randomHex,
  startTestHub,
  type TestHub,
  traceRequestObject,
} from './helpers.ts';

const MAX_BODY = 64 * 1024;
let t: TestHub;
const baselineTrace = randomHex(16);

function spanCount(): number {
  return (t.hub.db.prepare('SELECT count(*) FROM spans').pluck().get() as number) ?? 0;
}

// Deterministic "random" bytes so a failure reproduces.
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function jsonTrace(spans: Record<string, unknown>[], service = 'json-svc') {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [{ spans }],
      },
    ],
  });
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

beforeAll(async () => {
  t = await startTestHub({ VIGIL_HUB_MAX_BODY_BYTES: String(MAX_BODY), VIGIL_HUB_MAX_VALUE_LENGTH: '100' });
  const res = await postOtlp(
    `${t.otlpUrl}/v1/traces`,
    encodeTraces('baseline', [
      { traceId: baselineTrace, spanId: randomHex(8), name: 'root' },
      { traceId: baselineTrace, spanId: randomHex(8), name: 'child' },
    ]),
  );
  expect(res.status).toBe(200);
});

afterAll(async () => {
  await t?.close();
});

async function expectBaselineIntact() {
  const ready = await fetch(`${t.apiUrl}/health/ready`);
  expect(ready.status).toBe(200);
  const trace = await getJson(`${t.apiUrl}/api/traces/${baselineTrace}`);
  expect(trace.status).toBe(200);
  expect(trace.body.data[0].spans.map((s: any) => s.operationName).sort()).toEqual(['child', 'root']);
}

describe('OTLP receiver under bad input', () => {
  it('answers 400 with a google.rpc.Status to random and truncated protobuf', async () => {
    const before = spanCount();
    const next = prng(42);
    const statuses = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const body = Buffer.alloc(1 + Math.floor(next() * 2000));
      for (let j = 0; j < body.length; j++) body[j] = Math.floor(next() * 256);
      const res = await postOtlp(`${t.otlpUrl}/v1/traces`, body);
      statuses.add(res.status);
      expect([200, 400]).toContain(res.status);
    }
    expect(statuses.has(400)).toBe(true);

    const valid = encodeTraces('trunc', [
      { traceId: randomHex(16), spanId: randomHex(8), name: 'x'.repeat(50) },
    ]);
    for (const cut of [valid.length - 1, valid.length - 7, Math.floor(valid.length / 2)]) {
      const res = await postOtlp(`${t.otlpUrl}/v1/traces`, valid.subarray(0, cut));
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/x-protobuf');
      const status = decodeStatus(res.body);
      expect(status.code).toBe(3);
      expect(status.message).toMatch(/^INVALID_PROTOBUF/);
    }
    expect(spanCount()).toBe(before);
    await expectBaselineIntact();
  });

  it('rejects JSON that is not an OTLP request with 400 and a machine-readable code', async () => {
    const cases = [
      'not json at all {',
      '[1,2,3]',
      '"a string"',
      '{"resourceSpans":"nope"}',
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"a","value":"not-an-object"}]}]}]}]}',
      '{"resourceSpans":[{"scopeSpans":{"spans":[]}}]}',
    ];
    for (const body of cases) {
      const res = await postOtlp(`${t.otlpUrl}/v1/traces`, body, 'application/json');
      expect(res.status, body).toBe(400);
      const parsed = JSON.parse(res.body.toString());
      expect(parsed.error.code).toMatch(/^INVALID_(JSON|OTLP)$/);
      expect(parsed.code).toBe(3);
    }
    const logs = await postOtlp(`${t.otlpUrl}/v1/logs`, '{"resourceLogs":{"x":1}}', 'application/json');
    expect(logs.status).toBe(400);
    await expectBaselineIntact();
  });

  it('stores the valid spans of a request and reports invalid ids as partial success', async () => {
    const traceId = randomHex(16);
    const good = randomHex(8);
    const start = nowNs();
    const end = start + 1000n;
    const base = { name: 'op', startTimeUnixNano: String(start), endTimeUnixNano: String(end) };
    const body = jsonTrace([
      { ...base, traceId, spanId: good },
      { ...base, traceId: '00000000000000000000000000000000', spanId: randomHex(8) },
      { ...base, traceId: 'abc', spanId: randomHex(8) },
      { ...base, traceId: randomHex(15), spanId: randomHex(8) },
      { ...base, traceId: 'zz'.repeat(16), spanId: randomHex(8) },
      { ...base, traceId, spanId: '0000000000000000' },
      { ...base, traceId, spanId: randomHex(9) },
      { ...base, traceId, spanId: randomHex(8), parentSpanId: randomHex(3) },
      { ...base, traceId, spanId: randomHex(8), endTimeUnixNano: String(start - 1_000_000n) },
      { ...base, traceId: 12345, spanId: randomHex(8) },
    ]);
    const res = await postOtlp(`${t.otlpUrl}/v1/traces`, body, 'application/json');
    expect(res.status).toBe(200);
    const parsed = JSON.parse(res.body.toString());
    expect(parsed.partialSuccess.rejectedSpans).toBe('9');
    expect(parsed.partialSuccess.errorMessage).toMatch(/trace_id/);
    const trace = await getJson(`${t.apiUrl}/api/traces/${traceId}`);
    expect(trace.body.data[0].spans.map((s: any) => s.spanID)).toEqual([good]);

    // The same in protobuf: the response is an ExportTraceServiceResponse with partial_success.
    const obj = traceRequestObject('pb', [
      { traceId: randomHex(16), spanId: randomHex(8) },
      { traceId: randomHex(16), spanId: '0000000000000000' },
    ]);
    const { ExportTraceServiceRequest } = await import('../src/otlp/proto.ts');
    const pb = Buffer.from(
      ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(obj)).finish(),
    );
    const pbRes = await postOtlp(`${t.otlpUrl}/v1/traces`, pb);
    expect(pbRes.status).toBe(200);
    const decoded = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(pbRes.body), {
      longs: Number,
    });
    expect(decoded.partialSuccess).toMatchObject({ rejectedSpans: 1 });
    const metrics = await (await fetch(`${t.apiUrl}/metrics`)).text();
    expect(metrics).toMatch(/hub_spans_rejected_total\{reason="invalid_trace_id",service="hub"\} [1-9]/);
  });

  it('truncates huge attribute values and deep nesting with a marker', async () => {
    const traceId = randomHex(16);
    let deep: Record<string, unknown> = { stringValue: 'bottom' };
    for (let i = 0; i < 40; i++) deep = { kvlistValue: { values: [{ key: `l${i}`, value: deep }] } };
    const start = nowNs();
    const body = jsonTrace([
      {
        traceId,
        spanId: randomHex(8),
        name: 'big',
        startTimeUnixNano: String(start),
        endTimeUnixNano: String(start + 10n),
        attributes: [
          { key: 'huge', value: { stringValue: 'x'.repeat(50_000) } },
          { key: '__proto__', value: { stringValue: 'plain data' } },
          { key: 'deep', value: deep },
          {
            key: 'many',
            value: { arrayValue: { values: Array.from({ length: 300 }, (_, i) => ({ intValue: i })) } },
          },
        ],
      },
    ]);
    const res = await postOtlp(`${t.otlpUrl}/v1/traces`, body, 'application/json');
    expect(res.status).toBe(200);
    const span = (await getJson(`${t.apiUrl}/api/traces/${traceId}`)).body.data[0].spans[0];
    const tag = (k: string) => span.tags.find((x: any) => x.key === k).value;
    expect(tag('huge')).toBe(`${'x'.repeat(100)}…[truncated]`);
    expect(tag('__proto__')).toBe('plain data');
    expect(tag('deep')).toContain('…[truncated: too deep]');
    expect(JSON.parse(tag('many')).at(-1)).toBe('…[truncated]');
  });

  it('answers 4xx to nesting deep enough to exhaust the decoder, and stays up', async () => {
    let deep = '{"stringValue":"x"}';
    for (let i = 0; i < 5000; i++) deep = `{"arrayValue":{"values":[${deep}]}}`;
    const body = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${randomHex(16)}","spanId":"${randomHex(8)}","attributes":[{"key":"d","value":${deep}}]}]}]}]}`;
    const res = await postOtlp(`${t.otlpUrl}/v1/traces`, body, 'application/json');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    await expectBaselineIntact();
  });

  it('answers 413 past the size limit, compressed or after decompression (gzip bomb)', async () => {
    const big = Buffer.alloc(MAX_BODY + 1, 1);
    const res = await postOtlp(`${t.otlpUrl}/v1/traces`, big);
    expect(res.status).toBe(413);
    expect(decodeStatus(res.body).message).toMatch(/^PAYLOAD_TOO_LARGE/);

    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(MAX_BODY);
    const bombRes = await postOtlp(`${t.otlpUrl}/v1/traces`, bomb, 'application/x-protobuf', {
      'content-encoding': 'gzip',
    });
    expect(bombRes.status).toBe(413);

    const jsonBomb = await postOtlp(`${t.otlpUrl}/v1/logs`, bomb, 'application/json', {
      'content-encoding': 'gzip',
    });
    expect(jsonBomb.status).toBe(413);
    expect(JSON.parse(jsonBomb.body.toString()).error.code).toBe('PAYLOAD_TOO_LARGE');
    await expectBaselineIntact();
  });

  it('accepts gzip and refuses broken gzip and unknown encodings', async () => {
    const traceId = randomHex(16);
    const ok = await postOtlp(
      `${t.otlpUrl}/v1/traces`,
      gzipSync(encodeTraces('gz', [{ traceId, spanId: randomHex(8) }])),
      'application/x-protobuf',
      { 'content-encoding': 'gzip' },
    );
    expect(ok.status).toBe(200);
    expect((await getJson(`${t.apiUrl}/api/traces/${traceId}`)).status).toBe(200);
    const broken = await postOtlp(
      `${t.otlpUrl}/v1/traces`,
      Buffer.from('not gzip'),
      'application/x-protobuf',
      {
        'content-encoding': 'gzip',
      },
    );
    expect(broken.status).toBe(400);
    const br = await postOtlp(`${t.otlpUrl}/v1/traces`, Buffer.from('x'), 'application/x-protobuf', {
      'content-encoding': 'br',
    });
    expect(br.status).toBe(415);
  });

  it('answers 415 to other content types and 404 to other paths', async () => {
    for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x']) {
      const res = await postOtlp(`${t.otlpUrl}/v1/traces`, 'hello', type);
      expect(res.status, type).toBe(415);
      expect(JSON.parse(res.body.toString()).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    const none = await fetch(`${t.otlpUrl}/v1/traces`, { method: 'POST', body: new Uint8Array([1, 2, 3]) });
    expect(none.status).toBe(415);
    const other = await fetch(`${t.otlpUrl}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: '',
    });
    expect(other.status).toBe(404);
    await expectBaselineIntact();
  });
});
