import { buildApp as buildNotificationService } from '@vigil/notification-service';
import { buildApp as buildPaymentService } from '@vigil/payment-service';
import { buildApp as buildProductService } from '@vigil/product-service';
import { waitFor } from '@vigil/service-kit/testing';
import { createTelemetry } from '@vigil/telemetry';
import { buildApp as buildUserService } from '@vigil/user-service';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { readConfig } from '../src/config.ts';

// POST /orders driven with app.inject against the real user, product, payment and notification
// apps over real HTTP on loopback ports (in-memory databases): the order path and its guarantees,
// without the cost of eight processes (test/order-flow runs those end to end).
const telemetry = (service: string) =>
  createTelemetry({ service, version: 'test', env: { LOG_LEVEL: 'fatal' } });
const CARD = { type: 'card', card_number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2034, cvv: '123' };
const DECLINED = { ...CARD, card_number: '4000000000000002' };

let deps: FastifyInstance[] = [];
let app: FastifyInstance;
let productUrl: string;
let paymentUrl: string;

beforeAll(async () => {
  const [user, product, payment, notification] = await Promise.all([
    buildUserService({ telemetry: telemetry('user-service') }),
    buildProductService({ telemetry: telemetry('product-service') }),
    buildPaymentService({
      telemetry: telemetry('payment-service'),
      config: { PAYMENT_LATENCY_MEDIAN_MS: 1, PAYMENT_LATENCY_SIGMA: 0 },
    }),
    buildNotificationService({ telemetry: telemetry('notification-service') }),
  ]);
  deps = [user, product, payment, notification];
  const [userUrl, prodUrl, payUrl, notifyUrl] = await Promise.all(
    deps.map((d) => d.listen({ host: '127.0.0.1', port: 0 })),
  );
  productUrl = prodUrl!;
  paymentUrl = payUrl!;
  app = await buildApp({
    telemetry: telemetry('order-service'),
    config: readConfig({
      USER_SERVICE_URL: userUrl,
      PRODUCT_SERVICE_URL: prodUrl,
      PAYMENT_SERVICE_URL: payUrl,
      NOTIFICATION_SERVICE_URL: notifyUrl,
      ORDER_WORKER_POLL_MS: '50',
      // Wide enough that orders placed together are delivered by one sweep even on a loaded machine.
      ORDER_OUTBOX_LINGER_MS: '200',
    }),
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await Promise.all(deps.map((d) => d.close()));
});

function place(key: string, body: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: '/orders', headers: { 'idempotency-key': key }, payload: body });
}

async function available(productId: number): Promise<number> {
  const res = await fetch(`${productUrl}/products/${productId}/inventory`);
  return ((await res.json()) as { available: number }).available;
}

/** Sum of order-service's dependency_requests_total by dependency. */
async function callsByDependency(): Promise<Record<string, number>> {
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^dependency_requests_total\{([^}]*)\} (\d+)/gm)) {
    const dependency = /dependency="([^"]+)"/.exec(m[1]!)![1]!;
    out[dependency] = (out[dependency] ?? 0) + Number(m[2]);
  }
  return out;
}

describe('POST /orders (order path)', () => {
  it('completes with 3 service calls before the reply, however many items, priced by the reservation', async () => {
    const before = await callsByDependency();
    const items = [
      { product_id: 1, quantity: 2 },
      { product_id: 2, quantity: 1 },
      { product_id: 3, quantity: 1 },
    ];
    const res = await place('routes-1', { customer_id: 1, items, payment_method: CARD });
    expect(res.statusCode).toBe(201);
    const order = res.json();
    expect(order.status).toBe('completed');
    expect(order.payment.last4).toBe('4242');
    expect(res.body).not.toContain('4242424242424242');
    const after = await callsByDependency();
    const delta = (d: string) => (after[d] ?? 0) - (before[d] ?? 0);
    // Customer lookup, reservation, one payment call (vault + charge). Outbox tasks (commit, confirmation)
    // run after the reply, so they are not counted until the worker gets to them: read before that.
    expect(delta('user-service')).toBe(1);
    expect(delta('payment-service')).toBe(1);
    expect(delta('product-service')).toBeLessThanOrEqual(2); // reservation (+ the commit, if already sent)
    for (const item of order.items) {
      const product = (await (await fetch(`${productUrl}/products/${item.product_id}`)).json()) as {
        name: string;
        price_cents: number;
      };
      expect(item).toMatchObject({ name: product.name, unit_price_cents: product.price_cents });
    }
    expect(order.total_cents).toBe(
      order.items.reduce(
        (s: number, i: { quantity: number; unit_price_cents: number }) => s + i.quantity * i.unit_price_cents,
        0,
      ),
    );
  });

  it('the outbox commits and confirms orders completed together with one call each, not one per order', async () => {
    const before = await callsByDependency();
    const tasksDone = async (kind: string) => {
      const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      const m = new RegExp(`^order_outbox_tasks_total\\{kind="${kind}",status="done"\\} (\\d+)`, 'm').exec(
        text,
      );
      return Number(m?.[1] ?? 0);
    };
    const [commits, confirmations] = [
      await tasksDone('commit_reservation'),
      await tasksDone('send_confirmation'),
    ];
    const orders = await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        place(`routes-batch-${i}`, {
          customer_id: i,
          items: [{ product_id: 9, quantity: 1 }],
          payment_method: CARD,
        }),
      ),
    );
    for (const res of orders) expect(res.json().status).toBe('completed');
    await waitFor(
      async () =>
        (await tasksDone('commit_reservation')) - commits === 5 &&
        (await tasksDone('send_confirmation')) - confirmations === 5
          ? true
          : undefined,
      { timeoutMs: 10_000, description: 'five commits and five confirmations delivered' },
    );
    for (const res of orders) {
      const reservation = await fetch(`${productUrl}/inventory/reservations/${res.json().id}`);
      expect(((await reservation.json()) as { status: string }).status).toBe('committed');
    }
    const after = await callsByDependency();
    const delta = (d: string) => (after[d] ?? 0) - (before[d] ?? 0);
    // Five reservations, then the commits; five confirmations. One call per sweep: fewer calls than orders.
    expect(delta('product-service') - 5).toBeLessThan(5);
    expect(delta('notification-service')).toBeLessThan(5);
  });

  it('the same key twice is one order and one charge', async () => {
    const body = { customer_id: 2, items: [{ product_id: 4, quantity: 1 }], payment_method: CARD };
    const [a, b] = [await place('routes-idem', body), await place('routes-idem', body)];
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(b.json().id).toBe(a.json().id);
    const charges = (await (await fetch(`${paymentUrl}/payments?order_id=${a.json().id}`)).json()) as {
      items: unknown[];
    };
    expect(charges.items).toHaveLength(1);
  });

  it('a declined card fails the order with 402 and its stock is released', async () => {
    const stock = await available(5);
    const res = await place('routes-declined', {
      customer_id: 3,
      items: [{ product_id: 5, quantity: 2 }],
      payment_method: DECLINED,
    });
    expect(res.statusCode).toBe(402);
    expect(res.json().error.code).toBe('PAYMENT_DECLINED');
    await waitFor(async () => ((await available(5)) === stock ? true : undefined), {
      timeoutMs: 10_000,
      description: 'stock of the declined order released',
    });
  });

  it('an unknown customer fails with 422 and releases what the parallel reservation held', async () => {
    const stock = await available(6);
    const res = await place('routes-nobody', {
      customer_id: 999_999,
      items: [{ product_id: 6, quantity: 1 }],
      payment_method: CARD,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('CUSTOMER_NOT_FOUND');
    await waitFor(async () => ((await available(6)) === stock ? true : undefined), {
      timeoutMs: 10_000,
      description: 'stock held for the unknown customer released',
    });
  });

  it('an unknown product fails with 422 naming it, and nothing is reserved', async () => {
    const res = await place('routes-noproduct', {
      customer_id: 1,
      items: [{ product_id: 999_999, quantity: 1 }],
      payment_method: CARD,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({
      code: 'PRODUCT_NOT_FOUND',
      message: 'product 999999 not found',
    });
  });

  it('more than the stock: 409 INSUFFICIENT_STOCK and nothing charged', async () => {
    // Another holder takes all but one unit of product 7.
    const hold = await fetch(`${productUrl}/inventory/reservations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        order_id: 'other-holder',
        items: [{ product_id: 7, quantity: (await available(7)) - 1 }],
      }),
    });
    expect(hold.status).toBe(201);
    const res = await place('routes-oversell', {
      customer_id: 1,
      items: [{ product_id: 7, quantity: 2 }],
      payment_method: CARD,
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('INSUFFICIENT_STOCK');
    const order = res.json().error.details.order;
    const charges = (await (await fetch(`${paymentUrl}/payments?order_id=${order.id}`)).json()) as {
      items: unknown[];
    };
    expect(charges.items).toHaveLength(0);
  });

  it('a card number failing Luhn is a 400 before anything is written or called', async () => {
    const before = await callsByDependency();
    const res = await place('routes-luhn', {
      customer_id: 1,
      items: [{ product_id: 1, quantity: 1 }],
      payment_method: { ...CARD, card_number: '4242424242424241' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(await callsByDependency()).toEqual(before);
    const list = await app.inject({ method: 'GET', url: '/orders?customer_id=1' });
    expect(list.json().items.every((o: { id: number }) => typeof o.id === 'number')).toBe(true);
    expect(res.body).not.toContain('4242424242424241');
  });
});
