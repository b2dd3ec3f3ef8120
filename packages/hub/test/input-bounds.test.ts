import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportLogsServiceResponse, ExportTraceServiceResponse } from '../src/otlp/proto.ts';
import {
  encodeLogs,
  encodeTraces,
  getJson,
  postOtlp,
  randomHex,
  startTestHub,
  type TestHub,
} from './helpers.ts';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub({
    VIGIL_HUB_MAX_SERVICES: '2',
    VIGIL_HUB_MAX_OPERATIONS: '3',
    VIGIL_HUB_MAX_STREAMS: '2',
  });
});
afterAll(async () => {
  await t?.close();
});

const metric = async (name: string, labels: string) => {
  const text = await (await fetch(`${t.apiUrl}/metrics`)).text();
  const m = new RegExp(`^${name}\\{${labels}[^}]*\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
};

function rejectedSpans(body: Buffer): { rejected: number; message: string } {
  const r = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(body), {
    longs: Number,
  }) as {
    partialSuccess?: { rejectedSpans?: number; errorMessage?: string };
  };
  return { rejected: r.partialSuccess?.rejectedSpans ?? 0, message: r.partialSuccess?.errorMessage ?? '' };
}

function rejectedLogs(body: Buffer): number {
  const r = ExportLogsServiceResponse.toObject(ExportLogsServiceResponse.decode(body), { longs: Number }) as {
    partialSuccess?: { rejectedLogRecords?: number };
  };
  return r.partialSuccess?.rejectedLogRecords ?? 0;
}

const span = (name: string) => ({ traceId: randomHex(16), spanId: randomHex(8), name });

describe('OTLP input bounds', () => {
  it('caps distinct services: spans of a third service are dropped and counted (partial success)', async () => {
    for (const svc of ['svc-a', 'svc-b']) {
      const r = await postOtlp(`${t.otlpUrl}/v1/traces`, encodeTraces(svc, [span('GET /')]));
      expect(r.status).toBe(200);
      expect(rejectedSpans(r.body).rejected).toBe(0);
    }
    const r = await postOtlp(
      `${t.otlpUrl}/v1/traces`,
      encodeTraces('svc-c', [span('GET /'), span('GET /x')]),
    );
    expect(r.status).toBe(200);
    expect(rejectedSpans(r.body)).toEqual({
      rejected: 2,
      message: expect.stringContaining('VIGIL_HUB_MAX_SERVICES'),
    });
    expect(await metric('hub_spans_rejected_total', 'reason="service_limit"')).toBe(2);
    expect((await getJson(`${t.apiUrl}/api/services`)).body.data).toEqual(['svc-a', 'svc-b']);
    // Logs of a service beyond the cap are dropped too.
    const logs = await postOtlp(
      `${t.otlpUrl}/v1/logs`,
      encodeLogs({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc-d' } }] },
            scopeLogs: [{ logRecords: [{ severityNumber: 9, body: { stringValue: 'hi' } }] }],
          },
        ],
      }),
    );
    expect(logs.status).toBe(200);
    const lr = rejectedLogs(logs.body);
    expect(lr).toBe(1);
    expect(await metric('hub_logs_rejected_total', 'reason="service_limit"')).toBe(1);
  });

  it('caps distinct operations per service; known names still go through', async () => {
    // svc-a already has "GET /"; two more names fit, the fourth and fifth do not.
    const r = await postOtlp(
      `${t.otlpUrl}/v1/traces`,
      encodeTraces('svc-a', [span('op-1'), span('op-2'), span('op-3'), span('op-4'), span('GET /')]),
    );
    expect(rejectedSpans(r.body).rejected).toBe(2);
    expect(await metric('hub_spans_rejected_total', 'reason="operation_limit"')).toBe(2);
    const ops = (await getJson(`${t.apiUrl}/api/services/svc-a/operations`)).body.data;
    expect([...ops].sort()).toEqual(['GET /', 'op-1', 'op-2']);
  });

  it('refuses absurd, negative, overflowing and reversed timestamps per span (OTLP/JSON)', async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const day = 86_400_000_000_000n;
    const times: [string, string][] = [
      ['-5', String(now)], // negative (wraps to a huge uint64)
      ['1000', '2000'], // 1970: seconds or ms sent as ns
      [String(now + 2n * day), String(now + 2n * day + 1n)], // two days ahead
      ['18446744073709551615', '18446744073709551615'], // uint64 max
      [String(now), '99999999999999999999999'], // end overflows uint64
      [String(now), String(now - 1_000_000n)], // end before start
      [String(now), String(now + 1_000_000n)], // fine
    ];
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc-b' } }] },
          scopeSpans: [
            {
              spans: times.map(([start, end]) => ({
                traceId: randomHex(16),
                spanId: randomHex(8),
                name: 'GET /',
                startTimeUnixNano: start,
                endTimeUnixNano: end,
              })),
            },
          ],
        },
      ],
    };
    const res = await fetch(`${t.otlpUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    // protobufjs reads each of these as some uint64 (wrapping); the range check catches them all.
    expect(res.status).toBe(200);
    const json = (await res.json()) as any;
    expect(json.partialSuccess.rejectedSpans).toBe('6');
    expect(await metric('hub_spans_rejected_total', 'reason="invalid_timestamps"')).toBe(6);
  });

  it('drops spans whose name is not a string (OTLP/JSON), keeps the rest', async () => {
    const mk = (name: unknown) => ({
      traceId: randomHex(16),
      spanId: randomHex(8),
      name,
      startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
      endTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n + 1000n),
    });
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc-b' } }] },
          scopeSpans: [{ spans: [mk(42), mk({ evil: true }), mk(['x']), mk('GET /')] }],
        },
      ],
    };
    const res = await fetch(`${t.otlpUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as any;
    expect(json.partialSuccess).toEqual({
      rejectedSpans: '3',
      errorMessage: 'span with a name that is not a string',
    });
    expect(await metric('hub_spans_rejected_total', 'reason="invalid_name"')).toBe(3);
    const ops = (await getJson(`${t.apiUrl}/api/services/svc-b/operations`)).body.data;
    expect(ops).toEqual(['GET /']);
  });

  it('refuses log records with absurd timestamps', async () => {
    const r = await postOtlp(
      `${t.otlpUrl}/v1/logs`,
      encodeLogs({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc-a' } }] },
            scopeLogs: [
              {
                logRecords: [
                  { timeUnixNano: '1000', body: { stringValue: 'old' } },
                  { timeUnixNano: '18446744073709551615', body: { stringValue: 'overflow' } },
                  { body: { stringValue: 'no time: observed now' } },
                ],
              },
            ],
          },
        ],
      }),
    );
    const lr = rejectedLogs(r.body);
    expect(lr).toBe(2);
    expect(await metric('hub_logs_rejected_total', 'reason="invalid_timestamps"')).toBe(2);
  });
});

describe('live-tail stream cap', () => {
  it('answers 429 TOO_MANY_STREAMS past VIGIL_HUB_MAX_STREAMS and frees the slot when a stream closes', async () => {
    const controllers = [new AbortController(), new AbortController()];
    const open = await Promise.all(
      controllers.map((c) => fetch(`${t.apiUrl}/api/logs/stream`, { signal: c.signal })),
    );
    for (const r of open) expect(r.status).toBe(200);
    const third = await fetch(`${t.apiUrl}/api/logs/stream`);
    expect(third.status).toBe(429);
    expect(((await third.json()) as any).error.code).toBe('TOO_MANY_STREAMS');
    expect(await metric('hub_log_streams_rejected_total', '')).toBe(1);
    expect(await metric('hub_log_streams_open', '')).toBe(2);
    controllers[0]!.abort();
    await expect(open[0]!.text()).rejects.toThrow();
    const deadline = Date.now() + 5000;
    let again: Response | undefined;
    while (Date.now() < deadline) {
      again = await fetch(`${t.apiUrl}/api/logs/stream`);
      if (again.status === 200) break;
      await again.body?.cancel();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(again?.status).toBe(200);
    await again?.body?.cancel();
    controllers[1]!.abort();
  });
});
