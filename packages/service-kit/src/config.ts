import {
  type Addressable,
  type ComponentName,
  component,
  defaultPort,
  defaultUrl,
  type UrlEnv,
} from '@vigil/topology';
import { z } from 'zod';

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Checks `env` against `schema` and returns a frozen config; throws ConfigError naming each bad variable. */
export function parseConfig<S extends z.ZodType>(schema: S, env: Env): Readonly<z.output<S>> {
  // An empty variable (`PORT=`) means "use the default", as in most shells' ${VAR:-default}.
  const cleaned: Env = {};
  for (const [key, value] of Object.entries(env)) if (value !== '') cleaned[key] = value;
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const parts = result.error.issues.map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${parts.join('; ')}`);
  }
  return Object.freeze(result.data) as Readonly<z.output<S>>;
}

/**
 * Reads the config once at boot. On invalid config prints one line naming the variable(s)
 * to stderr and exits 78 (EX_CONFIG) — failing fast beats serving with a half-read config.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Env = process.env,
  service = 'service',
): Readonly<z.output<S>> {
  try {
    return parseConfig(schema, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${service}: ${err.message}\n`);
    process.exit(78);
  }
}

const PORT_MESSAGE = 'must be an integer between 0 and 65535';

/** A TCP port variable with a default. */
export function portVar(defaultPort: number) {
  return z
    .string()
    .regex(/^[0-9]{1,5}$/, PORT_MESSAGE)
    .transform(Number)
    .refine((n) => n <= 65535, PORT_MESSAGE)
    .default(defaultPort);
}

/** A host/interface to bind; local mode binds 127.0.0.1 only. */
export function hostVar(defaultHost = '127.0.0.1') {
  return z
    .string()
    .regex(/^[A-Za-z0-9.:-]{1,253}$/, 'must be a hostname or IP address')
    .default(defaultHost);
}

/** An http(s) base URL, returned without a trailing slash. */
export function urlVar(defaultUrl: string) {
  return z
    .string()
    .refine((value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'http:' || url.protocol === 'https:';
      } catch {
        return false;
      }
    }, 'must be an http(s) URL')
    .transform((value) => value.replace(/\/+$/, ''))
    .default(defaultUrl.replace(/\/+$/, ''));
}

/** The variables every service reads: HOST, PORT (default from @vigil/topology), VIGIL_DATA_DIR, VIGIL_ADMIN_TOKEN. */
export function serviceEnvShape(service: ComponentName) {
  return {
    HOST: hostVar(),
    PORT: portVar(defaultPort(service)),
    VIGIL_DATA_DIR: z.string().min(1).default('var/data'),
    VIGIL_ADMIN_TOKEN: z.string().min(1).optional(),
  };
}

type UrlShape<N extends Addressable> = { [K in N as UrlEnv<K>]: ReturnType<typeof urlVar> };

/**
 * The base-URL variables of the components a service calls, named and defaulted by
 * @vigil/topology: `urlVars(['user-service'])` → `{ USER_SERVICE_URL: urlVar('http://127.0.0.1:8001') }`.
 */
export function urlVars<const N extends readonly Addressable[]>(names: N): UrlShape<N[number]> {
  const shape: Record<string, ReturnType<typeof urlVar>> = {};
  for (const name of names) {
    const env: string | undefined = component(name).urlEnv;
    if (!env) throw new Error(`${name} has no URL variable in @vigil/topology`);
    shape[env] = urlVar(defaultUrl(name));
  }
  return shape as UrlShape<N[number]>;
}
