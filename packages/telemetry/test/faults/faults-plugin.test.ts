import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFaultRegistry } from '../../src/faults/fault-registry.ts';
import { faultsFastifyPlugin } from '../../src/faults/faults-plugin.ts';

const AUTH = { authorization: 'Bearer s3cret' };
let app: FastifyInstance;
let metrics: Registry;

beforeEach(async () => {
  metrics = new Registry();
  app = Fastify();
  await app.register(faultsFastifyPlugin, {
    service: 'test-service',
    adminToken: 's3cret',
    metricsRegistry: metrics,
    registry: createFaultRegistry(),
  });
  app.get('/health/ready', async () => ({ status: 'ok' }));
  app.get('/orders/:id', async () => ({ ok: true }));
  await app.ready();
});

afterEach(async () => {
  await app.inject({ method: 'DELETE', url: '/admin/faults', headers: AUTH });
  await app.close();
});

const gauge = async (kind: string) =>
  ((await metrics.getSingleMetric('fault_injection_active')?.get())?.values ?? []).find(
    (v) => v.labels.kind === kind,
  )?.value;

describe('faults admin API', () => {
  it('refuses missing, wrong and non-Bearer tokens with 401, and changes nothing', async () => {
    const spec = { kind: 'error', ttl_seconds: 60, status: 503 };
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: 's3cret' }]) {
      for (const method of ['GET', 'POST', 'DELETE'] as const) {
        const res = await app.inject({
          method,
          url: '/admin/faults',
          headers,
          payload: method === 'POST' ? spec : undefined,
        });
        expect(res.statusCode).toBe(401);
        expect(res.json().error.code).toBe('UNAUTHORIZED');
      }
    }
    expect((await app.inject({ method: 'GET', url: '/orders/1' })).statusCode).toBe(200);
    expect(await gauge('error')).toBe(0);
  });

  it('refuses every call when no token is configured', async () => {
    const bare = Fastify();
    await bare.register(faultsFastifyPlugin, {
      service: 's',
      adminToken: undefined,
      registry: createFaultRegistry(),
    });
    const previous = process.env.VIGIL_ADMIN_TOKEN;
    delete process.env.VIGIL_ADMIN_TOKEN;
    try {
      expect(
        (await bare.inject({ method: 'GET', url: '/admin/faults', headers: { authorization: 'Bearer ' } }))
          .statusCode,
      ).toBe(401);
    } finally {
      if (previous !== undefined) process.env.VIGIL_ADMIN_TOKEN = previous;
      await bare.close();
    }
  });

  it('an error fault answers its status on matching routes, shows in the gauge, and clears', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/admin/faults',
      headers: AUTH,
      payload: { kind: 'error', ttl_seconds: 60, status: 503, route: '/orders/:id' },
    });
    expect(created.statusCode).toBe(201);
    const res = await app.inject({ method: 'GET', url: '/orders/7' });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('FAULT_INJECTED');
    expect(await gauge('error')).toBe(1);
    expect(
      (await app.inject({ method: 'GET', url: '/admin/faults', headers: AUTH })).json().items,
    ).toHaveLength(1);
    const cleared = await app.inject({
      method: 'DELETE',
      url: `/admin/faults/${created.json().id}`,
      headers: AUTH,
    });
    expect(cleared.json()).toEqual({ cleared: 1 });
    expect((await app.inject({ method: 'GET', url: '/orders/7' })).statusCode).toBe(200);
    expect(await gauge('error')).toBe(0);
  });

  it('a readiness fault fails /health/ready only', async () => {
    await app.inject({
      method: 'POST',
      url: '/admin/faults',
      headers: AUTH,
      payload: { kind: 'readiness', ttl_seconds: 60 },
    });
    expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(503);
    expect((await app.inject({ method: 'GET', url: '/orders/1' })).statusCode).toBe(200);
  });

  it('rejects invalid specs with 400 naming the field', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/admin/faults',
      headers: AUTH,
      payload: { kind: 'latency', ttl_seconds: 10 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('latency_ms');
    expect(
      (await app.inject({ method: 'DELETE', url: '/admin/faults/nope', headers: AUTH })).statusCode,
    ).toBe(404);
  });
});
