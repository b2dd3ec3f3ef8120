import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Component, StartContext } from './component.ts';

export type { Component, ComponentCommand, ExtraPort, StartContext } from './component.ts';

/**
 * A Node service of this repo: `node <entry>` with PORT, readiness on /health/ready.
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
    ...(spec.after ? { after: spec.after } : {}),
    skip: (ctx) => (existsSync(join(ctx.repoRoot, spec.entry)) ? undefined : `${spec.entry} does not exist`),
    command: (ctx) => ({ cmd: ctx.node, args: [spec.entry], env: spec.env?.(ctx) ?? {} }),
    readyUrl: (ctx) => `http://${ctx.host}:${ctx.port(spec.name)}/health/ready`,
  };
}

/**
 * Everything `vigil start` can run, in any order (`after` decides the start order).
 * To add a component, append an entry; every child also gets the common env (see child-env.ts).
 */
export const components: Component[] = [
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
];
