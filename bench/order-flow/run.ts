// End-to-end POST /orders through the gateway, telemetry on (100% sampling, spans and logs
// exported to a live hub). Usage: node bench/order-flow/run.ts [--rate 100] [--seconds 15] [--runs 3] [--warmup 10]
// [--sampling 1] (a ratio below 1 sets parentbased_traceidratio on the six services; 1 = the default, every trace)
// [--telemetry off] (diagnostic only: VIGIL_TELEMETRY=off on the six services, to see what telemetry costs the flow).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import {
  http,
  type ServiceName,
  type Stack,
  setStock,
  startStack,
  TEST_CARD,
} from '../../test/order-flow/support/stack.ts';
import { openLoop, quantile } from '../lib/open-loop.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '15' },
    runs: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    warmup: { type: 'string', default: '10' },
    sampling: { type: 'string', default: '1' },
    telemetry: { type: 'string', default: 'on' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const runs = Number(values.runs);
const connections = Number(values.connections);
const warmupSeconds = Number(values.warmup);
const sampling = Number(values.sampling);
if (!(sampling > 0 && sampling <= 1)) throw new Error('--sampling must be in (0, 1]');

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
  max?: number;
  maxInFlight?: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

let sequence = 0;
function orderBody(): string {
  return JSON.stringify({
    customer_id: (sequence % 12) + 1,
    items: [{ product_id: (sequence % 5) + 1, quantity: 1 }],
    payment_method: TEST_CARD,
  });
}

/**
 * Event-loop delay of each service since the previous call (prom-client's monitor, 20 ms resolution,
 * reset by every scrape; nothing else scrapes the test stack): a stall in one service (GC, a synchronous
 * SQLite checkpoint, a span batch being encoded) shows up here even when the end-to-end percentiles
 * cannot say where it was.
 */
async function eventLoopStats(stack: Stack): Promise<Record<string, { p99_ms: number; max_ms: number }>> {
  const out: Record<string, { p99_ms: number; max_ms: number }> = {};
  for (const name of SERVICES) {
    const text = await (await fetch(`${stack.url(name)}/metrics`)).text();
    const read = (metric: string) => {
      const match = new RegExp(`^${metric}(?:\\{[^}]*\\})? ([0-9.e+-]+)`, 'm').exec(text);
      return match ? Math.round(Number(match[1]) * 1e4) / 10 : Number.NaN;
    };
    out[name] = {
      p99_ms: read('nodejs_eventloop_lag_p99_seconds'),
      max_ms: read('nodejs_eventloop_lag_max_seconds'),
    };
  }
  return out;
}

/** Constant-rate open-loop orders: latency from each order's scheduled start (see bench/lib/open-loop.ts). */
async function fixedRate(stack: Stack, label: string, rate: number, duration = seconds): Promise<Result> {
  const run = `${label}-${Date.now()}`;
  const gateway = new URL(stack.url('gateway'));
  // More connections than orders ever in flight: the schedule never waits for a free socket.
  const pool = new Pool(gateway.origin, { connections: 256, pipelining: 1 });
  const cpuBefore = stackCpuSeconds(stack);
  try {
    const result = await openLoop({
      rate,
      seconds: duration,
      send: async () => {
        sequence++;
        const res = await pool.request({
          path: '/orders',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': `${run}-${sequence}` },
          body: orderBody(),
          headersTimeout: 30_000,
          bodyTimeout: 30_000,
        });
        await res.body.dump();
        return res.statusCode;
      },
    });
    const cpu = stackCpuSeconds(stack) - cpuBefore;
    const l = result.latenciesMs;
    return {
      label,
      cpuMsPerOrder: Math.round((cpu * 1000 * 10) / Math.max(1, result.ok)) / 10,
      requestsPerSec: Math.round(result.offeredRate * 10) / 10,
      ok: result.ok,
      non2xx: result.non2xx,
      errors: result.errors,
      p50: Math.round(quantile(l, 0.5) * 10) / 10,
      p90: Math.round(quantile(l, 0.9) * 10) / 10,
      p99: Math.round(quantile(l, 0.99) * 10) / 10,
      max: Math.round(quantile(l, 1) * 10) / 10,
      maxInFlight: result.maxInFlight,
    };
  } finally {
    await pool.close();
  }
}

/** Closed loop: `connections` clients each send the next order when the last one is answered. */
async function load(stack: Stack, label: string): Promise<Result> {
  const run = `${label}-${Date.now()}`;
  const cpuBefore = stackCpuSeconds(stack);
  const result = await autocannon({
    url: `${stack.url('gateway')}/orders`,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (req: Record<string, unknown>) => {
          sequence++;
          return {
            ...req,
            headers: { ...(req.headers as Record<string, string>), 'idempotency-key': `${run}-${sequence}` },
            body: orderBody(),
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

const SERVICES: ServiceName[] = ['user', 'product', 'payment', 'notification', 'order', 'gateway'];
const samplerEnv: Record<string, string> =
  sampling < 1
    ? { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: String(sampling) }
    : {};
const serviceEnv = Object.fromEntries(SERVICES.map((name) => [name, { ...samplerEnv }])) as Record<
  ServiceName,
  Record<string, string>
>;
Object.assign(serviceEnv.payment, { PAYMENT_LATENCY_MEDIAN_MS: '6', PAYMENT_LATENCY_SIGMA: '0.5' });
Object.assign(serviceEnv.user, { LOG_LEVEL: 'info' });
const stack = await startStack({ hub: true, env: serviceEnv });
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
  // Then the measured rate for a while, discarded: eight processes' JIT, SQLite page caches and the
  // hub's tables reach their steady state (the first measured run was otherwise 2–8× slower at p99).
  if (warmupSeconds > 0) await fixedRate(stack, 'warm-up', rate, warmupSeconds);
  const fixed: Result[] = [];
  await eventLoopStats(stack); // a scrape resets prom-client's delay histogram: measure the fixed-rate runs only
  for (let i = 0; i < runs; i++) fixed.push(await fixedRate(stack, `rate-${rate}`, rate));
  const fixedRateLag = await eventLoopStats(stack);
  const open: Result[] = [];
  for (let i = 0; i < runs; i++) open.push(await load(stack, `max-${connections}c`));
  for (const r of [...fixed, ...open]) console.log(JSON.stringify(r));
  console.log(JSON.stringify({ event_loop_during_fixed_rate: fixedRateLag }));
  console.log(
    JSON.stringify({
      summary: true,
      telemetry: values.telemetry,
      sampling,
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
