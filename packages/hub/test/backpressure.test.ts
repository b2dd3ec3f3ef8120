import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTraces, freePorts, postOtlp, randomHex, spawnHub, tempDir } from './helpers.ts';

const dir = tempDir('hub-backpressure-');
let child: ChildProcess;
let otlpUrl = '';
let apiUrl = '';

beforeAll(async () => {
  const [api, otlp] = await freePorts(2);
  otlpUrl = `http://127.0.0.1:${otlp}`;
  apiUrl = `http://127.0.0.1:${api}`;
  // A queue of one item: any batch arriving while another waits for the writer is refused.
  child = await spawnHub(dir, { api: api!, otlp: otlp! }, { VIGIL_HUB_QUEUE_MAX_ITEMS: '1' });
});
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function storedSpans(): Promise<number> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  return Number(/^hub_spans_stored_total\{[^}]*\} (\d+)/m.exec(text)?.[1] ?? 'NaN');
}

describe('ingest backpressure', () => {
  it('answers 429 with Retry-After when the queue is full, stores only accepted batches, and recovers', async () => {
    // Concurrent floods until the queue overflows (usually the first round; bounded to ten).
    const results: Awaited<ReturnType<typeof postOtlp>>[] = [];
    for (let round = 0; round < 10 && !results.some((r) => r.status === 429); round++) {
      const batches = Array.from({ length: 80 }, () =>
        encodeTraces(
          'flood',
          Array.from({ length: 300 }, () => ({ traceId: randomHex(16), spanId: randomHex(8) })),
        ),
      );
      results.push(...(await Promise.all(batches.map((b) => postOtlp(`${otlpUrl}/v1/traces`, b)))));
    }
    const statuses = results.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    const shed = results.filter((r) => r.status === 429);
    expect(shed.length).toBeGreaterThan(0);
    const ok = statuses.filter((s) => s === 200).length;
    expect(ok).toBeGreaterThan(0);
    for (const r of shed) expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    // Acknowledged means stored; a refused batch stores nothing.
    expect(await storedSpans()).toBe(300 * ok);
    const metrics = await (await fetch(`${apiUrl}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(`hub_ingest_shed_total\\{status="429",service="hub"\\} ${shed.length}\\b`),
    );

    // Once the flood is over the same process accepts again, without a restart.
    const again = await postOtlp(
      `${otlpUrl}/v1/traces`,
      encodeTraces('after', [{ traceId: randomHex(16), spanId: randomHex(8) }]),
    );
    expect(again.status).toBe(200);
  });

  it('answers only 200 or a retryable 503 across SIGTERM, then exits 0', async () => {
    // Keep a stream of requests going across SIGTERM; each must get 200 or a retryable 503, never a cut.
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const statuses: number[] = [];
    let done = false;
    const sender = (async () => {
      while (!done) {
        try {
          const res = await postOtlp(
            `${otlpUrl}/v1/traces`,
            encodeTraces('late', [{ traceId: randomHex(16), spanId: randomHex(8) }]),
          );
          statuses.push(res.status);
          if (res.status === 503) expect(res.headers.get('retry-after')).toBe('5');
        } catch {
          return; // listener closed
        }
      }
    })();
    while (statuses.length < 5) await new Promise((r) => setImmediate(r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    done = true;
    await sender;
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
  });
});
