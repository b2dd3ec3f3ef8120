// The one place where the stack's process names, default ports, port/URL variable names and
// who-calls-whom are written. Services' configs, the CLI (`vigil start`, `vigil fault`), the
// Prometheus scrape targets and the full-stack target files are read or generated from here.
// To add a component, append one entry (docs/architecture.md, "Topology").

/** Local mode binds loopback only. */
export const LOCAL_HOST = '127.0.0.1';

/**
 * - `service`: a Node service of services/ (Fastify + @vigil/telemetry): admin fault API, scraped
 *   in job `vigil-services`, started by `vigil start` from `entry`.
 * - `hub`: the telemetry hub (its own scrape job).
 * - `support`: a local stand-in process (SMTP sink, webhook sink, ...), not scraped.
 * - `monitoring`: Prometheus, Alertmanager, exporters (commands live in packages/cli/src/monitoring).
 * - `tool`: a process the user runs on demand (`vigil load run`), not started by `vigil start`;
 *   its port is reserved here and Prometheus scrapes it in its own job while it runs.
 */
export type Role = 'service' | 'hub' | 'support' | 'monitoring' | 'tool';

export interface ExtraPortSpec {
  /** Addressed as `<name>.<key>`, e.g. `hub.otlp`. */
  readonly key: string;
  readonly port: number;
  readonly env: string;
}

export interface TopologyEntry {
  readonly name: string;
  readonly role: Role;
  /** Default main port; `portEnv` overrides it. */
  readonly port: number;
  readonly portEnv: string;
  /** Variable under which every process receives this component's base URL. */
  readonly urlEnv?: string;
  readonly extraPorts?: readonly ExtraPortSpec[];
  /** Repo-relative Node entry file (`node <entry>`), for Node processes. */
  readonly entry?: string;
  /** Components this one sends requests to (its `*_URL` config, and its start order). */
  readonly calls?: readonly string[];
}

export const topology = [
  {
    name: 'hub',
    role: 'hub',
    port: 4000,
    portEnv: 'HUB_PORT',
    extraPorts: [{ key: 'otlp', port: 4318, env: 'HUB_OTLP_PORT' }],
    entry: 'packages/hub/src/server.ts',
  },
  {
    name: 'user-service',
    role: 'service',
    port: 8001,
    portEnv: 'USER_SERVICE_PORT',
    urlEnv: 'USER_SERVICE_URL',
    entry: 'services/user/src/server.ts',
  },
  {
    name: 'product-service',
    role: 'service',
    port: 8002,
    portEnv: 'PRODUCT_SERVICE_PORT',
    urlEnv: 'PRODUCT_SERVICE_URL',
    entry: 'services/product/src/server.ts',
  },
  {
    name: 'smtp-sink',
    role: 'support',
    port: 2525,
    portEnv: 'SMTP_SINK_PORT',
    extraPorts: [{ key: 'http', port: 2526, env: 'SMTP_SINK_HTTP_PORT' }],
    entry: 'packages/smtp-sink/src/server.ts',
  },
  {
    name: 'payment-service',
    role: 'service',
    port: 8004,
    portEnv: 'PAYMENT_SERVICE_PORT',
    urlEnv: 'PAYMENT_SERVICE_URL',
    entry: 'services/payment/src/server.ts',
  },
  {
    name: 'notification-service',
    role: 'service',
    port: 8005,
    portEnv: 'NOTIFICATION_SERVICE_PORT',
    urlEnv: 'NOTIFICATION_SERVICE_URL',
    entry: 'services/notification/src/server.ts',
    calls: ['smtp-sink'],
  },
  {
    name: 'order-service',
    role: 'service',
    port: 8003,
    portEnv: 'ORDER_SERVICE_PORT',
    urlEnv: 'ORDER_SERVICE_URL',
    entry: 'services/order/src/server.ts',
    calls: ['user-service', 'product-service', 'payment-service', 'notification-service'],
  },
  {
    name: 'gateway',
    role: 'service',
    port: 8080,
    portEnv: 'GATEWAY_PORT',
    urlEnv: 'GATEWAY_URL',
    entry: 'services/gateway/src/server.ts',
    calls: ['user-service', 'product-service', 'order-service', 'payment-service', 'notification-service'],
  },
  {
    // Slack/PagerDuty/webhook stand-in: records every request (the console shows them).
    name: 'webhook-sink',
    role: 'support',
    port: 2527,
    portEnv: 'WEBHOOK_SINK_PORT',
    urlEnv: 'VIGIL_WEBHOOK_SINK_URL',
    entry: 'packages/webhook-sink/src/server.ts',
  },
  {
    // The TCP fault proxy of chaos experiments (packages/cli/src/chaos/fault-proxy.ts): control
    // API on `port`, one listener per service other processes call (the service's port + 10000);
    // `vigil start` points those services' URL variables at it.
    name: 'fault-proxy',
    role: 'support',
    port: 7070,
    portEnv: 'FAULT_PROXY_PORT',
    extraPorts: [
      { key: 'user-service', port: 18001, env: 'USER_SERVICE_PROXY_PORT' },
      { key: 'product-service', port: 18002, env: 'PRODUCT_SERVICE_PROXY_PORT' },
      { key: 'order-service', port: 18003, env: 'ORDER_SERVICE_PROXY_PORT' },
      { key: 'payment-service', port: 18004, env: 'PAYMENT_SERVICE_PROXY_PORT' },
      { key: 'notification-service', port: 18005, env: 'NOTIFICATION_SERVICE_PROXY_PORT' },
    ],
    entry: 'packages/cli/src/chaos/fault-proxy-server.ts',
  },
  {
    name: 'alertmanager',
    role: 'monitoring',
    port: 9093,
    portEnv: 'ALERTMANAGER_PORT',
    calls: ['webhook-sink'],
  },
  { name: 'prometheus', role: 'monitoring', port: 9090, portEnv: 'PROMETHEUS_PORT', calls: ['alertmanager'] },
  // Host and per-process metrics in local mode (Debian exporters; jobs `node` and `process`).
  { name: 'node-exporter', role: 'monitoring', port: 9100, portEnv: 'NODE_EXPORTER_PORT' },
  { name: 'process-exporter', role: 'monitoring', port: 9256, portEnv: 'PROCESS_EXPORTER_PORT' },
  // Synthetic probes of the gateway's public journeys for the SLAs (Debian blackbox exporter; job `blackbox`).
  {
    name: 'blackbox-exporter',
    role: 'monitoring',
    port: 9115,
    portEnv: 'BLACKBOX_EXPORTER_PORT',
    calls: ['gateway'],
  },
  // Long-term metrics store (Debian victoria-metrics): Prometheus' remote_write target, only with
  // `vigil start --long-term` (docs/scaling.md).
  { name: 'victoria-metrics', role: 'monitoring', port: 8428, portEnv: 'VICTORIA_METRICS_PORT' },
  // `vigil load run` serves its /metrics here while a run lasts (job `vigil-load`).
  { name: 'vigil-load', role: 'tool', port: 9470, portEnv: 'VIGIL_LOAD_METRICS_PORT' },
] as const satisfies readonly TopologyEntry[];

type Entries = (typeof topology)[number];
export type ComponentName = Entries['name'];
/** Names of the Node services of services/ (role `service`). */
export type ServiceName = Extract<Entries, { role: 'service' }>['name'];
type EntryOf<N extends ComponentName> = Extract<Entries, { name: N }>;
/** The URL variable of a component, e.g. `UrlEnv<'user-service'>` = `'USER_SERVICE_URL'`. */
export type UrlEnv<N extends ComponentName> =
  EntryOf<N> extends { urlEnv: infer E extends string } ? E : never;
/** Components that have a base URL variable. */
export type Addressable = { [N in ComponentName]: UrlEnv<N> extends never ? never : N }[ComponentName];
/** What a component calls, e.g. `CallsOf<'order-service'>`. */
export type CallsOf<N extends ComponentName> = EntryOf<N> extends { calls: readonly (infer C)[] } ? C : never;

const byName = new Map<string, TopologyEntry>(topology.map((e) => [e.name, e]));

/** The entry of a component; throws on an unknown name (a typo is a bug, not a default). */
export function component<N extends ComponentName>(name: N): EntryOf<N> {
  const entry = byName.get(name);
  if (!entry) throw new Error(`unknown component: ${name}`);
  return entry as EntryOf<N>;
}

/** Default port of a component, or of its extra port `<name>.<key>`. */
export function defaultPort(key: ComponentName | `${ComponentName}.${string}`): number {
  const [name, extra] = key.split('.', 2) as [ComponentName, string | undefined];
  const entry: TopologyEntry = component(name);
  if (extra === undefined) return entry.port;
  const port = entry.extraPorts?.find((p) => p.key === extra);
  if (!port) throw new Error(`unknown port: ${key}`);
  return port.port;
}

/** Local-mode base URL of a component at its default port, e.g. http://127.0.0.1:8001. */
export function defaultUrl(name: ComponentName): string {
  return `http://${LOCAL_HOST}:${defaultPort(name)}`;
}

/** Every Node service of services/, in topology order (job `vigil-services`, `vigil fault`). */
export const SERVICE_NAMES: readonly ServiceName[] = topology
  .filter((e): e is Extract<Entries, { role: 'service' }> => e.role === 'service')
  .map((e) => e.name);
