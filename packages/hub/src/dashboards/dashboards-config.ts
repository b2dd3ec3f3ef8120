import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { intVar } from '../env-vars.ts';

/** The console specs of the dashboards package (@vigil/dashboards, generated beside the Grafana JSON). */
export const DEFAULT_DASHBOARDS_FILE = fileURLToPath(import.meta.resolve('@vigil/dashboards/console.json'));

/** Env fields of the dashboards proxy and the Alertmanager webhook; spread into the hub's schema. */
export const dashboardsEnvShape = {
  /** Unset: http://127.0.0.1:$PROMETHEUS_PORT (vigil start passes every component's port). */
  PROMETHEUS_URL: z.url({ protocol: /^https?$/ }).optional(),
  PROMETHEUS_PORT: z
    .string()
    .regex(/^[0-9]+$/, 'must be a port number')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 65535, 'must be between 1 and 65535')
    .default(9090),
  VIGIL_HUB_PROMETHEUS_TIMEOUT_MS: intVar(15_000, 100, 300_000),
  VIGIL_HUB_DASHBOARDS_FILE: z.string().min(1).optional(),
  VIGIL_HUB_ALERTS_MAX_BODY_BYTES: intVar(1024 * 1024, 1024, 64 * 1024 * 1024),
  /** Newest notifications kept; older ones are deleted as new ones arrive. */
  VIGIL_HUB_ALERTS_KEEP: intVar(10_000, 1, 10_000_000),
};

export interface DashboardsConfig {
  readonly PROMETHEUS_URL?: string | undefined;
  readonly PROMETHEUS_PORT: number;
  readonly VIGIL_HUB_PROMETHEUS_TIMEOUT_MS: number;
  readonly VIGIL_HUB_DASHBOARDS_FILE?: string | undefined;
  readonly VIGIL_HUB_ALERTS_MAX_BODY_BYTES: number;
  readonly VIGIL_HUB_ALERTS_KEEP: number;
}

export function prometheusUrl(config: DashboardsConfig): string {
  return (config.PROMETHEUS_URL ?? `http://127.0.0.1:${config.PROMETHEUS_PORT}`).replace(/\/+$/, '');
}
