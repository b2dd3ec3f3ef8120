import { type Env, hostVar, loadConfig, parseConfig, portVar } from '@vigil/service-kit';
import { defaultPort } from '@vigil/topology';
import { z } from 'zod';
import { consoleEnvShape } from './console-config.ts';
import { dashboardsEnvShape } from './dashboards/dashboards-config.ts';
import { intVar } from './env-vars.ts';

function numVar(def: number, min: number, max: number) {
  return z
    .string()
    .regex(/^[0-9]+(\.[0-9]+)?$/, 'must be a non-negative number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`)
    .default(def);
}

const MiB = 1024 * 1024;

export const hubEnvSchema = z.object({
  HOST: hostVar(),
  HUB_PORT: portVar(defaultPort('hub')),
  HUB_OTLP_PORT: portVar(defaultPort('hub.otlp')),
  VIGIL_DATA_DIR: z.string().min(1).default('var/data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Compressed and decompressed request bodies are each checked against this. */
  VIGIL_HUB_MAX_BODY_BYTES: intVar(16 * MiB, 1024, 512 * MiB),
  /** Items (spans + log records) waiting for the writer; beyond this, requests get 429. */
  VIGIL_HUB_QUEUE_MAX_ITEMS: intVar(20_000, 1, 10_000_000),
  VIGIL_HUB_QUEUE_MAX_BYTES: intVar(32 * MiB, 1024, 4096 * MiB),
  /** Largest number of rows committed in one transaction. */
  VIGIL_HUB_WRITE_BATCH: intVar(10_000, 1, 1_000_000),
  VIGIL_HUB_RETENTION_HOURS: numVar(72, 0.0001, 24 * 365),
  VIGIL_HUB_MAX_DB_MB: numVar(2048, 0.01, 1_000_000),
  VIGIL_HUB_RETENTION_INTERVAL_MS: intVar(30_000, 10, 86_400_000),
  VIGIL_HUB_MAX_ATTRIBUTES: intVar(128, 1, 10_000),
  VIGIL_HUB_MAX_VALUE_LENGTH: intVar(4096, 16, 10 * MiB),
  VIGIL_HUB_MAX_DEPTH: intVar(8, 1, 64),
  /** Distinct services taken from OTLP input; spans and logs of further services are dropped (counted). */
  VIGIL_HUB_MAX_SERVICES: intVar(200, 1, 100_000),
  /** Distinct span names (operations) per service; spans with further names are dropped (counted). */
  VIGIL_HUB_MAX_OPERATIONS: intVar(1000, 1, 1_000_000),
  /** Concurrent live-tail (SSE) streams; the next one gets 429 TOO_MANY_STREAMS. */
  VIGIL_HUB_MAX_STREAMS: intVar(16, 1, 10_000),
  /** Bytes a live-tail reader may leave unread; a reader further behind is disconnected (counted). */
  VIGIL_HUB_STREAM_MAX_BUFFER_BYTES: intVar(1024 * 1024, 1024, 256 * MiB),
  /** Markdown runbooks served at /runbooks/<Alert> (default: the repository's docs/runbooks). */
  VIGIL_HUB_RUNBOOKS_DIR: z.string().min(1).optional(),
  ...dashboardsEnvShape,
  ...consoleEnvShape,
});

export type HubConfig = Readonly<z.output<typeof hubEnvSchema>>;

/** For tests and embedding: throws ConfigError on bad input. */
export function parseHubConfig(env: Env): HubConfig {
  return parseConfig(hubEnvSchema, env);
}

/** For the server entry: prints the bad variables and exits 78. */
export function loadHubConfig(env: Env = process.env): HubConfig {
  return loadConfig(hubEnvSchema, env, 'hub');
}
