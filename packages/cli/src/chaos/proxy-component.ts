import { component } from '@vigil/topology';
import type { Component, StartContext } from '../component.ts';
import { nodeProcess } from '../component-from-topology.ts';

export const FAULT_PROXY = 'fault-proxy';

/** The services with a proxy listener in front (the `fault-proxy` extra ports of @vigil/topology). */
export const PROXIED: readonly string[] = component(FAULT_PROXY).extraPorts.map((p) => p.key);

/**
 * The TCP fault proxy (chaos/fault-proxy.ts): one listener per proxied service, control API on
 * its main port. Started by default; VIGIL_FAULT_PROXY=off makes services call each other directly.
 */
export function faultProxyComponent(): Component {
  const base = nodeProcess(FAULT_PROXY, {
    env: (ctx) => ({
      FAULT_PROXY_ROUTES: JSON.stringify(
        PROXIED.map((name) => ({
          name,
          listenPort: ctx.port(`${FAULT_PROXY}.${name}`),
          upstreamHost: ctx.host,
          upstreamPort: ctx.port(name),
        })),
      ),
    }),
    url: (ctx) =>
      `http://${ctx.host}:${ctx.port(FAULT_PROXY)} (control API; listeners ${PROXIED.map((n) => ctx.port(`${FAULT_PROXY}.${n}`)).join(', ')})`,
  });
  return {
    ...base,
    after: [],
    skip: (ctx) => (process.env.VIGIL_FAULT_PROXY === 'off' ? 'VIGIL_FAULT_PROXY=off' : base.skip?.(ctx)),
  };
}

/** A component that calls a proxied service starts after the proxy (when the proxy runs). */
export function startsAfterProxy(c: Component): Component {
  if (c.name === FAULT_PROXY || !(c.after ?? []).some((n) => PROXIED.includes(n))) return c;
  return { ...c, after: [...(c.after ?? []), FAULT_PROXY] };
}

/** The URL other processes get for `c`: through the fault proxy when it runs in this start. */
export function proxiedUrl(c: Component, ctx: StartContext): string | undefined {
  if (!PROXIED.includes(c.name) || !ctx.components.some((x) => x.name === FAULT_PROXY)) return undefined;
  return `http://${ctx.host}:${ctx.port(`${FAULT_PROXY}.${c.name}`)}`;
}
