import type { MonitoringRuntimeLayout } from './monitoring-layout.ts';

export const PROMETHEUS_BIN = 'prometheus';
/** The Debian package installs Alertmanager under this name. */
export const ALERTMANAGER_BIN = 'prometheus-alertmanager';

export interface BinaryCommand {
  readonly cmd: string;
  readonly args: readonly string[];
}

export function prometheusCommand(
  layout: MonitoringRuntimeLayout,
  port: number,
  host = '127.0.0.1',
): BinaryCommand {
  return {
    cmd: PROMETHEUS_BIN,
    args: [
      `--config.file=${layout.prometheusConfig}`,
      `--storage.tsdb.path=${layout.prometheusData}`,
      `--web.listen-address=${host}:${port}`,
      // Exemplars (trace ids on latency buckets) are kept only with this feature flag.
      '--enable-feature=exemplar-storage',
      // Lets `vigil` (and tests) trigger a config reload after rewriting it.
      '--web.enable-lifecycle',
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
