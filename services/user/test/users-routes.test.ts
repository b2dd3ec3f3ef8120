import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from './expect-error.ts';
import { buildTestApp } from './test-app.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
});

describe('GET /users', () => {
  it('lists the seeded users with pagination defaults and a trace id', async () => {
    const res = await app.inject({ method: 'GET', url: '/users' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
    const body = res.json();
    expect(body).toMatchObject({ total: 12, limit: 20, offset: 0 });
    expect(body.items).toHaveLength(12);
    for (const user of body.items) {
      expect(Object.keys(user).sort()).toEqual(['created_at', 'email', 'id', 'name', 'segment']);
      expect(user.email).toMatch(/@example\.com$/);
    }
  });

  it('pages with limit/offset', async () => {
    const body = (await app.inject({ method: 'GET', url: '/users?limit=5&offset=10' })).json();
    expect(body.items.map((u: { id: number }) => u.id)).toEqual([11, 12]);
    expect(body).toMatchObject({ total: 12, limit: 5, offset: 10 });
  });

  it('filters by segment', async () => {
    for (const segment of ['premium', 'regular', 'new']) {
      const body = (await app.inject({ method: 'GET', url: `/users?segment=${segment}` })).json();
      expect(body.total).toBeGreaterThan(0);
      expect(body.items.every((u: { segment: string }) => u.segment === segment)).toBe(true);
    }
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1&limit=2', 'limit'],
    ['offset=-1', 'offset'],
    ['offset=1.5', 'offset'],
    ['segment=gold', 'segment'],
  ])('?%s → 400 VALIDATION_FAILED naming %s', async (query, field) => {
    expectError(await app.inject({ method: 'GET', url: `/users?${query}` }), 400, 'VALIDATION_FAILED', field);
  });
});

describe('GET /users/:id', () => {
  it('returns one user', async () => {
    const res = await app.inject({ method: 'GET', url: '/users/1' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: 1,
      name: 'Ada Example',
      email: 'ada@example.com',
      segment: 'premium',
    });
  });

  it.each(['abc', '0', '-5', '1.5', '1e3', '%20', '99999999999999999999'])(
    'id %s → 400 INVALID_ID',
    async (id) => {
      expectError(await app.inject({ method: 'GET', url: `/users/${id}` }), 400, 'INVALID_ID');
    },
  );

  it('unknown id → 404 NOT_FOUND', async () => {
    expectError(await app.inject({ method: 'GET', url: '/users/9999' }), 404, 'NOT_FOUND');
  });
});

describe('POST /users', () => {
  it('creates a user, normalises the email, ignores unknown fields and never echoes secrets', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/users',
      payload: {
        name: '  New Person ',
        email: 'New.Person@Example.com',
        segment: 'regular',
        password: 'hunter2',
      },
    });
    expect(res.statusCode).toBe(201);
    const user = res.json();
    expect(user).toMatchObject({ name: 'New Person', email: 'new.person@example.com', segment: 'regular' });
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('password');
    expect(res.headers.location).toBe(`/users/${user.id}`);
    const fetched = await app.inject({ method: 'GET', url: `/users/${user.id}` });
    expect(fetched.json()).toEqual(user);
  });

  it('defaults the segment to new', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/users',
      payload: { name: 'B', email: 'b-new@example.com' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().segment).toBe('new');
  });

  it('duplicate email (any case) → 409 CONFLICT and nothing is written', async () => {
    const before = (await app.inject({ method: 'GET', url: '/users' })).json().total;
    const res = await app.inject({
      method: 'POST',
      url: '/users',
      payload: { name: 'Dup', email: 'ADA@example.com' },
    });
    expectError(res, 409, 'CONFLICT');
    expect((await app.inject({ method: 'GET', url: '/users' })).json().total).toBe(before);
  });

  it('concurrent creates with one email: exactly one wins, the rest get 409', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        app.inject({
          method: 'POST',
          url: '/users',
          payload: { name: `Racer ${i}`, email: 'race@example.com' },
        }),
      ),
    );
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 409)).toHaveLength(19);
  });

  it.each([
    [{ email: 'x@example.com' }, 'name'],
    [{ name: '', email: 'x@example.com' }, 'name'],
    [{ name: 'a\u0007b', email: 'x@example.com' }, 'name'],
    [{ name: 'x'.repeat(101), email: 'x@example.com' }, 'name'],
    [{ name: 'X', email: 'not-an-email' }, 'email'],
    [{ name: 'X', email: 42 }, 'email'],
    [{ name: 'X', email: 'x@example.com', segment: 'vip' }, 'segment'],
  ])('%j → 400 VALIDATION_FAILED naming %s', async (payload, field) => {
    expectError(
      await app.inject({ method: 'POST', url: '/users', payload }),
      400,
      'VALIDATION_FAILED',
      field,
    );
  });

  it('a non-object body → 400 VALIDATION_FAILED', async () => {
    for (const payload of ['[]', '"x"', '1', 'null']) {
      const res = await app.inject({
        method: 'POST',
        url: '/users',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expectError(res, 400, 'VALIDATION_FAILED');
    }
  });

  it('malformed JSON → 400 INVALID_JSON', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/users',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "x",',
    });
    expectError(res, 400, 'INVALID_JSON');
  });

  it('oversized body → 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/users',
      payload: { name: 'x', email: 'big@example.com', filler: 'y'.repeat(100_000) },
    });
    expectError(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('wrong content type → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/users',
      headers: { 'content-type': 'text/plain' },
      payload: 'name=x',
    });
    expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('service surface', () => {
  it('unknown route → 404 ROUTE_NOT_FOUND', async () => {
    expectError(await app.inject({ method: 'GET', url: '/nope' }), 404, 'ROUTE_NOT_FOUND');
    expectError(await app.inject({ method: 'DELETE', url: '/users/1' }), 404, 'ROUTE_NOT_FOUND');
  });

  it('is ready with the database check registered', async () => {
    const res = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('database');
  });

  it('counts created users by segment', async () => {
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/users_created_total\{[^}]*segment="regular"[^}]*\} 1/);
    expect(metrics).toMatch(/users_created_total\{[^}]*segment="new"[^}]*\} 2/);
  });
});
