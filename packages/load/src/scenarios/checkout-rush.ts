import { LOW_STOCK_PRODUCT_ID, SEED_DATA, TEST_CARD } from '../journeys.ts';
import { defineScenario } from '../scenario.ts';

// Many buyers at once for the product with the least stock, three units an order: it sells out
// within the first ~40 orders, after which every order must be refused with 409
// INSUFFICIENT_STOCK (never oversold, never a 5xx). Run it on a fresh stack: it empties product 5.
export default defineScenario({
  name: 'checkout-rush',
  description: `A rush on low-stock product ${LOW_STOCK_PRODUCT_ID}: orders succeed until it sells out, then 409 INSUFFICIENT_STOCK.`,
  data: SEED_DATA,
  defaults: { vus: 20, duration: '20s' },
  journeys: [
    {
      name: 'rush',
      vars: { customer: '{{pick customers}}' },
      steps: [
        {
          name: 'buy-low-stock',
          method: 'POST',
          path: '/orders',
          headers: { 'idempotency-key': 'rush-{{uuid}}' },
          json: {
            customer_id: '{{customer}}',
            items: [{ product_id: LOW_STOCK_PRODUCT_ID, quantity: 3 }],
            payment_method: TEST_CARD,
          },
          check: {
            status: [201, 202, 409],
            json: [{ path: 'error.code', equals: 'INSUFFICIENT_STOCK', when: [409] }],
          },
          timeout: '15s',
        },
      ],
    },
  ],
});
