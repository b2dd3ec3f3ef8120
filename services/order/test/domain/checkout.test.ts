import { openDatabase } from '@vigil/service-kit';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/adapters/migrations.ts';
import { createOrdersRepository } from '../../src/adapters/orders-repository.ts';
import { createCardHold } from '../../src/domain/card-hold.ts';
import { createCheckout } from '../../src/domain/checkout.ts';
import type { CreateOrderRequest } from '../../src/domain/order.ts';
import {
  type ChargeAnswer,
  type ChargeRequest,
  DependencyUnavailable,
  type OrderStore,
  type Payments,
} from '../../src/domain/ports.ts';

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

type Scripted = ChargeAnswer | 'unavailable' | 'refused_connection';

function setup(
  chargeAnswers: Scripted[],
  store: OrderStore = createOrdersRepository(openDatabase(':memory:', migrations)),
  highValueCents = 1_000_000,
) {
  let notified = 0;
  const highValue: string[] = [];
  const charges: string[] = [];
  const requests: ChargeRequest[] = [];
  const payments: Payments = {
    async charge(request) {
      charges.push(request.key);
      requests.push(request);
      const answer = chargeAnswers.shift() ?? { kind: 'charged', paymentId: 99 };
      if (answer === 'unavailable') throw new DependencyUnavailable('payment-service', 'timeout');
      if (answer === 'refused_connection')
        throw new DependencyUnavailable('payment-service', 'unavailable', '', false);
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
      commitMany: async (orders) => orders.map(() => null),
      release: async () => {},
    },
    payments,
    outbox: { notify: () => notified++ },
    metrics: {
      funnel() {},
      created() {},
      completed() {},
      duration() {},
      highValue: (outcome) => highValue.push(outcome),
    },
    logger: { info() {}, warn() {} },
    trace: { annotate() {} },
    chargeRetryDelayMs: (attempt) => 100 * attempt,
    chargeRetryBaseMs: 100,
    chargeGraceMs: 0,
    highValueCents,
  });
  return { checkout, store, charges, requests, highValue, notified: () => notified };
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

  it('one payment call carries the card; a retry in the same process carries it again under the same key, and none after the answer', async () => {
    const { checkout, store, requests } = setup(['unavailable', 'unavailable']);
    const placed = await checkout.place('k-card', INPUT, null);
    expect(placed).toMatchObject({
      order: { status: 'awaiting_payment', payment: { brand: 'visa', last4: '4242' } },
    });
    const [due] = store.dueCharges(Date.now() + 60_000, 10);
    expect(await checkout.charge(due!)).toBe('unknown');
    expect(await checkout.charge(store.find(due!.order.id)!)).toBe('completed');
    expect(requests).toHaveLength(3);
    for (const request of requests) {
      expect(request.key).toBe(requests[0]!.key);
      expect(request.method).toEqual({ card: CARD });
    }
    // Answered: the card is dropped, so a further attempt (a completed order's) carries none.
    await checkout.charge(store.find(due!.order.id)!);
    expect(requests[3]!.method).toBeNull();
  });

  it('after a restart the retry carries no card: payment finishes the charge from its vault, or the order fails as never charged', async () => {
    const first = setup(['unavailable', 'unavailable']);
    await first.checkout.place('k-restart-1', INPUT, null);
    await first.checkout.place('k-restart-2', INPUT, null);
    // A new checkout over the same store: the process restarted and the cards are gone.
    const restarted = setup([{ kind: 'charged', paymentId: 7 }, { kind: 'not_started' }], first.store);
    const [a, b] = first.store.dueCharges(Date.now() + 60_000, 10);
    expect(await restarted.checkout.charge(a!)).toBe('completed');
    expect(await restarted.checkout.charge(b!)).toBe('failed');
    expect(restarted.requests.map((r) => r.method)).toEqual([null, null]);
    expect(restarted.requests[0]!.key).toBe(first.requests[0]!.key);
    expect(restarted.checkout.find(b!.order.id)).toMatchObject({
      status: 'failed',
      failure: { code: 'PAYMENT_INTERRUPTED' },
    });
    expect(restarted.notified()).toBe(2);
  });

  it('a refused connection on the first attempt fails the order at once (nothing can have been charged); on a retry it stays unknown', async () => {
    const { checkout, store } = setup(['refused_connection', 'unavailable', 'refused_connection']);
    const refused = await checkout.place('k-refused', INPUT, null);
    expect(refused).toMatchObject({
      order: { status: 'failed', failure: { code: 'DEPENDENCY_UNAVAILABLE' } },
    });
    const later = await checkout.place('k-later', INPUT, null);
    expect(later).toMatchObject({ order: { status: 'awaiting_payment' } });
    const [due] = store.dueCharges(Date.now() + 60_000, 10);
    expect(await checkout.charge(due!)).toBe('unknown');
    expect(checkout.find(due!.order.id)?.status).toBe('awaiting_payment');
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

  it('counts checkouts above the high-value threshold that reached payment: completed, or payment_failed when declined or payment is unreachable', async () => {
    // INPUT totals 2500 cents: above a 2000-cent threshold, below the default one.
    const above = setup(
      [
        { kind: 'charged', paymentId: 1 },
        { kind: 'declined', reason: 'insufficient_funds' },
        'refused_connection',
        'unavailable',
        { kind: 'refused', code: 'CARD_EXPIRED' },
      ],
      undefined,
      2000,
    );
    for (const key of ['hv-ok', 'hv-declined', 'hv-refused', 'hv-unknown'])
      await above.checkout.place(key, INPUT, null);
    expect(above.highValue).toEqual(['completed', 'payment_failed', 'payment_failed']);
    // The unknown outcome counts once it is known: here the retry is refused by payment.
    const [due] = above.store.dueCharges(Date.now() + 60_000, 10);
    expect(await above.checkout.charge(due!)).toBe('failed');
    expect(above.highValue).toEqual(['completed', 'payment_failed', 'payment_failed', 'payment_failed']);
    // At the threshold or below: nothing counted, whatever the outcome.
    const atOrBelow = setup(
      [
        { kind: 'charged', paymentId: 2 },
        { kind: 'declined', reason: null },
      ],
      undefined,
      2500,
    );
    await atOrBelow.checkout.place('lv-ok', INPUT, null);
    await atOrBelow.checkout.place('lv-declined', INPUT, null);
    expect(atOrBelow.highValue).toEqual([]);
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

describe('card hold', () => {
  it('keeps a card until released, for at most ttlMs, and at most max cards (oldest out first)', async () => {
    const hold = createCardHold({ ttlMs: 60_000, max: 2 });
    hold.hold(1, CARD);
    hold.hold(2, CARD);
    hold.hold(3, CARD);
    expect([hold.get(1), hold.get(2), hold.get(3)]).toEqual([undefined, CARD, CARD]);
    hold.release(2);
    expect(hold.get(2)).toBeUndefined();
    let clock = 1_000;
    const short = createCardHold({ ttlMs: 10, max: 10, now: () => clock });
    short.hold(1, CARD);
    clock += 9;
    expect(short.get(1)).toBe(CARD);
    clock += 1;
    expect(short.get(1)).toBeUndefined();
    expect(short.size).toBe(0);
  });
});
