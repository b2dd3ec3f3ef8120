import { type Env, loadConfig, serviceEnvShape } from '@vigil/service-kit';
import { z } from 'zod';

export const SERVICE_NAME = 'product-service' as const;

const schema = z.object({ ...serviceEnvShape(SERVICE_NAME) });

export type ProductConfig = Readonly<z.output<typeof schema>>;

/** Read once at boot; exits with a one-line message naming the variable when invalid. */
export function readConfig(env: Env = process.env): ProductConfig {
  return loadConfig(schema, env, SERVICE_NAME);
}
