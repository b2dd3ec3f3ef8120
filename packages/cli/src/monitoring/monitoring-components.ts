import { component, defaultPort, SERVICE_NAMES } from '@vigil/topology';
import { hubWebhookTokenFile } from '../admin-token.ts';
import type { Component, StartContext } from '../component.ts';
import { fromTopology } from '../component-from-topology.ts';
import { alertmanagerCommand, lifecycleRequested, prometheusCommand } from './monitoring-commands.ts';
import { monitoringRuntimeLayout, monitoringSources } from './monitoring-layout.ts';
import { prepareAlertmanager, preparePrometheus } from './prepare-monitoring.ts';
import type { ScrapeTargets } from './scrape-targets.ts';

function envPort(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 && value < 65536 ? value : fallback;
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
  };
}

/** Writes var/monitoring/targets/*.json for this run; `vigil start` calls it via the prometheus component. */
export function writeMonitoringConfigs(ctx: StartContext): void {
  preparePrometheus({
    sources: monitoringSources(ctx.repoRoot),
    layout: monitoringRuntimeLayout(ctx.varDir),
    targets: scrapeTargetsFor(ctx),
    externalLabels: { environment: process.env.DEPLOYMENT_ENVIRONMENT || 'local' },
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

export const prometheusComponent: Component = {
  ...fromTopology('prometheus'),
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
    }),
  command: (ctx) =>
    alertmanagerCommand(monitoringRuntimeLayout(ctx.varDir), ctx.port('alertmanager'), ctx.host),
  readyUrl: (ctx) => `http://${ctx.host}:${ctx.port('alertmanager')}/-/ready`,
};
