import { join } from 'node:path';

/** Where the checked-in monitoring configs live. */
export interface MonitoringSources {
  readonly prometheusConfig: string;
  readonly rulesDir: string;
  readonly alertmanagerConfig: string;
  readonly templatesDir: string;
}

export function monitoringSources(repoRoot: string): MonitoringSources {
  return {
    prometheusConfig: join(repoRoot, 'monitoring/prometheus/prometheus.yml'),
    rulesDir: join(repoRoot, 'monitoring/prometheus/rules'),
    alertmanagerConfig: join(repoRoot, 'monitoring/alertmanager/alertmanager.yml'),
    templatesDir: join(repoRoot, 'monitoring/alertmanager/templates'),
  };
}

/** Runtime copies and data under var/: configs in var/monitoring, TSDB and silences beside. */
export interface MonitoringRuntimeLayout {
  readonly configDir: string;
  readonly prometheusConfig: string;
  readonly targetsDir: string;
  readonly alertmanagerConfig: string;
  readonly prometheusData: string;
  readonly alertmanagerData: string;
}

export function monitoringRuntimeLayout(varDir: string): MonitoringRuntimeLayout {
  const configDir = join(varDir, 'monitoring');
  return {
    configDir,
    prometheusConfig: join(configDir, 'prometheus.yml'),
    // prometheus.yml refers to targets/*.json relative to itself.
    targetsDir: join(configDir, 'targets'),
    alertmanagerConfig: join(configDir, 'alertmanager.yml'),
    prometheusData: join(varDir, 'prometheus'),
    alertmanagerData: join(varDir, 'alertmanager'),
  };
}
