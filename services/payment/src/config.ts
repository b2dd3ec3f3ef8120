import { type Env, loadConfig, serviceEnvShape } from '@vigil/service-kit';
import { z } from 'zod';

export const SERVICE_NAME = 'payment-service' as const;

const schema = z.object({
  ...serviceEnvShape(SERVICE_NAME),
  PAYMENT_LATENCY_MEDIAN_MS: z.coerce.number().min(0).max(10_000).default(6),
  PAYMENT_LATENCY_SIGMA: z.coerce.number().min(0).max(3).default(0.5),
});

export type PaymentConfig = Readonly<z.output<typeof schema>>;

/** Read once at boot; exits with a one-line message naming the variable when invalid. */
export function readConfig(env: Env = process.env): PaymentConfig {
  return loadConfig(schema, env, SERVICE_NAME);
}
