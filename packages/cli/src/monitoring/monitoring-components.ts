import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SLO_SPEC, type SpecFile, validateSpecText } from '@vigil/slo';
import { component, defaultPort, SERVICE_NAMES } from '@vigil/topology';
import { hubWebhookTokenFile } from '../admin-token.ts';
import type { Component, StartContext } from '../component.ts';
import { fromTopology } from '../component-from-topology.ts';
import { remoteWriteUrl } from './long-term.ts';
import { alertmanagerCommand, lifecycleRequested, prometheusCommand } from './monitoring-commands.ts';
import { monitoringRuntimeLayout, monitoringSources } from './monitoring-layout.ts';
import { prepareAlertmanager, preparePrometheus } from './prepare-monitoring.ts';
import { probeTargetsOf, type ScrapeTargets } from './scrape-targets.ts';
import { TEST_PROFILE, writeShortenedRules } from './test-profile.ts';

/**
 * VIGIL_MONITORING_PROFILE=test: short scrape/evaluation intervals, `for` and Alertmanager
 * timings (the short gameday of `make test`). VIGIL_RULES_DIR: load the rule files of another
 * directory (e.g. one missing an alert, to prove a gameday then fails).
 */
function testProfile(): boolean {
  return process.env.VIGIL_MONITORING_PROFILE === 'test';
}

function envPort(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 && value < 65536 ? value : fallback;
}

/** The SLO/SLA spec whose SLA journeys the blackbox exporter probes. */
function slaSpec(repoRoot: string): SpecFile {
  const result = validateSpecText(readFileSync(join(repoRoot, SLO_SPEC), 'utf8'));
  if (!result.ok) throw new Error(`${SLO_SPEC} is invalid: ${result.errors.join('; ')}`);
  return result.spec;
}

/** What Prometheus scrapes in this run: the services being started, the hub, itself, Alertmanager. */
export function scrapeTargetsFor(ctx: StartContext): ScrapeTargets {
  const started = new Set(ctx.components.map((c) => c.name));
  return {
    host: ctx.host,
    services: SERVICE_NAMES.filter((name) => started.has(name)).map((service) => ({
      service,
      port: ctx.port(service),
    })),
    ...(started.has('hub') ? { hubPort: ctx.port('hub') } : {}),
    prometheusPort: ctx.port('prometheus'),
    alertmanagerPort: ctx.port('alertmanager'),
    // Scraped whether or not a load run is in progress: `up` is 0 between runs (no alert covers this job).
    loadPort: envPort(component('vigil-load').portEnv, defaultPort('vigil-load')),
    ...(started.has('node-exporter') ? { nodeExporterPort: ctx.port('node-exporter') } : {}),
    ...(started.has('process-exporter') ? { processExporterPort: ctx.port('process-exporter') } : {}),
    ...(started.has('blackbox-exporter') && started.has('gateway')
      ? {
          blackbox: {
            exporterPort: ctx.port('blackbox-exporter'),
            probes: probeTargetsOf(slaSpec(ctx.repoRoot), `http://${ctx.host}:${ctx.port('gateway')}`),
          },
        }
      : {}),
  };
}

/**
 * Where the alerts' runbook links open: VIGIL_RUNBOOK_BASE_URL, else this run's console
 * (the hub serves docs/runbooks at /runbooks/<Alert>).
 */
export function runbookBaseUrl(ctx: StartContext): string {
  const configured = process.env.VIGIL_RUNBOOK_BASE_URL;
  if (!configured) return `http://${ctx.host}:${hubPort(ctx)}/runbooks`;
  if (!URL.canParse(configured) || !/^https?:$/.test(new URL(configured).protocol)) {
    throw new Error(`VIGIL_RUNBOOK_BASE_URL must be an http(s) URL, got ${JSON.stringify(configured)}`);
  }
  return configured;
}

/** Writes var/monitoring/targets/*.json and rules/ for this run; `vigil start` calls it via the prometheus component. */
export function writeMonitoringConfigs(ctx: StartContext): void {
  const sources = monitoringSources(ctx.repoRoot);
  const layout = monitoringRuntimeLayout(ctx.varDir);
  const rulesSource = process.env.VIGIL_RULES_DIR || sources.rulesDir;
  let rulesDir = rulesSource;
  if (testProfile()) {
    rulesDir = join(layout.configDir, 'rules');
    rmSync(rulesDir, { recursive: true, force: true });
    writeShortenedRules(rulesSource, rulesDir, TEST_PROFILE.alertFor, TEST_PROFILE.windows);
  }
  preparePrometheus({
    sources,
    layout,
    targets: scrapeTargetsFor(ctx),
    rulesDir,
    ...(testProfile()
      ? { scrapeInterval: TEST_PROFILE.scrapeInterval, evaluationInterval: TEST_PROFILE.evaluationInterval }
      : {}),
    externalLabels: { environment: process.env.DEPLOYMENT_ENVIRONMENT || (testProfile() ? 'test' : 'local') },
    runbookBaseUrl: runbookBaseUrl(ctx),
    ...(remoteWriteUrl(ctx) ? { remoteWriteUrl: remoteWriteUrl(ctx) } : {}),
  });
}

function hubPort(ctx: StartContext): number {
  return ctx.ports.hub ?? envPort(component('hub').portEnv, defaultPort('hub'));
}

function smtpPort(ctx: StartContext): number {
  return ctx.ports['smtp-sink'] ?? ctx.ports.smtp ?? envPort('SMTP_PORT', defaultPort('smtp-sink'));
}

/** Alertmanager's Slack/PagerDuty destinations in local mode: the webhook sink when it runs. */
function sinkUrls(ctx: StartContext): { slackUrl?: string; pagerdutyUrl?: string } {
  const runs = ctx.components.some((c) => c.name === 'webhook-sink');
  const sink = runs ? `http://${ctx.host}:${ctx.port('webhook-sink')}` : undefined;
  const slackUrl = process.env.VIGIL_SLACK_SINK_URL || (sink && `${sink}/slack/alertmanager`);
  const pagerdutyUrl = process.env.VIGIL_PAGERDUTY_SINK_URL || (sink && `${sink}/pagerduty/v2/enqueue`);
  return { ...(slackUrl ? { slackUrl } : {}), ...(pagerdutyUrl ? { pagerdutyUrl } : {}) };
}

const prometheusTopology = fromTopology('prometheus');
export const prometheusComponent: Component = {
  ...prometheusTopology,
  // The long-term store (when it runs) is up before the first remote_write.
  after: [...(prometheusTopology.after ?? []), 'victoria-metrics'],
  optional: true,
  prepare: (ctx) => writeMonitoringConfigs(ctx),
  command: (ctx) =>
    prometheusCommand(monitoringRuntimeLayout(ctx.varDir), ctx.port('prometheus'), ctx.host, {
      lifecycle: lifecycleRequested(),
    }),
  readyUrl: (ctx) => `http://${ctx.host}:${ctx.port('prometheus')}/-/ready`,
};

export const alertmanagerComponent: Component = {
  ...fromTopology('alertmanager'),
  optional: true,
  prepare: (ctx) =>
    prepareAlertmanager({
      sources: monitoringSources(ctx.repoRoot),
      layout: monitoringRuntimeLayout(ctx.varDir),
      hubWebhookUrl: `http://${ctx.host}:${hubPort(ctx)}/api/alerts/webhook`,
      hubWebhookTokenFile: hubWebhookTokenFile(ctx.varDir),
      smtpSmarthost: `${ctx.host}:${smtpPort(ctx)}`,
      // Slack and PagerDuty go to the local webhook sink (never the real ones); VIGIL_*_SINK_URL override.
      ...sinkUrls(ctx),
      ...(testProfile() ? { timings: TEST_PROFILE.timings } : {}),
    }),
  command: (ctx) =>
    alertmanagerCommand(monitoringRuntimeLayout(ctx.varDir), ctx.port('alertmanager'), ctx.host),
  readyUrl: (ctx) => `http://${ctx.host}:${ctx.port('alertmanager')}/-/ready`,
};
