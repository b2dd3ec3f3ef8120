import { openDatabase } from '@vigil/service-kit';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/adapters/migrations.ts';
import { createOrdersRepository } from '../../src/adapters/orders-repository.ts';
import { createCheckout } from '../../src/domain/checkout.ts';
import type { CreateOrderRequest } from '../../src/domain/order.ts';
import { type ChargeAnswer, DependencyUnavailable, type Payments } from '../../src/domain/ports.ts';

// The checkout domain alone: its ports are in-memory here (the SQLite store is the real one, on
// :memory:); orders-routes.test.ts and test/order-flow run it against the real services.
const CARD = {
  type: 'card',
  card_number: '4242424242424242',
  exp_month: 12,
  exp_year: 2034,
  cvv: '123',
} as const;
const INPUT: CreateOrderRequest = {
  customer_id: 7,
  items: [{ product_id: 1, quantity: 2 }],
  payment_method: CARD,
};

function setup(chargeAnswers: Array<ChargeAnswer | 'unavailable'>) {
  const store = createOrdersRepository(openDatabase(':memory:', migrations));
  let notified = 0;
  const charges: string[] = [];
  const payments: Payments = {
    tokenize: async () => ({ kind: 'tokenized', method: { token: 'tok_1', brand: 'visa', last4: '4242' } }),
    async charge(request) {
      charges.push(request.key);
      const answer = chargeAnswers.shift() ?? { kind: 'charged', paymentId: 99 };
      if (answer === 'unavailable') throw new DependencyUnavailable('payment-service', 'timeout');
      return answer;
    },
    refund: async () => ({ kind: 'refunded' }),
  };
  const checkout = createCheckout({
    store,
    customers: { find: async () => ({ segment: 'regular', contact: { to: 'a@example.test', name: 'A' } }) },
    inventory: {
      reserve: async (_id, items) => ({
        kind: 'reserved',
        items: items.map((i) => ({
          product_id: i.product_id,
          name: 'Mug',
          unit_price_cents: 1250,
          currency: 'USD',
        })),
      }),
      commit: async () => {},
      release: async () => {},
    },
    payments,
    outbox: { notify: () => notified++ },
    metrics: { funnel() {}, created() {}, completed() {}, duration() {}, highValue() {} },
    logger: { info() {}, warn() {} },
    trace: { annotate() {} },
    chargeRetryDelayMs: (attempt) => 100 * attempt,
    chargeRetryBaseMs: 100,
    chargeGraceMs: 0,
    highValueCents: 1_000_000,
  });
  return { checkout, store, charges, notified: () => notified };
}

describe('checkout domain', () => {
  it('an unknown charge outcome leaves the order awaiting payment; the retry completes it with the same key and notifies the outbox once', async () => {
    const { checkout, store, charges, notified } = setup(['unavailable']);
    const placed = await checkout.place('k1', INPUT, null);
    expect(placed).toMatchObject({
      kind: 'placed',
      replayed: false,
      order: { status: 'awaiting_payment', total_cents: 2500 },
    });
    expect(notified()).toBe(0);
    const order = placed.kind === 'placed' ? placed.order : undefined;
    const [due] = store.dueCharges(Date.now() + 60_000, 10);
    expect(due?.order.id).toBe(order?.id);
    expect(await checkout.charge(due!)).toBe('completed');
    expect(notified()).toBe(1);
    expect(charges).toHaveLength(2);
    expect(charges[1]).toBe(charges[0]);
    expect(checkout.find(order!.id)?.status).toBe('completed');
    // A second completion of the same order changes nothing and queues nothing.
    expect(await checkout.charge(due!)).toBe('completed');
    expect(notified()).toBe(1);
  });

  it('a declined card fails the order with a code, queues the stock release and notifies the outbox', async () => {
    const { checkout, notified } = setup([{ kind: 'declined', reason: 'insufficient_funds' }]);
    const placed = await checkout.place('k2', INPUT, null);
    expect(placed).toMatchObject({
      kind: 'placed',
      order: {
        status: 'failed',
        failure: { code: 'PAYMENT_DECLINED', message: 'the card was declined: insufficient_funds' },
      },
    });
    expect(notified()).toBe(1);
  });

  it('a replayed key answers the first reply; a key reused for another order is refused', async () => {
    const { checkout, charges } = setup([]);
    const first = await checkout.place('k3', INPUT, null);
    const again = await checkout.place('k3', INPUT, null);
    expect(again).toEqual({ ...first, replayed: true });
    expect(charges).toHaveLength(1);
    expect(await checkout.place('k3', { ...INPUT, customer_id: 8 }, null)).toEqual({ kind: 'key_reused' });
  });

  it('cancels completed orders only, refunding first', async () => {
    const { checkout } = setup([]);
    const placed = await checkout.place('k4', INPUT, null);
    const id = placed.kind === 'placed' ? placed.order.id : -1;
    expect(await checkout.cancel(id)).toMatchObject({ kind: 'cancelled', order: { status: 'cancelled' } });
    expect(await checkout.cancel(id)).toMatchObject({ kind: 'cancelled' });
    expect(await checkout.cancel(12345)).toEqual({ kind: 'not_found' });
  });
});
