export {
  BLACKBOX_CONFIG,
  BLACKBOX_EXPORTER_BIN,
  blackboxExporterComponent,
  NODE_EXPORTER_BIN,
  nodeExporterComponent,
  PROCESS_EXPORTER_BIN,
  processExporterComponent,
  processExporterConfig,
} from './exporter-components.ts';
export {
  LONG_TERM_ENV,
  LONG_TERM_RETENTION,
  longTermRequested,
  remoteWriteUrl,
  VICTORIA_METRICS_BIN,
  victoriaMetricsComponent,
} from './long-term.ts';
export type { BinaryCommand } from './monitoring-commands.ts';
export {
  alertmanagerCommand,
  lifecycleRequested,
  PROMETHEUS_LIFECYCLE_ENV,
  prometheusCommand,
} from './monitoring-commands.ts';
export {
  alertmanagerComponent,
  prometheusComponent,
  runbookBaseUrl,
  scrapeTargetsFor,
  writeMonitoringConfigs,
} from './monitoring-components.ts';
export type { MonitoringRuntimeLayout, MonitoringSources } from './monitoring-layout.ts';
export { monitoringRuntimeLayout, monitoringSources } from './monitoring-layout.ts';
export { prepareAlertmanager, preparePrometheus, writeRebasedRules } from './prepare-monitoring.ts';
export type { AlertmanagerTimings } from './render-alertmanager-config.ts';
export { renderAlertmanagerConfig } from './render-alertmanager-config.ts';
export { renderPrometheusConfig } from './render-prometheus-config.ts';
export type { ProbeTarget, ScrapeTargets, ServiceTarget } from './scrape-targets.ts';
export {
  CADVISOR_PORT,
  CORE_TARGETS_DIR,
  coreScrapeTargets,
  FULL_STACK_TARGETS_DIR,
  fullStackScrapeTargets,
  NODE_EXPORTER_PORT,
  probeTargetsOf,
  SERVICE_NAMES,
  scrapeTargetFiles,
  writeScrapeTargets,
} from './scrape-targets.ts';
export { shortenRules, TEST_PROFILE, writeShortenedRules } from './test-profile.ts';
