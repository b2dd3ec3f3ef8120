import { placeOrder, SEED_DATA } from '../journeys.ts';
import { defineScenario } from '../scenario.ts';

export default defineScenario({
  name: 'order',
  description: 'The order journey alone: place an order (test card, Idempotency-Key), read it back.',
  data: SEED_DATA,
  defaults: { rate: 10, duration: '60s' },
  journeys: [{ ...placeOrder, thinkTime: 0 }],
});
