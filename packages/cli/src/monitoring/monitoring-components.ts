import { component, defaultPort, SERVICE_NAMES } from '@vigil/topology';
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
      smtpSmarthost: `${ctx.host}:${smtpPort(ctx)}`,
      // Optional local stand-ins; without them local mode has no Slack/PagerDuty (never the real ones).
      ...(process.env.VIGIL_SLACK_SINK_URL ? { slackUrl: process.env.VIGIL_SLACK_SINK_URL } : {}),
      ...(process.env.VIGIL_PAGERDUTY_SINK_URL ? { pagerdutyUrl: process.env.VIGIL_PAGERDUTY_SINK_URL } : {}),
    }),
  command: (ctx) =>
    alertmanagerCommand(monitoringRuntimeLayout(ctx.varDir), ctx.port('alertmanager'), ctx.host),
  readyUrl: (ctx) => `http://${ctx.host}:${ctx.port('alertmanager')}/-/ready`,
};
