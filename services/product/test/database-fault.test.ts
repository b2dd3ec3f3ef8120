import { createTelemetry } from '@vigil/telemetry';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, openServiceDatabase } from '../src/app.ts';

const db = openServiceDatabase(':memory:');
let app: FastifyInstance;
beforeAll(async () => {
  const telemetry = createTelemetry({
    service: 'product-service',
    version: 'test',
    env: { LOG_LEVEL: 'fatal' },
  });
  app = await buildApp({ telemetry, database: db });
  await app.ready();
});
afterAll(async () => {
  await app.close();
});

describe('when the database fails', () => {
  it('answers 500 INTERNAL_ERROR without internals, turns unready naming the check, and counts the 500s', async () => {
    expect((await app.inject({ method: 'GET', url: '/products/1' })).statusCode).toBe(200);
    db.close();
    const res = await app.inject({ method: 'GET', url: '/products/1' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'internal error' } });
    expect(res.body).not.toMatch(/database|sqlite|connection|at /i);
    expect(res.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
    const ready = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().failing).toEqual(['database']);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/http_requests_total\{[^}]*route="\/products\/:id"[^}]*status="500"[^}]*\} 1/);
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });
});
