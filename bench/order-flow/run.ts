// End-to-end POST /orders through the gateway, telemetry on (100% sampling, spans and logs
// exported to a live hub). Usage: node bench/order-flow/run.ts [--rate 100] [--seconds 15] [--runs 3]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import {
  http,
  type ServiceName,
  type Stack,
  setStock,
  startStack,
  TEST_CARD,
} from '../../test/order-flow/support/stack.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '15' },
    runs: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const runs = Number(values.runs);
const connections = Number(values.connections);

const PROCESSES: ServiceName[] = [
  'hub',
  'smtp-sink',
  'user',
  'product',
  'payment',
  'notification',
  'order',
  'gateway',
];

/** CPU seconds (user + system) all stack processes have used: a load-independent cost per order. */
function stackCpuSeconds(stack: Stack): number {
  let total = 0;
  for (const name of PROCESSES) {
    const pid = stack.service(name).child.pid;
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    total += (Number(fields[11]) + Number(fields[12])) / 100;
  }
  return total;
}

interface Result {
  label: string;
  cpuMsPerOrder: number;
  requestsPerSec: number;
  ok: number;
  non2xx: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

let sequence = 0;
async function load(stack: Stack, label: string, overallRate: number | undefined): Promise<Result> {
  const run = `${label}-${Date.now()}`;
  const cpuBefore = stackCpuSeconds(stack);
  const result = await autocannon({
    url: `${stack.url('gateway')}/orders`,
    method: 'POST',
    // Enough connections that the offered rate never waits on a free connection (open-loop-ish).
    connections: overallRate ? Math.max(8, Math.ceil(overallRate / 2)) : connections,
    duration: seconds,
    ...(overallRate ? { overallRate } : {}),
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (req: Record<string, unknown>) => {
          sequence++;
          return {
            ...req,
            headers: { ...(req.headers as Record<string, string>), 'idempotency-key': `${run}-${sequence}` },
            body: JSON.stringify({
              customer_id: (sequence % 12) + 1,
              items: [{ product_id: (sequence % 5) + 1, quantity: 1 }],
              payment_method: TEST_CARD,
            }),
          };
        },
      },
    ],
  });
  const cpu = stackCpuSeconds(stack) - cpuBefore;
  return {
    label,
    cpuMsPerOrder: Math.round((cpu * 1000 * 10) / Math.max(1, result['2xx'])) / 10,
    requestsPerSec: result.requests.average,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
  };
}

const stack = await startStack({
  hub: true,
  env: {
    payment: { PAYMENT_LATENCY_MEDIAN_MS: '6', PAYMENT_LATENCY_SIGMA: '0.5' },
    user: { LOG_LEVEL: 'info' },
  },
});
try {
  for (let id = 1; id <= 5; id++) await setStock(stack.url('product'), id, 1_000_000);
  // Warm-up: JIT, SQLite caches, connection pools.
  for (let i = 0; i < 50; i++)
    await http(
      'POST',
      `${stack.url('gateway')}/orders`,
      { customer_id: 1, items: [{ product_id: 1, quantity: 1 }], payment_method: TEST_CARD },
      { 'idempotency-key': `warm-${i}` },
    );
  const fixed: Result[] = [];
  for (let i = 0; i < runs; i++) fixed.push(await load(stack, `rate-${rate}`, rate));
  const open: Result[] = [];
  for (let i = 0; i < runs; i++) open.push(await load(stack, `max-${connections}c`, undefined));
  for (const r of [...fixed, ...open]) console.log(JSON.stringify(r));
  console.log(
    JSON.stringify({
      summary: true,
      rate,
      seconds,
      runs,
      fixed_rate_p50_ms: median(fixed.map((r) => r.p50)),
      fixed_rate_p99_ms: median(fixed.map((r) => r.p99)),
      fixed_rate_non2xx: fixed.reduce((n, r) => n + r.non2xx + r.errors, 0),
      max_orders_per_sec: median(open.map((r) => r.requestsPerSec)),
      max_p99_ms: median(open.map((r) => r.p99)),
      max_non2xx: open.reduce((n, r) => n + r.non2xx + r.errors, 0),
      cpu_ms_per_order: median([...fixed, ...open].map((r) => r.cpuMsPerOrder)),
      // Two dedicated cores spend 2000 CPU-ms per second: the rate this machine could sustain unshared.
      cpu_bound_orders_per_sec: Math.round(2000 / median([...fixed, ...open].map((r) => r.cpuMsPerOrder))),
      load_average: (await import('node:os')).loadavg().map((x) => Math.round(x * 10) / 10),
    }),
  );
} finally {
  await stack.close();
}
