import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { MonitoringRuntimeLayout, MonitoringSources } from './monitoring-layout.ts';
import type { AlertmanagerTimings } from './render-alertmanager-config.ts';
import { renderAlertmanagerConfig } from './render-alertmanager-config.ts';
import { renderPrometheusConfig } from './render-prometheus-config.ts';
import type { ScrapeTargets } from './scrape-targets.ts';
import { writeScrapeTargets } from './scrape-targets.ts';

export interface PreparePrometheusOptions {
  readonly sources: MonitoringSources;
  readonly layout: MonitoringRuntimeLayout;
  readonly targets: ScrapeTargets;
  /** Defaults to the repo's rules; the test profile passes a directory of shortened copies. */
  readonly rulesDir?: string;
  readonly scrapeInterval?: string;
  readonly evaluationInterval?: string;
  readonly externalLabels?: Readonly<Record<string, string>>;
}

/** Writes var/monitoring/prometheus.yml and its file_sd targets. */
export function preparePrometheus(options: PreparePrometheusOptions): void {
  const { layout, sources } = options;
  mkdirSync(layout.configDir, { recursive: true });
  mkdirSync(layout.prometheusData, { recursive: true });
  writeScrapeTargets(layout.targetsDir, options.targets);
  const rendered = renderPrometheusConfig(readFileSync(sources.prometheusConfig, 'utf8'), {
    rulesDir: options.rulesDir ?? sources.rulesDir,
    ...(options.scrapeInterval ? { scrapeInterval: options.scrapeInterval } : {}),
    ...(options.evaluationInterval ? { evaluationInterval: options.evaluationInterval } : {}),
    ...(options.externalLabels ? { externalLabels: options.externalLabels } : {}),
  });
  writeFileSync(layout.prometheusConfig, rendered);
}

export interface PrepareAlertmanagerOptions {
  readonly sources: MonitoringSources;
  readonly layout: MonitoringRuntimeLayout;
  readonly hubWebhookUrl: string;
  readonly hubWebhookTokenFile?: string;
  readonly smtpSmarthost: string;
  readonly slackUrl?: string;
  readonly pagerdutyUrl?: string;
  readonly timings?: AlertmanagerTimings;
}

/** Writes var/monitoring/alertmanager.yml with local destinations. */
export function prepareAlertmanager(options: PrepareAlertmanagerOptions): void {
  const { layout, sources } = options;
  mkdirSync(layout.configDir, { recursive: true });
  mkdirSync(layout.alertmanagerData, { recursive: true });
  const rendered = renderAlertmanagerConfig(readFileSync(sources.alertmanagerConfig, 'utf8'), {
    templatesDir: sources.templatesDir,
    hubWebhookUrl: options.hubWebhookUrl,
    ...(options.hubWebhookTokenFile ? { hubWebhookTokenFile: options.hubWebhookTokenFile } : {}),
    smtpSmarthost: options.smtpSmarthost,
    ...(options.slackUrl ? { slackUrl: options.slackUrl } : {}),
    ...(options.pagerdutyUrl ? { pagerdutyUrl: options.pagerdutyUrl } : {}),
    ...(options.timings ? { timings: options.timings } : {}),
  });
  writeFileSync(layout.alertmanagerConfig, rendered);
}
