import type { ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLogs, freePorts, postOtlp, spawnHub, tempDir, waitFor } from './helpers.ts';

// issue 10: a few live-tail readers that stop reading, plus a burst of logs, must not exhaust the hub.
const dir = tempDir('hub-starvation-');
let child: ChildProcess;
let otlpUrl = '';
let apiUrl = '';
let apiPort = 0;
const sockets: Socket[] = [];

beforeAll(async () => {
  const [api, otlp] = await freePorts(2);
  apiPort = api!;
  otlpUrl = `http://127.0.0.1:${otlp}`;
  apiUrl = `http://127.0.0.1:${api}`;
  child = await spawnHub(dir, { api: api!, otlp: otlp! });
});
afterAll(() => {
  for (const s of sockets) s.destroy();
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Resident and peak resident set of the hub process, in MiB. */
function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Opens a live tail and never reads from it (the socket is paused: the kernel buffers fill, then the hub's). */
function stalledReader(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(apiPort, '127.0.0.1', () => {
      s.write(`GET /api/logs/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
      s.once('data', () => {
        s.pause();
        resolve(s);
      });
    });
    s.setNoDelay(true);
    s.on('error', () => {});
    s.once('error', reject);
    sockets.push(s);
  });
}

function burst(batch: number, size: number) {
  const body = 'x'.repeat(size);
  return encodeLogs({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'noisy' } }] },
        scopeLogs: [
          {
            logRecords: Array.from({ length: batch }, (_, i) => ({
              severityNumber: 9,
              body: { stringValue: `${i} ${body}` },
            })),
          },
        ],
      },
    ],
  });
}

async function metric(name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  return Number(new RegExp(`^${name}\\{${labels}[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
}

describe('hub under stalled live-tail readers and a log burst', () => {
  it('disconnects the slow readers (counted), keeps its memory bounded and stays up', async () => {
    const readers = 4;
    for (let i = 0; i < readers; i++) await stalledReader();
    const before = memoryMiB(child.pid!);
    // 8 batches × 2,000 records × ~1 KiB: ~16 MiB of log text per reader, well past what the kernel's
    // socket buffers (a few MiB per loopback connection) and the 1 MiB bound absorb.
    const batch = burst(2000, 1000);
    for (let i = 0; i < 8; i++) {
      const r = await postOtlp(`${otlpUrl}/v1/logs`, batch);
      expect([200, 429]).toContain(r.status);
    }
    await waitFor(
      async () => (await metric('hub_log_streams_disconnected_total', 'reason="slow_reader"')) === readers,
      { description: 'every stalled reader to be disconnected', timeoutMs: 60_000 },
    );
    const after = memoryMiB(child.pid!);
    // Measured: ~+90 MiB peak with the bound (most of it the ingest itself); without it the readers are never
    // disconnected and every unread byte stays on the heap.
    expect(after.peak - before.rss).toBeLessThan(200);
    expect(await metric('hub_log_streams_open')).toBe(0);
    expect(child.exitCode).toBeNull();
    expect((await fetch(`${apiUrl}/health/ready`)).status).toBe(200);
    console.log(`hub memory: rss before ${before.rss.toFixed(0)} MiB, peak ${after.peak.toFixed(0)} MiB`);
  }, 150_000);
});
