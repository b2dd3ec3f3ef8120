import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type RunningService, startService, waitFor } from '@vigil/service-kit/testing';

export const ADMIN_TOKEN = 'order-flow-test-admin-token';
/** The stacks' service credential (VIGIL_SERVICE_TOKEN), fresh per test process. */
export const SERVICE_TOKEN = randomBytes(24).toString('base64url');
// Base URLs of services behind the gateway: `http()` sends them the service credential, as services do.
const internalBases = new Set<string>();

export type ServiceName =
  | 'hub'
  | 'smtp-sink'
  | 'user'
  | 'product'
  | 'payment'
  | 'notification'
  | 'order'
  | 'gateway';

const ENTRIES: Record<ServiceName, string> = {
  hub: 'packages/hub/src/server.ts',
  'smtp-sink': 'packages/smtp-sink/src/server.ts',
  user: 'services/user/src/server.ts',
  product: 'services/product/src/server.ts',
  payment: 'services/payment/src/server.ts',
  notification: 'services/notification/src/server.ts',
  order: 'services/order/src/server.ts',
  gateway: 'services/gateway/src/server.ts',
};

export interface StackOptions {
  /** Start the hub and export traces and logs to it. */
  hub?: boolean;
  /** Extra environment per service. */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
}

export interface Stack {
  readonly dir: string;
  readonly mailDir: string;
  readonly ports: Record<ServiceName, number>;
  url(name: ServiceName): string;
  readonly hubApi: string | undefined;
  service(name: ServiceName): RunningService;
  /** Stops one process (SIGKILL = crash). */
  stop(name: ServiceName, signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(name: ServiceName): Promise<void>;
  /** Everything every process wrote so far, including processes since restarted. */
  logs(name?: ServiceName): string;
  mail(): string[];
  close(): Promise<void>;
}

/** The whole order flow as real processes on free ports with a temp data dir. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-order-flow-'));
  const mailDir = join(dir, 'mail');
  const names: ServiceName[] = [
    'smtp-sink',
    'user',
    'product',
    'payment',
    'notification',
    'order',
    'gateway',
  ];
  if (options.hub) names.unshift('hub');
  const ports = {} as Record<ServiceName, number>;
  for (const name of [...names, 'hub' as const]) ports[name] = await freePort();
  const smtpPort = await freePort();
  const hubOtlp = await freePort();
  const url = (name: ServiceName) => `http://127.0.0.1:${ports[name]}`;
  for (const name of ['user', 'product', 'order', 'payment', 'notification'] as const)
    internalBases.add(url(name));
  const common: Record<string, string> = {
    VIGIL_ADMIN_TOKEN: ADMIN_TOKEN,
    VIGIL_SERVICE_TOKEN: SERVICE_TOKEN,
    VIGIL_DATA_DIR: join(dir, 'data'),
    LOG_LEVEL: 'info',
    USER_SERVICE_URL: url('user'),
    PRODUCT_SERVICE_URL: url('product'),
    ORDER_SERVICE_URL: url('order'),
    PAYMENT_SERVICE_URL: url('payment'),
    NOTIFICATION_SERVICE_URL: url('notification'),
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtpPort),
    PAYMENT_LATENCY_MEDIAN_MS: '2',
    NOTIFY_RETRY_BASE_MS: '100',
    NOTIFY_RETRY_MAX_MS: '1000',
    NOTIFY_POLL_MS: '100',
    NOTIFY_SEND_TIMEOUT_MS: '2000',
    ORDER_WORKER_POLL_MS: '100',
    ORDER_CHARGE_RETRY_MAX_MS: '1000',
    // Generous for user/product on a loaded CI box; payment keeps 3 s (the slow-payment test relies on it).
    ORDER_CALL_TIMEOUT_MS: '10000',
    ORDER_PAYMENT_TIMEOUT_MS: '3000',
    ORDER_CHARGE_GRACE_MS: '5000',
  };
  if (options.hub) {
    common.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${hubOtlp}`;
    common.OTEL_BSP_SCHEDULE_DELAY = '200';
    common.OTEL_BLRP_SCHEDULE_DELAY = '200';
  }
  const envFor = (name: ServiceName): Record<string, string> => {
    const own: Record<string, string> = { PORT: String(ports[name]) };
    if (name === 'hub') {
      Object.assign(own, {
        HUB_PORT: String(ports.hub),
        HUB_OTLP_PORT: String(hubOtlp),
        VIGIL_DATA_DIR: join(dir, 'hub'),
      });
    }
    if (name === 'smtp-sink') {
      Object.assign(own, {
        SMTP_SINK_PORT: String(smtpPort),
        SMTP_SINK_HTTP_PORT: String(ports['smtp-sink']),
        SMTP_SINK_DIR: mailDir,
      });
    }
    return { ...common, ...own, ...options.env?.[name] };
  };

  const running = new Map<ServiceName, RunningService>();
  const pastLogs: Partial<Record<ServiceName, string>> = {};
  const start = async (name: ServiceName) => {
    const service = await startService({
      entry: ENTRIES[name],
      env:
        name === 'hub'
          ? ({ ...envFor(name), OTEL_EXPORTER_OTLP_ENDPOINT: undefined } as never)
          : envFor(name),
      timeoutMs: 40_000,
    });
    running.set(name, service);
  };
  const stop = async (name: ServiceName, signal: NodeJS.Signals = 'SIGTERM') => {
    const service = running.get(name);
    if (!service) return;
    await service.stop(signal);
    pastLogs[name] = (pastLogs[name] ?? '') + service.output();
    running.delete(name);
  };
  const stack: Stack = {
    dir,
    mailDir,
    ports,
    url,
    hubApi: options.hub ? url('hub') : undefined,
    service(name) {
      const service = running.get(name);
      if (!service) throw new Error(`${name} is not running`);
      return service;
    },
    stop,
    start,
    logs(name) {
      const all = name ? [name] : [...new Set([...Object.keys(pastLogs), ...running.keys()])];
      return all
        .map((n) => (pastLogs[n as ServiceName] ?? '') + (running.get(n as ServiceName)?.output() ?? ''))
        .join('');
    },
    mail() {
      try {
        return readdirSync(mailDir)
          .filter((f) => f.endsWith('.eml'))
          .map((f) => readFileSync(join(mailDir, f), 'utf8'));
      } catch {
        return [];
      }
    },
    async close() {
      // Dependents first, so nothing logs a storm of errors about a dependency already gone.
      for (const name of [...running.keys()].reverse()) await stop(name);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    for (const name of names) await start(name);
  } catch (err) {
    await stack.close();
    throw err;
  }
  return stack;
}

export const TEST_CARD = {
  type: 'card',
  card_number: '4242 4242 4242 4242',
  exp_month: 12,
  exp_year: 2034,
  cvv: '123',
};
export const DECLINED_CARD = { ...TEST_CARD, card_number: '4000000000000002' };

// biome-ignore lint/suspicious/noExplicitAny: tests navigate response bodies freely
export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

// biome-ignore lint/suspicious/noExplicitAny: tests navigate response bodies freely
export async function http<T = any>(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  const internal = internalBases.has(new URL(url).origin);
  const res = await fetch(url, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(internal ? { 'x-vigil-service-token': SERVICE_TOKEN, 'x-vigil-caller': 'test' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/** Sets a product's stock to exactly `units` (all in one warehouse, none reserved elsewhere). */
export async function setStock(productUrl: string, productId: number, units: number): Promise<void> {
  const inv = await http('GET', `${productUrl}/products/${productId}/inventory`);
  if (inv.status !== 200) throw new Error(`inventory read failed: ${inv.status}`);
  const warehouses = inv.body.warehouses as Array<{ warehouse: string; available: number }>;
  for (const [i, w] of warehouses.entries()) {
    const target = i === 0 ? units : 0;
    if (w.available === target) continue;
    const res = await http('POST', `${productUrl}/products/${productId}/inventory/adjust`, {
      warehouse: w.warehouse,
      delta: target - w.available,
      reason: 'correction',
    });
    if (res.status !== 200) throw new Error(`adjust failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

export async function available(productUrl: string, productId: number): Promise<number> {
  const inv = await http('GET', `${productUrl}/products/${productId}/inventory`);
  return inv.body.available as number;
}

export function placeOrder(
  base: string,
  key: string,
  body: Record<string, unknown> = {},
): Promise<JsonResponse> {
  return http(
    'POST',
    `${base}/orders`,
    { customer_id: 1, items: [{ product_id: 1, quantity: 1 }], payment_method: TEST_CARD, ...body },
    { 'idempotency-key': key },
  );
}

export { waitFor };
