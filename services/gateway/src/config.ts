import { type Env, loadConfig, serviceEnvShape, urlVars } from '@vigil/service-kit';
import { component } from '@vigil/topology';
import { z } from 'zod';

export const SERVICE_NAME = 'gateway' as const;

const schema = z.object({
  ...serviceEnvShape(SERVICE_NAME),
  ...urlVars(component(SERVICE_NAME).calls),
  GATEWAY_TIMEOUT_MS: z.coerce.number().int().min(10).max(120_000).default(5_000),
  /** Placing an order may wait on payment retries, so it gets a longer deadline. */
  GATEWAY_ORDERS_TIMEOUT_MS: z.coerce.number().int().min(10).max(120_000).default(20_000),
});

export type GatewayConfig = Readonly<z.output<typeof schema>>;

/** Read once at boot; exits with a one-line message naming the variable when invalid. */
export function readConfig(env: Env = process.env): GatewayConfig {
  return loadConfig(schema, env, SERVICE_NAME);
}
