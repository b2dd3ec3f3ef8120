import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type ComponentName, component as entryOf, type TopologyEntry } from '@vigil/topology';
import type { Component, ComponentCommand, StartContext } from './component.ts';

/**
 * The declarative part of a component (name, ports, port/URL variables, start order) from
 * @vigil/topology: what it calls starts first, and every Node process starts after the hub so its
 * first spans and logs reach a ready receiver.
 */
export function fromTopology(
  name: ComponentName,
): Pick<Component, 'name' | 'port' | 'portEnv' | 'urlEnv' | 'extraPorts' | 'after'> {
  const entry: TopologyEntry = entryOf(name);
  const after = [...(entry.role === 'service' ? ['hub'] : []), ...(entry.calls ?? [])];
  return {
    name: entry.name,
    port: entry.port,
    portEnv: entry.portEnv,
    ...(entry.urlEnv ? { urlEnv: entry.urlEnv } : {}),
    ...(entry.extraPorts ? { extraPorts: entry.extraPorts } : {}),
    after,
  };
}

/**
 * A Node process of this repo: `node <entry>` (entry from @vigil/topology) with PORT, readiness on
 * /health/ready. Skipped with a note while its entry file does not exist, so `vigil start` runs what exists.
 */
export function nodeProcess(
  name: ComponentName,
  options: {
    nodeArgs?: readonly string[];
    env?: (ctx: StartContext) => Record<string, string>;
    readyPath?: (ctx: StartContext) => string;
    url?: (ctx: StartContext) => string;
  } = {},
): Component {
  const entry: string | undefined = (entryOf(name) as TopologyEntry).entry;
  if (!entry) throw new Error(`${name} has no entry file in @vigil/topology`);
  return {
    ...fromTopology(name),
    skip: (ctx) => (existsSync(join(ctx.repoRoot, entry)) ? undefined : `${entry} does not exist`),
    command: (ctx): ComponentCommand => ({
      cmd: ctx.node,
      // The absolute entry path tells this run's processes apart (process-exporter groups on it).
      args: [...(options.nodeArgs ?? []), join(ctx.repoRoot, entry)],
      env: options.env?.(ctx) ?? {},
    }),
    readyUrl: (ctx) => options.readyPath?.(ctx) ?? `http://${ctx.host}:${ctx.port(name)}/health/ready`,
    ...(options.url ? { url: options.url } : {}),
  };
}
