import { browseProducts, browseUsers, SEED_DATA, viewProduct } from '../journeys.ts';
import { defineScenario } from '../scenario.ts';

export default defineScenario({
  name: 'browse',
  description: 'Read-only traffic: browse users, browse products, view a product.',
  data: SEED_DATA,
  defaults: { rate: 50, duration: '60s' },
  journeys: [browseUsers, browseProducts, viewProduct],
});
