import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Component, StartContext } from './component.ts';
import { alertmanagerComponent, prometheusComponent } from './monitoring/index.ts';

export type { Component, ComponentCommand, ExtraPort, StartContext } from './component.ts';

/**
 * A Node service of this repo: `node <entry>` with PORT, readiness on /health/ready, started
 * after the hub (when the hub runs) so its first spans and logs reach a ready receiver.
 * Skipped with a note while its entry file does not exist, so `vigil start` runs what exists.
 */
export function nodeService(spec: {
  name: string;
  entry: string;
  port: number;
  portEnv: string;
  urlEnv?: string;
  after?: string[];
  env?: (ctx: StartContext) => Record<string, string>;
}): Component {
  return {
    name: spec.name,
    port: spec.port,
    portEnv: spec.portEnv,
    ...(spec.urlEnv ? { urlEnv: spec.urlEnv } : {}),
    after: ['hub', ...(spec.after ?? [])],
    skip: (ctx) => (existsSync(join(ctx.repoRoot, spec.entry)) ? undefined : `${spec.entry} does not exist`),
    command: (ctx) => ({ cmd: ctx.node, args: [spec.entry], env: spec.env?.(ctx) ?? {} }),
    readyUrl: (ctx) => `http://${ctx.host}:${ctx.port(spec.name)}/health/ready`,
  };
}

/**
 * Everything `vigil start` can run, in any order: `after` decides the start order, and
 * components that do not wait on each other start in parallel.
 * To add a component, append an entry; every child also gets the common env (see child-env.ts).
 */
export const components: Component[] = [
  // Every nodeService starts after the hub, so services export traces and logs to a ready
  // receiver. The heap cap keeps its RSS bounded under ingest load.
  {
    name: 'hub',
    port: 4000,
    portEnv: 'HUB_PORT',
    extraPorts: [{ key: 'otlp', port: 4318, env: 'HUB_OTLP_PORT' }],
    after: [],
    skip: (ctx) =>
      existsSync(join(ctx.repoRoot, 'packages/hub/src/server.ts'))
        ? undefined
        : 'packages/hub/src/server.ts does not exist',
    command: (ctx) => ({
      cmd: ctx.node,
      args: ['--max-old-space-size=192', '--max-semi-space-size=16', 'packages/hub/src/server.ts'],
      env: {
        HUB_PORT: String(ctx.port('hub')),
        HUB_OTLP_PORT: String(ctx.port('hub.otlp')),
        // Fewer glibc malloc arenas: the writer thread otherwise adds arenas that inflate RSS.
        MALLOC_ARENA_MAX: '2',
      },
    }),
    readyUrl: (ctx) => `http://${ctx.host}:${ctx.port('hub')}/health/ready`,
    url: (ctx) =>
      `http://${ctx.host}:${ctx.port('hub')} (console and query API; OTLP on :${ctx.port('hub.otlp')})`,
  },
  nodeService({
    name: 'user-service',
    entry: 'services/user/src/server.ts',
    port: 8001,
    portEnv: 'USER_SERVICE_PORT',
    urlEnv: 'USER_SERVICE_URL',
  }),
  nodeService({
    name: 'product-service',
    entry: 'services/product/src/server.ts',
    port: 8002,
    portEnv: 'PRODUCT_SERVICE_PORT',
    urlEnv: 'PRODUCT_SERVICE_URL',
  }),
  {
    name: 'smtp-sink',
    port: 2525,
    portEnv: 'SMTP_SINK_PORT',
    extraPorts: [{ key: 'http', port: 2526, env: 'SMTP_SINK_HTTP_PORT' }],
    command: (ctx) => ({
      cmd: ctx.node,
      args: ['packages/smtp-sink/src/server.ts'],
      env: { SMTP_SINK_DIR: join(ctx.varDir, 'mail') },
    }),
    readyUrl: (ctx) => `http://${ctx.host}:${ctx.port('smtp-sink.http')}/health/ready`,
    url: (ctx) => `smtp://${ctx.host}:${ctx.port('smtp-sink')} (mail in ${join(ctx.varDir, 'mail')})`,
  },
  nodeService({
    name: 'payment-service',
    entry: 'services/payment/src/server.ts',
    port: 8004,
    portEnv: 'PAYMENT_SERVICE_PORT',
    urlEnv: 'PAYMENT_SERVICE_URL',
  }),
  nodeService({
    name: 'notification-service',
    entry: 'services/notification/src/server.ts',
    port: 8005,
    portEnv: 'NOTIFICATION_SERVICE_PORT',
    urlEnv: 'NOTIFICATION_SERVICE_URL',
    after: ['smtp-sink'],
    env: (ctx) => ({ SMTP_HOST: ctx.host, SMTP_PORT: String(ctx.port('smtp-sink')) }),
  }),
  nodeService({
    name: 'order-service',
    entry: 'services/order/src/server.ts',
    port: 8003,
    portEnv: 'ORDER_SERVICE_PORT',
    urlEnv: 'ORDER_SERVICE_URL',
    after: ['user-service', 'product-service', 'payment-service', 'notification-service'],
  }),
  nodeService({
    name: 'gateway',
    entry: 'services/gateway/src/server.ts',
    port: 8080,
    portEnv: 'GATEWAY_PORT',
    urlEnv: 'GATEWAY_URL',
    after: ['user-service', 'product-service', 'order-service', 'payment-service', 'notification-service'],
  }),
  // Real Prometheus and Alertmanager (Debian packages); their configs and the scrape targets
  // of this run are rendered under var/monitoring/ (packages/cli/src/monitoring/).
  alertmanagerComponent,
  prometheusComponent,
];
