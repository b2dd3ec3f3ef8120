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

async function available(productId: number): Promise<number> {
  return (await app.inject({ method: 'GET', url: `/products/${productId}/inventory` })).json().available;
}

function reserve(payload: unknown) {
  return app.inject({ method: 'POST', url: '/inventory/reservations', payload: payload as object });
}

function transition(orderId: string, action: 'release' | 'commit') {
  return app.inject({ method: 'POST', url: `/inventory/reservations/${orderId}/${action}` });
}

describe('POST /inventory/reservations', () => {
  it('reserves across warehouses, merges repeated products, and is idempotent per order', async () => {
    const [a5, a6] = [await available(5), await available(6)];
    const payload = {
      order_id: 'ord-1',
      items: [
        { product_id: 6, quantity: 2 },
        { product_id: 5, quantity: a5 - 1 },
        { product_id: 6, quantity: 1 },
      ],
    };
    const res = await reserve(payload);
    expect(res.statusCode).toBe(201);
    const reservation = res.json();
    expect(reservation).toMatchObject({ order_id: 'ord-1', status: 'reserved' });
    expect(
      reservation.items.map((i: { product_id: number; quantity: number }) => [i.product_id, i.quantity]),
    ).toEqual([
      [5, a5 - 1],
      [6, 3],
    ]);
    const five = reservation.items[0];
    // Each item comes priced, as GET /products/:id would answer it (the order path needs no per-item GET).
    for (const item of reservation.items) {
      const product = (await app.inject({ method: 'GET', url: `/products/${item.product_id}` })).json();
      expect(item).toMatchObject({
        name: product.name,
        unit_price_cents: product.price_cents,
        currency: product.currency,
      });
    }
    expect(five.allocations.length).toBeGreaterThan(1);
    expect(five.allocations.reduce((s: number, a: { quantity: number }) => s + a.quantity, 0)).toBe(a5 - 1);
    expect(await available(5)).toBe(1);
    expect(await available(6)).toBe(a6 - 3);
    const inventory = (await app.inject({ method: 'GET', url: '/products/5/inventory' })).json();
    expect(inventory.reserved).toBe(a5 - 1);

    const replay = await reserve(payload);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual(reservation);
    expect(await available(5)).toBe(1);

    const conflicting = await reserve({ order_id: 'ord-1', items: [{ product_id: 5, quantity: 1 }] });
    expectError(conflicting, 409, 'IDEMPOTENCY_CONFLICT');

    const fetched = await app.inject({ method: 'GET', url: '/inventory/reservations/ord-1' });
    expect(fetched.json()).toEqual(reservation);
  });

  it('is all-or-nothing: one short item reserves nothing and names the product', async () => {
    const [a7, a8] = [await available(7), await available(8)];
    const res = await reserve({
      order_id: 'ord-short',
      items: [
        { product_id: 7, quantity: 1 },
        { product_id: 8, quantity: a8 + 1 },
      ],
    });
    expectError(res, 409, 'INSUFFICIENT_STOCK');
    expect(res.json().error.message).toContain('product 8');
    expect(res.json().error.details).toEqual({ product_id: 8, requested: a8 + 1, available: a8 });
    expect([await available(7), await available(8)]).toEqual([a7, a8]);
    expectError(
      await app.inject({ method: 'GET', url: '/inventory/reservations/ord-short' }),
      404,
      'NOT_FOUND',
    );
  });

  it('unknown product → 404 naming it, nothing reserved', async () => {
    const a9 = await available(9);
    const res = await reserve({
      order_id: 'ord-ghost',
      items: [
        { product_id: 9, quantity: 1 },
        { product_id: 777, quantity: 1 },
      ],
    });
    expectError(res, 404, 'NOT_FOUND');
    expect(res.json().error.message).toContain('777');
    expect(await available(9)).toBe(a9);
  });

  it('accepts numeric order ids as text', async () => {
    const res = await reserve({ order_id: 4242, items: [{ product_id: 10, quantity: 1 }] });
    expect(res.statusCode).toBe(201);
    expect(res.json().order_id).toBe('4242');
  });

  it.each([
    [{ items: [{ product_id: 1, quantity: 1 }] }, 'order_id'],
    [{ order_id: 'bad id!', items: [{ product_id: 1, quantity: 1 }] }, 'order_id'],
    [{ order_id: 'o', items: [] }, 'items'],
    [{ order_id: 'o', items: [{ product_id: 1, quantity: 0 }] }, 'items[0].quantity'],
    [{ order_id: 'o', items: [{ product_id: -1, quantity: 1 }] }, 'items[0].product_id'],
    [{ order_id: 'o', items: [{ product_id: 1, quantity: 1.5 }] }, 'items[0].quantity'],
    [{ order_id: 'o', items: 'all' }, 'items'],
  ])('%j → 400 VALIDATION_FAILED naming %s', async (payload, field) => {
    expectError(await reserve(payload), 400, 'VALIDATION_FAILED', field);
  });
});

describe('release and commit', () => {
  it('release restores stock, is idempotent, and blocks a later commit', async () => {
    const before = await available(11);
    expect(
      (await reserve({ order_id: 'ord-rel', items: [{ product_id: 11, quantity: 4 }] })).statusCode,
    ).toBe(201);
    expect(await available(11)).toBe(before - 4);
    const released = await transition('ord-rel', 'release');
    expect(released.statusCode).toBe(200);
    expect(released.json().status).toBe('released');
    expect(await available(11)).toBe(before);
    const again = await transition('ord-rel', 'release');
    expect(again.statusCode).toBe(200);
    expect(await available(11)).toBe(before);
    expectError(await transition('ord-rel', 'commit'), 409, 'RESERVATION_RELEASED');
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const levels = (await app.inject({ method: 'GET', url: '/products/11/inventory' })).json();
    for (const w of levels.warehouses) {
      expect(metrics).toContain(`inventory_level{product_id="11",warehouse="${w.warehouse}"} ${w.available}`);
    }
  });

  it('commit keeps stock deducted, is idempotent, and blocks a later release', async () => {
    const before = await available(12);
    await reserve({ order_id: 'ord-com', items: [{ product_id: 12, quantity: 2 }] });
    const committed = await transition('ord-com', 'commit');
    expect(committed.statusCode).toBe(200);
    expect(committed.json().status).toBe('committed');
    expect((await transition('ord-com', 'commit')).statusCode).toBe(200);
    expectError(await transition('ord-com', 'release'), 409, 'RESERVATION_COMMITTED');
    expect(await available(12)).toBe(before - 2);
    expect((await app.inject({ method: 'GET', url: '/products/12/inventory' })).json().reserved).toBe(0);
  });

  it('commits a batch in one call: each reservation alone, one that cannot commit does not stop the others', async () => {
    const before = await available(14);
    await reserve({ order_id: 'ord-b1', items: [{ product_id: 14, quantity: 1 }] });
    await reserve({ order_id: 'ord-b2', items: [{ product_id: 14, quantity: 2 }] });
    await reserve({ order_id: 'ord-b3', items: [{ product_id: 14, quantity: 3 }] });
    await transition('ord-b2', 'release');
    const traceparent = '00-0123456789abcdef0123456789abcdef-0123456789abcdef-01';
    const batch = (items: unknown) =>
      app.inject({ method: 'POST', url: '/inventory/reservations/commit', payload: { items } });
    const res = await batch([
      { order_id: 'ord-b1', traceparent },
      { order_id: 'ord-b2' },
      { order_id: 'ord-b3' },
      { order_id: 'ord-b-none' },
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([
      { order_id: 'ord-b1', status: 'committed' },
      { order_id: 'ord-b2', error: { code: 'RESERVATION_RELEASED', status: 409 } },
      { order_id: 'ord-b3', status: 'committed' },
      { order_id: 'ord-b-none', error: { code: 'NOT_FOUND', status: 404 } },
    ]);
    expect(await available(14)).toBe(before - 4);
    expect((await app.inject({ method: 'GET', url: '/inventory/reservations/ord-b3' })).json().status).toBe(
      'committed',
    );
    // Again: committed ones stay committed (idempotent).
    expect((await batch([{ order_id: 'ord-b1' }])).json().items).toEqual([
      { order_id: 'ord-b1', status: 'committed' },
    ]);
    expectError(await batch([]), 400, 'VALIDATION_FAILED');
    expectError(await batch([{ order_id: 'ord-b1' }, { order_id: 'ord-b1' }]), 400, 'VALIDATION_FAILED');
    expectError(await batch([{ order_id: 'ord-b1', traceparent: 'x' }]), 400, 'VALIDATION_FAILED');
  });

  it('unknown order → 404, bad order id → 400 INVALID_ID', async () => {
    expectError(await transition('nope', 'release'), 404, 'NOT_FOUND');
    expectError(await transition('nope', 'commit'), 404, 'NOT_FOUND');
    expectError(await transition('%20bad', 'release'), 400, 'INVALID_ID');
    expectError(
      await app.inject({ method: 'GET', url: `/inventory/reservations/${'x'.repeat(65)}` }),
      400,
      'INVALID_ID',
    );
  });

  it('accepts a JSON content-type with an empty body on release', async () => {
    await reserve({ order_id: 'ord-empty', items: [{ product_id: 13, quantity: 1 }] });
    const res = await app.inject({
      method: 'POST',
      url: '/inventory/reservations/ord-empty/release',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(200);
  });
});

describe('concurrent reservations (in process)', () => {
  it('never oversell: 120 single-unit orders for 30 units → exactly 30 succeed', async () => {
    // Drain every warehouse to a known total of 30.
    const levels = (await app.inject({ method: 'GET', url: '/products/14/inventory' })).json();
    for (const w of levels.warehouses) {
      if (w.available > 0) {
        await app.inject({
          method: 'POST',
          url: '/products/14/inventory/adjust',
          payload: { warehouse: w.warehouse, delta: -w.available, reason: 'audit' },
        });
      }
    }
    await app.inject({
      method: 'POST',
      url: '/products/14/inventory/adjust',
      payload: { warehouse: 'us-west', delta: 30, reason: 'restock' },
    });
    expect(await available(14)).toBe(30);
    const results = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        reserve({ order_id: `c-${i}`, items: [{ product_id: 14, quantity: 1 }] }),
      ),
    );
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(30);
    expect(statuses.filter((s) => s === 409)).toHaveLength(90);
    expect(await available(14)).toBe(0);
  });
});
