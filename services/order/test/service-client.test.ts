import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@vigil/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceClient, DependencyError } from '../src/adapters/service-client.ts';

// Connection reuse between services: a real HTTP server counts the TCP connections it accepts.
let server: Server;
let connections = 0;
let baseUrl: string;
beforeAll(async () => {
  server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('service client connection reuse', () => {
  it('keeps connections alive: serial calls share one socket, concurrent calls stay within the pool', async () => {
    const client = createServiceClient({
      name: 'test-service',
      baseUrl,
      timeoutMs: 2_000,
      retries: 0,
      backoffBaseMs: 10,
      connections: 4,
    });
    try {
      for (let i = 0; i < 20; i++) expect((await client.call('GET', '/x')).status).toBe(200);
      // undici opens a second socket while the first is being returned to the pool; then reuses them.
      expect(connections).toBeLessThanOrEqual(2);
      const burst = await Promise.all(Array.from({ length: 40 }, () => client.call('GET', '/x')));
      expect(burst.every((r) => r.status === 200)).toBe(true);
      expect(connections).toBeLessThanOrEqual(4);
      const afterBurst = connections;
      for (let i = 0; i < 20; i++) await client.call('GET', '/x');
      expect(connections).toBe(afterBurst);
    } finally {
      await client.close();
    }
  });
});

describe('service client failures', () => {
  const client = (url: string) =>
    createServiceClient({
      name: 'test-service',
      baseUrl: url,
      timeoutMs: 2_000,
      retries: 2,
      backoffBaseMs: 1,
    });

  it('says whether a failed call can have reached the service: not when every connection was refused', async () => {
    const gone = client(`http://127.0.0.1:${await freePort()}`);
    const refused = await gone.call('POST', '/x', { body: {}, idempotent: true }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DependencyError);
    expect((refused as DependencyError).mayHaveArrived).toBe(false);
    await gone.close();
    // The first attempt is read and its connection reset, then the service is gone (later attempts refused).
    const dying = createServer((req) => {
      req.socket.destroy();
      dying.close();
    });
    await new Promise<void>((resolve) => dying.listen(0, '127.0.0.1', resolve));
    const reset = client(`http://127.0.0.1:${(dying.address() as AddressInfo).port}`);
    const err = await reset.call('POST', '/x', { body: {}, idempotent: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as DependencyError).mayHaveArrived).toBe(true);
    await reset.close();
  });
});
