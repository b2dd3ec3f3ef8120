import type { ScenarioInput } from './scenario.ts';

// The brief's user journeys, shared by the built-in scenarios (src/scenarios/*.ts). They use
// only the gateway's public routes: browse users and products, view a product, place and read
// an order.

type JourneyInput = ScenarioInput['journeys'][number];

/** A Luhn-valid card the simulated processor accepts (payment-service test cards). */
export const TEST_CARD = {
  type: 'card',
  card_number: '4242 4242 4242 4242',
  exp_month: 12,
  exp_year: 2034,
  cvv: '123',
};

/** Seeded product with the least stock (114 units over three warehouses): the checkout rush buys it. */
export const LOW_STOCK_PRODUCT_ID = 5;

/** Seeded data (the services' migrations): users 1-12, products 1-20. */
export const SEED_DATA = {
  customers: Array.from({ length: 12 }, (_, i) => i + 1),
  // The rush product is left out so a rush does not make the other journeys fail.
  products: Array.from({ length: 20 }, (_, i) => i + 1).filter((id) => id !== LOW_STOCK_PRODUCT_ID),
};

const THINK = { min: '50ms', max: '200ms' };

export const browseUsers: JourneyInput = {
  name: 'browse-users',
  weight: 2,
  thinkTime: THINK,
  steps: [
    {
      name: 'list-users',
      path: '/users?limit=10',
      check: { status: [200], json: [{ path: 'items.0.id', exists: true }] },
      extract: { userId: 'items.*.id' },
    },
    {
      name: 'get-user',
      path: '/users/{{userId}}',
      check: { status: [200], json: [{ path: 'id', equals: '{{userId}}' }] },
    },
  ],
};

export const browseProducts: JourneyInput = {
  name: 'browse-products',
  weight: 4,
  thinkTime: THINK,
  steps: [
    {
      name: 'list-products',
      path: '/products?limit=20',
      check: { status: [200], json: [{ path: 'items.0.id', exists: true }] },
    },
    {
      name: 'list-products-page-2',
      path: '/products?limit=10&offset=10',
      check: { status: [200], json: [{ path: 'items.length', oneOf: [10] }] },
    },
  ],
};

export const viewProduct: JourneyInput = {
  name: 'view-product',
  weight: 3,
  thinkTime: THINK,
  steps: [
    {
      name: 'list-products',
      path: '/products?limit=20',
      check: { status: [200] },
      extract: { productId: 'items.*.id' },
    },
    {
      name: 'get-product',
      path: '/products/{{productId}}',
      check: {
        status: [200],
        json: [
          { path: 'id', equals: '{{productId}}' },
          { path: 'price_cents', exists: true },
        ],
      },
    },
  ],
};

/** Place an order with the test card and a fresh Idempotency-Key, then read it back. */
export const placeOrder: JourneyInput = {
  name: 'order',
  weight: 1,
  thinkTime: THINK,
  vars: { customer: '{{pick customers}}', product: '{{pick products}}' },
  steps: [
    {
      name: 'place-order',
      method: 'POST',
      path: '/orders',
      headers: { 'idempotency-key': 'load-{{uuid}}' },
      json: {
        customer_id: '{{customer}}',
        items: [{ product_id: '{{product}}', quantity: 1 }],
        payment_method: TEST_CARD,
      },
      check: {
        status: [201, 202],
        json: [{ path: 'status', oneOf: ['completed', 'awaiting_payment'] }],
      },
      extract: { orderId: 'id' },
      timeout: '15s',
    },
    {
      name: 'read-order',
      path: '/orders/{{orderId}}',
      check: { status: [200], json: [{ path: 'id', equals: '{{orderId}}' }] },
    },
  ],
};
