import { join } from 'node:path';
import { type ComponentName, topology } from '@vigil/topology';
import type { Component } from './component.ts';
import { nodeProcess } from './component-from-topology.ts';
import { alertmanagerComponent, prometheusComponent } from './monitoring/index.ts';

export type { Component, ComponentCommand, ExtraPort, StartContext } from './component.ts';
export { fromTopology, nodeProcess } from './component-from-topology.ts';

/**
 * What differs from the default `nodeProcess(name)` per component. A Node service of services/
 * needs nothing here: its topology entry is enough.
 */
const custom: Partial<Record<ComponentName, Component>> = {
  // The heap cap keeps the hub's RSS bounded under ingest load.
  hub: nodeProcess('hub', {
    nodeArgs: ['--max-old-space-size=192', '--max-semi-space-size=16'],
    env: () => ({
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
  'notification-service': nodeProcess('notification-service', {
    env: (ctx) => ({ SMTP_HOST: ctx.host, SMTP_PORT: String(ctx.port('smtp-sink')) }),
  }),
  // Real Prometheus and Alertmanager (Debian packages); their configs and the scrape targets
  // of this run are rendered under var/monitoring/ (packages/cli/src/monitoring/).
  alertmanager: alertmanagerComponent,
  prometheus: prometheusComponent,
};

/**
 * Everything `vigil start` can run, one per @vigil/topology entry: `after` decides the start
 * order, and components that do not wait on each other start in parallel. To add a component,
 * add its topology entry; add a line to `custom` only if it is not a plain Node service.
 * Every child also gets the common env (see child-env.ts).
 */
export const components: Component[] = topology.map((entry) => custom[entry.name] ?? nodeProcess(entry.name));
