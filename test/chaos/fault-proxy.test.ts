// The TCP fault proxy between real sockets: an HTTP upstream, the proxy in front, real clients.
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FaultProxy,
  startControlApi,
  startFaultProxy,
} from '../../packages/cli/src/chaos/fault-proxy.ts';
import { freePort } from '../monitoring/alerting-support/free-port.ts';

const TOKEN = 'test-token-for-the-proxy';
let upstream: Server;
let proxy: FaultProxy;
let control: Server;
let proxyUrl: string;
let controlUrl: string;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    res.setHeader('connection', 'close');
    res.end(req.url === '/big' ? 'x'.repeat(4096) : 'ok');
  });
  const upstreamPort = await freePort();
  await new Promise<void>((r) => upstream.listen(upstreamPort, '127.0.0.1', r));
  const listenPort = await freePort();
  proxy = await startFaultProxy([{ name: 'svc', listenPort, upstreamHost: '127.0.0.1', upstreamPort }]);
  const controlPort = await freePort();
  control = await startControlApi(proxy, controlPort, TOKEN);
  proxyUrl = `http://127.0.0.1:${listenPort}`;
  controlUrl = `http://127.0.0.1:${controlPort}`;
});

afterAll(async () => {
  control?.close();
  await proxy?.close();
  upstream?.close();
});

const setFault = (body: Record<string, unknown>, token = TOKEN) =>
  fetch(`${controlUrl}/faults`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ route: 'svc', ttl_seconds: 30, ...body }),
  });
const clear = () =>
  fetch(`${controlUrl}/faults`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
const timed = async (url: string, timeoutMs = 3000) => {
  const t = performance.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: await res.text(), ms: performance.now() - t };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return { error: cause?.code ?? (err as Error).name, ms: performance.now() - t };
  }
};

describe('fault proxy', () => {
  it('pipes requests unchanged without a fault', async () => {
    expect(await timed(proxyUrl)).toMatchObject({ status: 200, body: 'ok' });
  });

  it('needs the admin token and validates the fault, naming the field', async () => {
    expect((await setFault({ kind: 'blackhole' }, 'wrong')).status).toBe(401);
    const bad = await setFault({ kind: 'latency', latency_ms: -1 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^latency_ms:/);
  });

  it('adds latency, limits bandwidth, and clears', async () => {
    expect((await setFault({ kind: 'latency', latency_ms: 300 })).status).toBe(201);
    const slow = await timed(proxyUrl);
    expect(slow).toMatchObject({ status: 200, body: 'ok' });
    expect(slow.ms).toBeGreaterThanOrEqual(550); // request and response each delayed
    expect((await setFault({ kind: 'bandwidth', bytes_per_second: 8192 })).status).toBe(201);
    const big = await timed(`${proxyUrl}/big`);
    expect(big.status).toBe(200);
    expect(big.ms).toBeGreaterThanOrEqual(450); // > 4 KiB at 8 KiB/s
    await clear();
    expect((await timed(proxyUrl)).ms).toBeLessThan(slow.ms);
  });

  it('blackholes: the connection is accepted, nothing ever answers', async () => {
    await setFault({ kind: 'blackhole' });
    const accepted = await new Promise<boolean>((resolve) => {
      const s = connect(Number(new URL(proxyUrl).port), '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    expect(accepted).toBe(true);
    const r = await timed(proxyUrl, 800);
    expect(r.error).toBe('TimeoutError');
    await clear();
    expect(await timed(proxyUrl)).toMatchObject({ status: 200 });
  });

  it('resets and refuses connections; refusal ends with the fault', async () => {
    await setFault({ kind: 'reset' });
    expect((await timed(proxyUrl)).error).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
    await setFault({ kind: 'refused' });
    expect((await timed(proxyUrl)).error).toBe('ECONNREFUSED');
    const list = (await (
      await fetch(`${controlUrl}/faults`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as {
      items: Array<{ fault: { kind: string } | null }>;
    };
    expect(list.items[0]?.fault?.kind).toBe('refused');
    await clear();
    expect(await timed(proxyUrl)).toMatchObject({ status: 200 });
  });

  it('ends a fault on its TTL without anyone clearing it', async () => {
    await setFault({ kind: 'refused', ttl_seconds: 1 });
    expect((await timed(proxyUrl)).error).toBe('ECONNREFUSED');
    const deadline = Date.now() + 5000;
    let r = await timed(proxyUrl);
    while (r.status !== 200 && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 100));
      r = await timed(proxyUrl);
    }
    expect(r).toMatchObject({ status: 200 });
  });
});
