import { proxiedUrl } from './chaos/proxy-component.ts';
import type { Component, StartContext } from './component.ts';

/**
 * The environment every supervised child receives: the caller's env, then the common Vigil
 * variables (HOST, PORT, data dir, admin token, service credential, OTLP endpoint, every component's port and URL
 * variables), then the component's own `env`.
 */
export function childEnv(
  component: Component,
  ctx: StartContext,
  own: Readonly<Record<string, string>> = {},
  base: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined) env[key] = value;
  for (const c of ctx.registered) {
    env[c.portEnv] = String(ctx.port(c.name));
    for (const extra of c.extraPorts ?? []) env[extra.env] = String(ctx.port(`${c.name}.${extra.key}`));
    // Service-to-service URLs go through the fault proxy when it runs (chaos experiments).
    if (c.urlEnv) env[c.urlEnv] = proxiedUrl(c, ctx) ?? componentUrl(c, ctx);
  }
  Object.assign(env, {
    HOST: ctx.host,
    PORT: String(ctx.port(component.name)),
    VIGIL_DATA_DIR: ctx.dataDir,
    VIGIL_ADMIN_TOKEN: ctx.adminToken,
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://${ctx.host}:${ctx.otlpPort}`,
    HUB_OTLP_PORT: String(ctx.otlpPort),
  });
  if (ctx.serviceToken) env.VIGIL_SERVICE_TOKEN = ctx.serviceToken;
  return Object.assign(env, own);
}

export function componentUrl(component: Component, ctx: StartContext): string {
  return component.url ? component.url(ctx) : `http://${ctx.host}:${ctx.port(component.name)}`;
}
