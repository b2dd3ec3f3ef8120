// Behaviour every SQLite-backed service must show, written once and run by each service's tests.

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteDatabase } from '../database.ts';

export interface ServiceUnderTest {
  /** The `service` label, e.g. 'user-service'. */
  readonly service: string;
  /** A GET that answers 200 from the database, e.g. '/users/1'. */
  readonly url: string;
  /** Its route template, as it appears in the `route` label, e.g. '/users/:id'. */
  readonly route: string;
  /** Another GET on a different route, which a fault on `route` must leave alone, e.g. '/users'. */
  readonly otherUrl: string;
}

const TOKEN = 'test-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

/**
 * The chaos admin API refuses without the token and an error fault changes answers and metrics.
 * `build` runs after VIGIL_ADMIN_TOKEN is set (the telemetry plugin reads it from the environment;
 * each test file runs in its own fork).
 */
export function adminFaultsSuite(target: ServiceUnderTest, build: () => Promise<FastifyInstance>): void {
  let app: FastifyInstance;
  beforeAll(async () => {
    process.env.VIGIL_ADMIN_TOKEN = TOKEN;
    app = await build();
    await app.ready();
  });
  afterAll(async () => {
    await app.inject({ method: 'DELETE', url: '/admin/faults', headers: auth });
    await app.close();
  });

  describe(`${target.service} chaos admin API`, () => {
    it('refuses without the token and changes nothing', async () => {
      const payload = { kind: 'error', ttl_seconds: 60, status: 503, route: target.route };
      for (const headers of [{}, { authorization: 'Bearer wrong' }]) {
        const res = await app.inject({ method: 'POST', url: '/admin/faults', headers, payload });
        expect(res.statusCode).toBe(401);
        expect(res.json().error.code).toBe('UNAUTHORIZED');
      }
      const list = await app.inject({ method: 'GET', url: '/admin/faults', headers: auth });
      expect(list.json().items).toEqual([]);
      expect((await app.inject({ method: 'GET', url: target.url })).statusCode).toBe(200);
    });

    it(`an error fault on ${target.route} changes answers and metrics until cleared`, async () => {
      const created = await app.inject({
        method: 'POST',
        url: '/admin/faults',
        headers: auth,
        payload: { kind: 'error', ttl_seconds: 60, status: 503, route: target.route },
      });
      expect(created.statusCode).toBe(201);
      const faulted = await app.inject({ method: 'GET', url: target.url });
      expect(faulted.statusCode).toBe(503);
      expect(faulted.json().error.code).toBe('FAULT_INJECTED');
      expect((await app.inject({ method: 'GET', url: target.otherUrl })).statusCode).toBe(200);
      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/fault_injection_active\{[^}]*kind="error"[^}]*\} 1/);
      await app.inject({ method: 'DELETE', url: '/admin/faults', headers: auth });
      expect((await app.inject({ method: 'GET', url: target.url })).statusCode).toBe(200);
    });
  });
}

/**
 * When the database fails: 500 INTERNAL_ERROR without internals, readiness 503 naming the check,
 * the 500s counted, liveness unaffected. `breakDatabase` closes the service's database handle.
 */
export function databaseFaultSuite(
  target: ServiceUnderTest,
  build: () => Promise<FastifyInstance>,
  breakDatabase: () => void,
): void {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await build();
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  describe(`${target.service} when the database fails`, () => {
    it('answers 500 INTERNAL_ERROR without internals, turns unready naming the check, and counts the 500s', async () => {
      expect((await app.inject({ method: 'GET', url: target.url })).statusCode).toBe(200);
      breakDatabase();
      const res = await app.inject({ method: 'GET', url: target.url });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'internal error' } });
      expect(res.body).not.toMatch(/database|sqlite|connection|at /i);
      expect(res.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
      const ready = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().failing).toEqual(['database']);
      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      const route = target.route.replaceAll('/', '\\/');
      expect(metrics).toMatch(
        new RegExp(`http_requests_total\\{[^}]*route="${route}"[^}]*status="500"[^}]*\\} 1`),
      );
      expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    });
  });
}

export interface ServiceSuitesOptions {
  /** The service's app; `database` is an already opened handle (the database-fault suite closes it). */
  build: (database?: SqliteDatabase) => Promise<FastifyInstance>;
  /** Opens the service's database (with its migrations); omitted for a service without one (the gateway). */
  openDatabase?: () => SqliteDatabase;
}

/** The shared suites a service runs: admin faults always, database faults when it has a database. */
export function serviceSuites(target: ServiceUnderTest, options: ServiceSuitesOptions): void {
  adminFaultsSuite(target, () => options.build());
  const { openDatabase } = options;
  if (!openDatabase) return;
  let database: SqliteDatabase | undefined;
  databaseFaultSuite(
    target,
    () => {
      database = openDatabase();
      return options.build(database);
    },
    () => database?.close(),
  );
}
