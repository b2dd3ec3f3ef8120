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

describe('GET /products', () => {
  it('lists the seeded catalogue with pagination defaults', async () => {
    const res = await app.inject({ method: 'GET', url: '/products' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
    const body = res.json();
    expect(body).toMatchObject({ total: 20, limit: 20, offset: 0 });
    expect(body.items).toHaveLength(20);
    expect(new Set(body.items.map((p: { sku: string }) => p.sku)).size).toBe(20);
  });

  it('filters by category and pages', async () => {
    const books = (await app.inject({ method: 'GET', url: '/products?category=books' })).json();
    expect(books.total).toBe(4);
    expect(books.items.every((p: { category: string }) => p.category === 'books')).toBe(true);
    const page = (await app.inject({ method: 'GET', url: '/products?limit=3&offset=18' })).json();
    expect(page.items.map((p: { id: number }) => p.id)).toEqual([19, 20]);
    const none = (await app.inject({ method: 'GET', url: '/products?category=garden' })).json();
    expect(none).toMatchObject({ total: 0, items: [] });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=1000', 'limit'],
    ['offset=x', 'offset'],
    ['category=Books!', 'category'],
    ['category=a&category=b', 'category'],
  ])('?%s → 400 VALIDATION_FAILED naming %s', async (query, field) => {
    expectError(
      await app.inject({ method: 'GET', url: `/products?${query}` }),
      400,
      'VALIDATION_FAILED',
      field,
    );
  });
});

describe('GET /products/:id', () => {
  it('returns the product with price in cents and dollars', async () => {
    const res = await app.inject({ method: 'GET', url: '/products/2' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      id: 2,
      sku: 'ELEC-0002',
      name: 'Mechanical Keyboard',
      category: 'electronics',
      price_cents: 8999,
      price: 89.99,
      currency: 'USD',
    });
  });

  it.each(['abc', '0', '-1', '2.5', '0x10'])('id %s → 400 INVALID_ID', async (id) => {
    expectError(await app.inject({ method: 'GET', url: `/products/${id}` }), 400, 'INVALID_ID');
  });

  it('unknown id → 404 NOT_FOUND', async () => {
    expectError(await app.inject({ method: 'GET', url: '/products/404' }), 404, 'NOT_FOUND');
  });
});

describe('inventory', () => {
  it('reads per-warehouse stock', async () => {
    const res = await app.inject({ method: 'GET', url: '/products/3/inventory' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.product_id).toBe(3);
    expect(body.warehouses.map((w: { warehouse: string }) => w.warehouse)).toEqual([
      'eu-central',
      'us-east',
      'us-west',
    ]);
    expect(body.available).toBe(
      body.warehouses.reduce((s: number, w: { available: number }) => s + w.available, 0),
    );
    expect(body.reserved).toBe(0);
  });

  it('adjusts stock, updates the gauge, and never goes below zero', async () => {
    const before = (await app.inject({ method: 'GET', url: '/products/4/inventory' })).json();
    const east = before.warehouses.find((w: { warehouse: string }) => w.warehouse === 'us-east').available;
    const up = await app.inject({
      method: 'POST',
      url: '/products/4/inventory/adjust',
      payload: { warehouse: 'us-east', delta: 5, reason: 'restock' },
    });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toEqual({
      product_id: 4,
      warehouse: 'us-east',
      delta: 5,
      reason: 'restock',
      quantity: east + 5,
    });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain(`inventory_level{product_id="4",warehouse="us-east"} ${east + 5}`);

    const tooMuch = await app.inject({
      method: 'POST',
      url: '/products/4/inventory/adjust',
      payload: { warehouse: 'us-east', delta: -(east + 6), reason: 'damaged' },
    });
    expectError(tooMuch, 409, 'INSUFFICIENT_STOCK');
    expect(tooMuch.json().error.details).toEqual({ product_id: 4, requested: east + 6, available: east + 5 });
    const after = (await app.inject({ method: 'GET', url: '/products/4/inventory' })).json();
    expect(after.available).toBe(before.available + 5);

    const toZero = await app.inject({
      method: 'POST',
      url: '/products/4/inventory/adjust',
      payload: { warehouse: 'us-east', delta: -(east + 5), reason: 'audit' },
    });
    expect(toZero.json().quantity).toBe(0);
  });

  it('rejects bad adjustments with the right codes', async () => {
    const adjust = (url: string, payload: unknown) =>
      app.inject({ method: 'POST', url, payload: payload as object });
    expectError(
      await adjust('/products/x/inventory/adjust', { warehouse: 'us-east', delta: 1, reason: 'restock' }),
      400,
      'INVALID_ID',
    );
    expectError(
      await adjust('/products/999/inventory/adjust', { warehouse: 'us-east', delta: 1, reason: 'restock' }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await adjust('/products/1/inventory/adjust', { warehouse: 'mars', delta: 1, reason: 'restock' }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await adjust('/products/1/inventory/adjust', { warehouse: 'us-east', delta: 0, reason: 'restock' }),
      400,
      'VALIDATION_FAILED',
      'delta',
    );
    expectError(
      await adjust('/products/1/inventory/adjust', { warehouse: 'us-east', delta: 1.5, reason: 'restock' }),
      400,
      'VALIDATION_FAILED',
      'delta',
    );
    expectError(
      await adjust('/products/1/inventory/adjust', { warehouse: 'us-east', delta: '1', reason: 'restock' }),
      400,
      'VALIDATION_FAILED',
      'delta',
    );
    expectError(
      await adjust('/products/1/inventory/adjust', { warehouse: 'us-east', delta: 1, reason: 'because' }),
      400,
      'VALIDATION_FAILED',
      'reason',
    );
    expectError(
      await adjust('/products/1/inventory/adjust', { delta: 1, reason: 'restock' }),
      400,
      'VALIDATION_FAILED',
      'warehouse',
    );
    expectError(await app.inject({ method: 'GET', url: '/products/999/inventory' }), 404, 'NOT_FOUND');
  });

  it('malformed JSON, oversized and non-JSON bodies are refused', async () => {
    const url = '/products/1/inventory/adjust';
    expectError(
      await app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json' },
        payload: '{"delta":',
      }),
      400,
      'INVALID_JSON',
    );
    expectError(
      await app.inject({
        method: 'POST',
        url,
        payload: { warehouse: 'us-east', delta: 1, reason: 'x'.repeat(70_000) },
      }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expectError(
      await app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/xml' },
        payload: '<a/>',
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectError(await app.inject({ method: 'PUT', url }), 404, 'ROUTE_NOT_FOUND');
  });

  it('is ready with the database check registered', async () => {
    const res = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('database');
  });
});
