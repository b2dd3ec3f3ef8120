import { afterEach, describe, expect, it } from 'vitest';
import { usedBytes } from '../src/storage/database.ts';
import {
  encodeLogs,
  encodeTraces,
  getJson,
  postOtlp,
  randomHex,
  startTestHub,
  type TestHub,
  waitFor,
} from './helpers.ts';

let t: TestHub | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const count = (table: string) => t!.hub.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

function logsRequest(service: string, timeNs: bigint, n: number) {
  return encodeLogs({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeLogs: [
          {
            logRecords: Array.from({ length: n }, (_, i) => ({
              timeUnixNano: String(timeNs),
              severityNumber: 9,
              body: { stringValue: `line ${i} ${'p'.repeat(200)}` },
            })),
          },
        ],
      },
    ],
  });
}

describe('retention', () => {
  it('deletes spans and logs older than the retention age, continuously, and keeps recent ones', async () => {
    t = await startTestHub({ VIGIL_HUB_RETENTION_HOURS: '1', VIGIL_HUB_RETENTION_INTERVAL_MS: '50' });
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const oldNs = nowNs - 2n * 3_600_000_000_000n;
    const oldTrace = randomHex(16);
    const newTrace = randomHex(16);
    const spans = (traceId: string, startNs: bigint) =>
      Array.from({ length: 50 }, () => ({ traceId, spanId: randomHex(8), startNs }));
    expect(
      (await postOtlp(`${t.otlpUrl}/v1/traces`, encodeTraces('old', spans(oldTrace, oldNs)))).status,
    ).toBe(200);
    expect(
      (await postOtlp(`${t.otlpUrl}/v1/traces`, encodeTraces('new', spans(newTrace, nowNs)))).status,
    ).toBe(200);
    expect((await postOtlp(`${t.otlpUrl}/v1/logs`, logsRequest('old', oldNs, 30))).status).toBe(200);
    expect((await postOtlp(`${t.otlpUrl}/v1/logs`, logsRequest('new', nowNs, 20))).status).toBe(200);

    await waitFor(() => count('spans') === 50 && count('logs') === 20, {
      description: 'old rows to be deleted',
    });
    expect((await getJson(`${t.apiUrl}/api/traces/${oldTrace}`)).status).toBe(404);
    expect((await getJson(`${t.apiUrl}/api/traces/${newTrace}`)).body.data[0].spans).toHaveLength(50);
    const logs = await getJson(`${t.apiUrl}/api/logs?limit=1000`);
    expect(new Set(logs.body.data.map((l: any) => l.service))).toEqual(new Set(['new']));
    const metrics = await (await fetch(`${t.apiUrl}/metrics`)).text();
    expect(metrics).toMatch(/hub_retention_deleted_total\{table="spans",service="hub"\} 50/);
    expect(metrics).toMatch(/hub_retention_deleted_total\{table="logs",service="hub"\} 30/);
  });

  it('keeps the database under the size limit by deleting the oldest data first', async () => {
    const limitBytes = 1024 * 1024;
    t = await startTestHub({
      VIGIL_HUB_MAX_DB_MB: String(limitBytes / 1024 / 1024),
      VIGIL_HUB_RETENTION_INTERVAL_MS: '50',
    });
    const base = BigInt(Date.now()) * 1_000_000n - 1_000_000_000_000n;
    const traces: string[] = [];
    // ~4 MB of spans in 40 batches, each batch a trace 1 s later than the previous.
    for (let b = 0; b < 40; b++) {
      const traceId = randomHex(16);
      traces.push(traceId);
      const spans = Array.from({ length: 100 }, () => ({
        traceId,
        spanId: randomHex(8),
        startNs: base + BigInt(b) * 1_000_000_000n,
        attributes: { payload: 'z'.repeat(800) },
      }));
      const res = await postOtlp(`${t.otlpUrl}/v1/traces`, encodeTraces('sized', spans));
      expect(res.status).toBe(200);
    }
    await waitFor(() => usedBytes(t!.hub.db) <= limitBytes, { description: 'used bytes under the limit' });
    const remaining = count('spans');
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThan(4000);
    // Oldest traces are gone, the newest is intact.
    expect((await getJson(`${t.apiUrl}/api/traces/${traces[0]}`)).status).toBe(404);
    expect((await getJson(`${t.apiUrl}/api/traces/${traces.at(-1)}`)).body.data[0].spans).toHaveLength(100);
    const minStart = t.hub.db.prepare('SELECT min(start_ns) FROM spans').pluck().get() as number;
    const maxStart = t.hub.db.prepare('SELECT max(start_ns) FROM spans').pluck().get() as number;
    expect(maxStart).toBe(Number(base + 39n * 1_000_000_000n));
    expect(minStart).toBeGreaterThan(Number(base));
    // Freed pages go back to the file system, so the file itself shrinks too.
    const pageCount = t.hub.db.pragma('page_count', { simple: true }) as number;
    const pageSize = t.hub.db.pragma('page_size', { simple: true }) as number;
    expect(pageCount * pageSize).toBeLessThan(2 * limitBytes);
  });
});
