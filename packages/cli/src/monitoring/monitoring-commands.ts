import type { MonitoringRuntimeLayout } from './monitoring-layout.ts';

export const PROMETHEUS_BIN = 'prometheus';
/** The Debian package installs Alertmanager under this name. */
export const ALERTMANAGER_BIN = 'prometheus-alertmanager';

export interface BinaryCommand {
  readonly cmd: string;
  readonly args: readonly string[];
}

/** Set to 1/true/on to open Prometheus' lifecycle API (`/-/reload`, `/-/quit`) in local mode. */
export const PROMETHEUS_LIFECYCLE_ENV = 'VIGIL_PROMETHEUS_LIFECYCLE';

export function lifecycleRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(1|true|on|yes)$/i.test(env[PROMETHEUS_LIFECYCLE_ENV] ?? '');
}

/** How long local Prometheus keeps samples: the longest SLO/SLA window plus a few days. */
export const PROMETHEUS_RETENTION = '35d';

export function prometheusCommand(
  layout: MonitoringRuntimeLayout,
  port: number,
  host = '127.0.0.1',
  options: { lifecycle?: boolean } = {},
): BinaryCommand {
  return {
    cmd: PROMETHEUS_BIN,
    args: [
      `--config.file=${layout.prometheusConfig}`,
      `--storage.tsdb.path=${layout.prometheusData}`,
      // The SLOs' 30-day period and an SLA's calendar month (up to 31 d) must fit (default: 15 d).
      `--storage.tsdb.retention.time=${PROMETHEUS_RETENTION}`,
      `--web.listen-address=${host}:${port}`,
      // Exemplars (trace ids on latency buckets) are kept only with this feature flag.
      '--enable-feature=exemplar-storage',
      // The lifecycle API lets anyone who reaches the port stop Prometheus (`POST /-/quit`): off
      // unless asked for (VIGIL_PROMETHEUS_LIFECYCLE=1), e.g. to trigger `/-/reload` after editing rules.
      ...(options.lifecycle ? ['--web.enable-lifecycle'] : []),
    ],
  };
}

export function alertmanagerCommand(
  layout: MonitoringRuntimeLayout,
  port: number,
  host = '127.0.0.1',
): BinaryCommand {
  return {
    cmd: ALERTMANAGER_BIN,
    args: [
      `--config.file=${layout.alertmanagerConfig}`,
      `--storage.path=${layout.alertmanagerData}`,
      `--web.listen-address=${host}:${port}`,
      // An empty address turns clustering (gossip on :9094, all interfaces) off.
      '--cluster.listen-address=',
    ],
  };
}
