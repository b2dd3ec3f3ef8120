import { type Env, loadConfig, serviceEnvShape, urlVar } from '@vigil/service-kit';
import { z } from 'zod';

export const SERVICE_NAME = 'gateway';

const schema = z.object({
  ...serviceEnvShape(8080),
  USER_SERVICE_URL: urlVar('http://127.0.0.1:8001'),
  PRODUCT_SERVICE_URL: urlVar('http://127.0.0.1:8002'),
  ORDER_SERVICE_URL: urlVar('http://127.0.0.1:8003'),
  PAYMENT_SERVICE_URL: urlVar('http://127.0.0.1:8004'),
  NOTIFICATION_SERVICE_URL: urlVar('http://127.0.0.1:8005'),
  GATEWAY_TIMEOUT_MS: z.coerce.number().int().min(10).max(120_000).default(5_000),
  /** Placing an order may wait on payment retries, so it gets a longer deadline. */
  GATEWAY_ORDERS_TIMEOUT_MS: z.coerce.number().int().min(10).max(120_000).default(20_000),
});

export type GatewayConfig = Readonly<z.output<typeof schema>>;

/** Read once at boot; exits with a one-line message naming the variable when invalid. */
export function readConfig(env: Env = process.env): GatewayConfig {
  return loadConfig(schema, env, SERVICE_NAME);
}
