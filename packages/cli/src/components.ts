import { join } from 'node:path';
import { type ComponentName, topology } from '@vigil/topology';
import { hubWebhookTokenFile } from './admin-token.ts';
import { faultProxyComponent, startsAfterProxy } from './chaos/proxy-component.ts';
import type { Component, StartContext } from './component.ts';
import { nodeProcess } from './component-from-topology.ts';
import {
  alertmanagerComponent,
  blackboxExporterComponent,
  nodeExporterComponent,
  processExporterComponent,
  prometheusComponent,
  victoriaMetricsComponent,
} from './monitoring/index.ts';
import { usersFile } from './users-file-path.ts';

export type { Component, ComponentCommand, ExtraPort, StartContext } from './component.ts';
export { fromTopology, nodeProcess } from './component-from-topology.ts';

/** The alert console's wiring in local mode: secrets under var/run, users in var/, sinks for every channel. */
function hubConsoleEnv(ctx: StartContext): Record<string, string> {
  const sink = `http://${ctx.host}:${ctx.port('webhook-sink')}`;
  return {
    VIGIL_HUB_WEBHOOK_TOKEN_FILE: hubWebhookTokenFile(ctx.varDir),
    VIGIL_HUB_USERS_FILE: usersFile(ctx.varDir),
    VIGIL_HUB_ONCALL_DIR: join(ctx.repoRoot, 'monitoring/oncall'),
    VIGIL_HUB_ALERTMANAGERS: `local=http://${ctx.host}:${ctx.port('alertmanager')}`,
    VIGIL_HUB_SMTP_HOST: ctx.host,
    VIGIL_HUB_SMTP_PORT: String(ctx.port('smtp-sink')),
    // Channel destinations named in monitoring/oncall/people.yaml (production sets real ones).
    VIGIL_SLACK_WEBHOOK_URL: process.env.VIGIL_SLACK_WEBHOOK_URL || `${sink}/slack/incidents`,
    VIGIL_PAGERDUTY_URL: process.env.VIGIL_PAGERDUTY_URL || `${sink}/pagerduty/v2/enqueue`,
    VIGIL_PAGERDUTY_ROUTING_KEY: process.env.VIGIL_PAGERDUTY_ROUTING_KEY || 'local-routing-key',
    VIGIL_OPS_WEBHOOK_URL: process.env.VIGIL_OPS_WEBHOOK_URL || `${sink}/webhook/ops`,
  };
}

/**
 * What differs from the default `nodeProcess(name)` per component. A Node service of services/
 * needs nothing here: its topology entry is enough.
 */
const custom: Partial<Record<ComponentName, Component>> = {
  // The heap cap keeps the hub's RSS bounded under ingest load.
  hub: nodeProcess('hub', {
    nodeArgs: ['--max-old-space-size=192', '--max-semi-space-size=16'],
    env: (ctx) => ({
      ...hubConsoleEnv(ctx),
      // Fewer glibc malloc arenas: the writer thread otherwise adds arenas that inflate RSS.
      MALLOC_ARENA_MAX: '2',
    }),
    url: (ctx) =>
      `http://${ctx.host}:${ctx.port('hub')} (console and query API; OTLP on :${ctx.port('hub.otlp')})`,
  }),
  'smtp-sink': nodeProcess('smtp-sink', {
    env: (ctx) => ({ SMTP_SINK_DIR: join(ctx.varDir, 'mail') }),
    readyPath: (ctx) => `http://${ctx.host}:${ctx.port('smtp-sink.http')}/health/ready`,
    url: (ctx) => `smtp://${ctx.host}:${ctx.port('smtp-sink')} (mail in ${join(ctx.varDir, 'mail')})`,
  }),
  'webhook-sink': nodeProcess('webhook-sink', {
    env: (ctx) => ({ WEBHOOK_SINK_FILE: join(ctx.varDir, 'webhook-sink', 'requests.jsonl') }),
  }),
  'notification-service': nodeProcess('notification-service', {
    env: (ctx) => ({ SMTP_HOST: ctx.host, SMTP_PORT: String(ctx.port('smtp-sink')) }),
  }),
  // Real Prometheus and Alertmanager (Debian packages); their configs and the scrape targets
  // of this run are rendered under var/monitoring/ (packages/cli/src/monitoring/).
  alertmanager: alertmanagerComponent,
  prometheus: prometheusComponent,
  // Host and process metrics (Debian prometheus-node-exporter / prometheus-process-exporter).
  'node-exporter': nodeExporterComponent,
  'process-exporter': processExporterComponent,
  // The SLAs' synthetic probes of the gateway (Debian prometheus-blackbox-exporter).
  'blackbox-exporter': blackboxExporterComponent,
  // Long-term store, Prometheus' remote_write target: only with `vigil start --long-term`.
  'victoria-metrics': victoriaMetricsComponent,
  'fault-proxy': faultProxyComponent(),
};

/**
 * Everything `vigil start` can run, one per @vigil/topology entry: `after` decides the start
 * order, and components that do not wait on each other start in parallel. To add a component,
 * add its topology entry; add a line to `custom` only if it is not a plain Node service.
 * Every child also gets the common env (see child-env.ts).
 */
export const components: Component[] = topology
  .filter((entry) => entry.role !== 'tool')
  .map((entry) =>
    startsAfterProxy(custom[entry.name as Exclude<ComponentName, 'vigil-load'>] ?? nodeProcess(entry.name)),
  );
