// CPU time per order, per process, with telemetry on or off (VIGIL_TELEMETRY=off on the six services).
// Usage: node bench/order-flow/cpu-per-order.ts [--off] [--orders 300] [--clients 10] [--rate N]
// --rate N: the orders are sent open loop at N per second (as run.ts's fixed-rate phase) instead of by
// --clients closed-loop clients. compare.ts runs this in two trees side by side.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { placeOrder, type ServiceName, setStock, startStack } from '../../test/order-flow/support/stack.ts';
import { openLoop } from '../lib/open-loop.ts';

const { values } = parseArgs({
  options: {
    off: { type: 'boolean', default: false },
    orders: { type: 'string', default: '300' },
    clients: { type: 'string', default: '10' },
    rate: { type: 'string' },
  },
});
const rate = values.rate === undefined ? undefined : Number(values.rate);
const orders = Number(values.orders);
const clients = Number(values.clients);
const NAMES: ServiceName[] = [
  'hub',
  'smtp-sink',
  'user',
  'product',
  'payment',
  'notification',
  'order',
  'gateway',
];
const SERVICES: ServiceName[] = ['user', 'product', 'payment', 'notification', 'order', 'gateway'];
const env = values.off ? Object.fromEntries(SERVICES.map((n) => [n, { VIGIL_TELEMETRY: 'off' }])) : {};
const stack = await startStack({ hub: true, env });

function cpuMs(): Record<string, number> {
  return Object.fromEntries(
    NAMES.map((n) => {
      const fields = readFileSync(`/proc/${stack.service(n).child.pid}/stat`, 'utf8')
        .split(') ')[1]!
        .split(' ');
      return [n, (Number(fields[11]) + Number(fields[12])) * 10];
    }),
  );
}

/** HTTP requests each service has handled (its http_requests_total, scrapes of /metrics left out). */
async function requestsHandled(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of SERVICES) {
    const text = await (await fetch(`${stack.url(name)}/metrics`)).text();
    let total = 0;
    for (const m of text.matchAll(/^http_requests_total\{([^}]*)\} (\S+)/gm))
      if (!m[1]!.includes('route="/metrics"')) total += Number(m[2]);
    out[name] = total;
  }
  return out;
}

const settle = () => new Promise((r) => setTimeout(r, 3000));
try {
  const gw = stack.url('gateway');
  await setStock(stack.url('product'), 1, 1_000_000);
  for (let i = 0; i < 100; i++) await placeOrder(gw, `warm-${i}`);
  await settle();
  const before = cpuMs();
  const requestsBefore = await requestsHandled();
  let failed = 0;
  if (rate === undefined) {
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        for (let i = 0; i < orders / clients; i++)
          if ((await placeOrder(gw, `cpu-${c}-${i}`)).status >= 300) failed++;
      }),
    );
  } else {
    const result = await openLoop({
      rate,
      seconds: orders / rate,
      send: async (i) => (await placeOrder(gw, `cpu-${i}`)).status,
    });
    failed = result.non2xx + result.errors;
  }
  // The outbox (stock commit, confirmation e-mail) finishes after the responses.
  await settle();
  const after = cpuMs();
  const requestsAfter = await requestsHandled();
  const perProcess = Object.fromEntries(
    NAMES.map((n) => [n, Math.round(((after[n]! - before[n]!) / orders) * 100) / 100]),
  );
  const total = Object.values(perProcess).reduce((a, b) => a + b, 0);
  console.log(
    JSON.stringify({
      telemetry: values.off ? 'off' : 'on',
      orders,
      ...(rate === undefined ? { clients } : { rate }),
      failed,
      cpu_ms_per_order: Math.round(total * 100) / 100,
      per_process: perProcess,
      // Requests each service handled per order (structural: what batching and fewer hops change).
      requests_per_order: Object.fromEntries(
        SERVICES.map((n) => [n, Math.round(((requestsAfter[n]! - requestsBefore[n]!) / orders) * 100) / 100]),
      ),
    }),
  );
} finally {
  await stack.close();
}
