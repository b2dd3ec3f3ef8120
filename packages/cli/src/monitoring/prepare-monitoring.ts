import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rebaseRunbookUrls } from '@vigil/slo';
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
  /** Where the rules' runbook links point (e.g. this run's console); unset keeps the files' base. */
  readonly runbookBaseUrl?: string;
  /** remote_write target (the long-term store of `vigil start --long-term`). */
  readonly remoteWriteUrl?: string;
}

/** Copies every rules file of `from` into `to` with its runbook links moved to `base`. */
export function writeRebasedRules(from: string, to: string, base: string): void {
  // Read first: `from` may be `to` (the test profile's shortened copy is rebased in place).
  const files = readdirSync(from)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => [f, readFileSync(join(from, f), 'utf8')] as const);
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  for (const [file, text] of files) writeFileSync(join(to, file), rebaseRunbookUrls(text, base));
}

/** Writes var/monitoring/prometheus.yml, its file_sd targets and, for a runbook base, the rules. */
export function preparePrometheus(options: PreparePrometheusOptions): void {
  const { layout, sources } = options;
  mkdirSync(layout.configDir, { recursive: true });
  mkdirSync(layout.prometheusData, { recursive: true });
  writeScrapeTargets(layout.targetsDir, options.targets);
  let rulesDir = options.rulesDir ?? sources.rulesDir;
  if (options.runbookBaseUrl) {
    const rendered = join(layout.configDir, 'rules');
    writeRebasedRules(rulesDir, rendered, options.runbookBaseUrl);
    rulesDir = rendered;
  }
  const rendered = renderPrometheusConfig(readFileSync(sources.prometheusConfig, 'utf8'), {
    rulesDir,
    ...(options.scrapeInterval ? { scrapeInterval: options.scrapeInterval } : {}),
    ...(options.evaluationInterval ? { evaluationInterval: options.evaluationInterval } : {}),
    ...(options.externalLabels ? { externalLabels: options.externalLabels } : {}),
    ...(options.remoteWriteUrl ? { remoteWriteUrl: options.remoteWriteUrl } : {}),
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
