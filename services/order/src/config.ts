import { type Env, loadConfig, serviceEnvShape, urlVars } from '@vigil/service-kit';
import { component } from '@vigil/topology';
import { z } from 'zod';

export const SERVICE_NAME = 'order-service' as const;

const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const schema = z.object({
  ...serviceEnvShape(SERVICE_NAME),
  ...urlVars(component(SERVICE_NAME).calls),
  /** Deadline of one call to user/product/notification. */
  ORDER_CALL_TIMEOUT_MS: int(50, 60_000, 2_000),
  /** Deadline of one call to payment-service (the processor is slower). */
  ORDER_PAYMENT_TIMEOUT_MS: int(50, 60_000, 3_000),
  ORDER_CALL_RETRIES: int(0, 5, 2),
  ORDER_RETRY_BASE_MS: int(1, 10_000, 50),
  ORDER_WORKER_POLL_MS: int(10, 60_000, 500),
  /** Queued work waits this long for more before the outbox sweeps (one commit and one confirmation call per sweep). */
  ORDER_OUTBOX_LINGER_MS: int(0, 5_000, 20),
  ORDER_CHARGE_RETRY_MAX_MS: int(100, 3_600_000, 30_000),
  ORDER_CHARGE_GRACE_MS: int(100, 600_000, 15_000),
  ORDER_TASK_MAX_ATTEMPTS: int(1, 1000, 50),
  ORDER_STALE_PENDING_MS: int(1_000, 3_600_000, 120_000),
  /** Orders above this total (dollars) are "high value": their payment failures raise HighValueOrdersDropped. */
  ORDER_HIGH_VALUE_DOLLARS: z.coerce.number().min(0).max(1_000_000).default(500),
});

export type OrderConfig = Readonly<z.output<typeof schema>>;

/** Read once at boot; exits with a one-line message naming the variable when invalid. */
export function readConfig(env: Env = process.env): OrderConfig {
  return loadConfig(schema, env, SERVICE_NAME);
}
