import { describe, expect, it } from 'vitest';
import {
  canTransition,
  createOrderSchema,
  ORDER_STATUSES,
  requestHash,
  TRANSITIONS,
} from '../../src/domain/order.ts';

const valid = {
  customer_id: 1,
  items: [{ product_id: 2, quantity: 3 }],
  payment_method: {
    type: 'card',
    card_number: '4242 4242 4242 4242',
    exp_month: 1,
    exp_year: 2030,
    cvv: '123',
  },
};

describe('order state machine', () => {
  it('terminal states go nowhere; completed can only be cancelled', () => {
    expect(TRANSITIONS.failed).toEqual([]);
    expect(TRANSITIONS.cancelled).toEqual([]);
    expect(canTransition('completed', 'cancelled')).toBe(true);
    expect(canTransition('failed', 'completed')).toBe(false);
    expect(canTransition('pending', 'completed')).toBe(false);
    for (const status of ORDER_STATUSES) expect(canTransition(status, status)).toBe(false);
  });
});

describe('order input', () => {
  it('accepts a valid order and strips spaces from the card number', () => {
    expect(createOrderSchema.parse(valid).payment_method.card_number).toBe('4242424242424242');
  });

  it.each([
    ['Luhn failure', { payment_method: { ...valid.payment_method, card_number: '4242424242424241' } }],
    ['no items', { items: [] }],
    ['zero quantity', { items: [{ product_id: 2, quantity: 0 }] }],
    [
      'duplicate product',
      {
        items: [
          { product_id: 2, quantity: 1 },
          { product_id: 2, quantity: 1 },
        ],
      },
    ],
    ['unknown field', { coupon: 'x' }],
    ['string customer', { customer_id: '1' }],
    ['bad cvv', { payment_method: { ...valid.payment_method, cvv: '12' } }],
  ])('rejects %s', (_name, patch) => {
    expect(createOrderSchema.safeParse({ ...valid, ...patch }).success).toBe(false);
  });

  it('the idempotency fingerprint never contains the card number', () => {
    const hash = requestHash(createOrderSchema.parse(valid));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(
      requestHash(createOrderSchema.parse({ ...valid, items: [{ product_id: 2, quantity: 4 }] })),
    ).not.toBe(hash);
  });
});
