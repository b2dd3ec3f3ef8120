import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@vigil/service-kit/testing';
import { createTelemetry } from '@vigil/telemetry';
import { buildApp as buildUserService } from '@vigil/user-service';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { readConfig } from '../src/config.ts';

// The gateway's routes through app.inject: a real user-service behind it, a loopback HTTP server in
// order-service's place that records exactly what arrives, and a closed port for product-service.
const telemetry = (service: string) =>
  createTelemetry({ service, version: 'test', env: { LOG_LEVEL: 'fatal' } });
let gateway: FastifyInstance;
let users: FastifyInstance;
let usersUrl: string;
let orders: Server;
const received: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  users = await buildUserService({ telemetry: telemetry('user-service') });
  usersUrl = await users.listen({ host: '127.0.0.1', port: 0 });
  orders = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      const wait = req.url === '/orders/999' ? 2_000 : 0;
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(201, {
          'content-type': 'application/json',
          'idempotent-replayed': 'true',
          location: '/orders/7',
        });
        res.end('{"id":7,  "status":"completed"}');
      }, wait).unref();
    });
  });
  await new Promise<void>((resolve) => orders.listen(0, '127.0.0.1', resolve));
  const ordersUrl = `http://127.0.0.1:${(orders.address() as AddressInfo).port}`;
  const closed = `http://127.0.0.1:${await freePort()}`;
  gateway = await buildApp({
    telemetry: telemetry('gateway'),
    config: readConfig({
      USER_SERVICE_URL: usersUrl,
      PRODUCT_SERVICE_URL: closed,
      ORDER_SERVICE_URL: ordersUrl,
      PAYMENT_SERVICE_URL: closed,
      NOTIFICATION_SERVICE_URL: closed,
      GATEWAY_TIMEOUT_MS: '300',
    }),
  });
  await gateway.ready();
});
afterAll(async () => {
  await gateway?.close();
  await users?.close();
  orders?.closeAllConnections();
  await new Promise((resolve) => orders?.close(resolve));
});

describe('gateway public routes', () => {
  it('answers GET /users/:id as user-service does', async () => {
    const direct = await (await fetch(`${usersUrl}/users/1`)).json();
    const res = await gateway.inject({ method: 'GET', url: '/users/1' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(direct);
  });

  it('streams a body through byte for byte and passes the answer back with its status and headers', async () => {
    const body = '{"customer_id": 1,\n  "items":[{"product_id":2,"quantity":1}],"payment_method":{}}';
    const res = await gateway.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'gw-1' },
      payload: body,
    });
    expect(res.statusCode).toBe(201);
    expect(res.body).toBe('{"id":7,  "status":"completed"}');
    expect(res.headers['idempotent-replayed']).toBe('true');
    expect(res.headers.location).toBe('/orders/7');
    const got = received.at(-1)!;
    expect(got).toMatchObject({ method: 'POST', url: '/orders', body });
    expect(got.headers['idempotency-key']).toBe('gw-1');
  });

  it('never forwards internal routes (404) and refuses bodies that are not JSON (415)', async () => {
    const before = received.length;
    for (const [method, url] of [
      ['POST', '/orders/7/cancel'],
      ['POST', '/payments'],
      ['POST', '/inventory/reservations'],
      ['GET', '/notifications'],
    ] as const) {
      const res = await gateway.inject({ method, url, payload: method === 'POST' ? {} : undefined });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    const text = await gateway.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(text.statusCode).toBe(415);
    expect(received.length).toBe(before);
  });

  it('answers 502 UPSTREAM_UNAVAILABLE when the upstream is down and 504 UPSTREAM_TIMEOUT when it is slow', async () => {
    const down = await gateway.inject({ method: 'GET', url: '/products' });
    expect(down.statusCode).toBe(502);
    expect(down.json().error.code).toBe('UPSTREAM_UNAVAILABLE');
    const slow = await gateway.inject({ method: 'GET', url: '/orders/999' });
    expect(slow.statusCode).toBe(504);
    expect(slow.json().error.code).toBe('UPSTREAM_TIMEOUT');
    const metrics = (await gateway.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/upstream="product-service"/);
  });
});
