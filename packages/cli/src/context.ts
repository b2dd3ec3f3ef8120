import { randomBytes } from 'node:crypto';
import { defaultPort, LOCAL_HOST } from '@vigil/topology';
import type { Component, StartContext } from './component.ts';
import { CliError } from './errors.ts';
import type { VarLayout } from './paths.ts';
import { repoRoot } from './paths.ts';
import { portFromEnv } from './ports.ts';

export const HOST = LOCAL_HOST;

/** Resolves every registered port (env overrides) and fails on two components sharing one. */
export function resolvePorts(
  registered: readonly Component[],
  env: NodeJS.ProcessEnv,
): Record<string, number> {
  const ports: Record<string, number> = {};
  const owner = new Map<number, string>();
  const claim = (key: string, envName: string, fallback: number): void => {
    const port = portFromEnv(env, envName, fallback);
    const other = owner.get(port);
    if (other !== undefined) {
      throw new CliError(
        'PORT_CONFLICT',
        `port ${port} is configured for both ${other} and ${key}; set ${envName}`,
        2,
      );
    }
    owner.set(port, key);
    ports[key] = port;
  };
  for (const c of registered) {
    claim(c.name, c.portEnv, c.port);
    for (const extra of c.extraPorts ?? []) claim(`${c.name}.${extra.key}`, extra.env, extra.port);
  }
  return ports;
}

export function createStartContext(options: {
  registered: readonly Component[];
  components: readonly Component[];
  layout: VarLayout;
  adminToken: string;
  env?: NodeJS.ProcessEnv;
}): StartContext {
  const env = options.env ?? process.env;
  const ports = resolvePorts(options.registered, env);
  return {
    host: HOST,
    repoRoot,
    varDir: options.layout.varDir,
    dataDir: options.layout.dataDir,
    logDir: options.layout.logDir,
    node: process.execPath,
    ports,
    otlpPort: ports['hub.otlp'] ?? portFromEnv(env, 'HUB_OTLP_PORT', defaultPort('hub.otlp')),
    adminToken: options.adminToken,
    serviceToken: randomBytes(24).toString('base64url'),
    components: options.components,
    registered: options.registered,
    port(name: string): number {
      const port = ports[name];
      if (port === undefined) throw new Error(`unknown component port: ${name}`);
      return port;
    },
  };
}
