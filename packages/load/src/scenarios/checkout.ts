import { browseProducts, browseUsers, placeOrder, SEED_DATA, viewProduct } from '../journeys.ts';
import { defineScenario } from '../scenario.ts';

export default defineScenario({
  name: 'checkout',
  description:
    'The mixed journey: browse users (2), browse products (4), view a product (3), place and read an order (1).',
  data: SEED_DATA,
  defaults: { rate: 20, duration: '60s' },
  journeys: [browseUsers, browseProducts, viewProduct, placeOrder],
});
