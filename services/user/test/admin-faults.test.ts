import { createTelemetry } from '@vigil/telemetry';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';

const TOKEN = 'test-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
let app: FastifyInstance;
beforeAll(async () => {
  // The telemetry plugin reads the admin token from the process environment (this file runs in its own fork).
  process.env.VIGIL_ADMIN_TOKEN = TOKEN;
  const telemetry = createTelemetry({
    service: 'user-service',
    version: 'test',
    env: { LOG_LEVEL: 'fatal' },
  });
  app = await buildApp({ telemetry, databaseFile: ':memory:' });
  await app.ready();
});
afterAll(async () => {
  await app.inject({ method: 'DELETE', url: '/admin/faults', headers: auth });
  await app.close();
});

describe('chaos admin API', () => {
  it('refuses without the token and changes nothing', async () => {
    const payload = { kind: 'error', ttl_seconds: 60, status: 503, route: '/users/:id' };
    for (const headers of [{}, { authorization: 'Bearer wrong' }]) {
      const res = await app.inject({ method: 'POST', url: '/admin/faults', headers, payload });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHORIZED');
    }
    const list = await app.inject({ method: 'GET', url: '/admin/faults', headers: auth });
    expect(list.json().items).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/users/1' })).statusCode).toBe(200);
  });

  it('an error fault on /users/:id changes answers and metrics until cleared', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/admin/faults',
      headers: auth,
      payload: { kind: 'error', ttl_seconds: 60, status: 503, route: '/users/:id' },
    });
    expect(created.statusCode).toBe(201);
    const faulted = await app.inject({ method: 'GET', url: '/users/1' });
    expect(faulted.statusCode).toBe(503);
    expect(faulted.json().error.code).toBe('FAULT_INJECTED');
    expect((await app.inject({ method: 'GET', url: '/users' })).statusCode).toBe(200);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/fault_injection_active\{[^}]*kind="error"[^}]*\} 1/);
    await app.inject({ method: 'DELETE', url: '/admin/faults', headers: auth });
    expect((await app.inject({ method: 'GET', url: '/users/1' })).statusCode).toBe(200);
  });
});
