// Capacity of the local stack (`vigil start`, default ports) for the order journey, then the mixed
// journey at 50 % of it with an alert watch. Hold the stack lock: the machine is shared.
//   flock /tmp/vigil-stack.lock node bench/load/capacity.ts [--rates 5,10,20,30,40,60] [--step 30s]
//       [--soak 10m] [--soak-rate <it/s>] [--keep-var]
// 1. Starts the stack detached in a fresh var dir (fresh databases), restocks every product.
// 2. The `order` scenario at each rate for --step: p99, error rate, late sends, CPU ms per order
//    per process (utime+stime from /proc of every component), until p99 > 250 ms or errors > 1 %.
// 3. The `checkout` (mixed) scenario at half the knee's arrival rate for --soak, polling
//    Prometheus and Alertmanager for firing alerts; then `vigil stop`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readState, repoRoot, varLayout } from '@vigil/cli';
import {
  constantRate,
  type LoadSummary,
  loadScenario,
  parseDuration,
  runLoad,
  writeReports,
} from '@vigil/load';
import { defaultUrl } from '@vigil/topology';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '5,10,15,20,25,30,40,50,60' },
    step: { type: 'string', default: '30s' },
    soak: { type: 'string', default: '10m' },
    'soak-rate': { type: 'string' },
    'keep-var': { type: 'boolean', default: false },
    out: { type: 'string', default: join(tmpdir(), 'vigil-capacity') },
  },
});
// `--rates none` skips the sweep (then --soak-rate is required for the soak).
const rates = values.rates === 'none' ? [] : values.rates.split(',').map(Number);
const stepMs = parseDuration(values.step);
const soakMs = parseDuration(values.soak);
const varDir = mkdtempSync(join(tmpdir(), 'vigil-capacity-var-'));
const vigil = (...args: string[]) =>
  execFileSync(process.execPath, ['packages/cli/src/main.ts', ...args, '--var-dir', varDir], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
const gateway = defaultUrl('gateway');
const product = defaultUrl('product-service');
const prometheus = defaultUrl('prometheus');
const alertmanager = defaultUrl('alertmanager');

function cpuMsByComponent(): Record<string, number> {
  const state = readState(varLayout(varDir).stateFile);
  const out: Record<string, number> = {};
  for (const c of state?.components ?? []) {
    if (!c.process) continue;
    try {
      const fields = readFileSync(`/proc/${c.process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      // utime + stime (+ children's: Prometheus and Alertmanager do not fork) in clock ticks of 10 ms.
      out[c.name] = (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      // exited
    }
  }
  return out;
}

async function restock(units = 1_000_000): Promise<void> {
  const token = readFileSync(varLayout(varDir).adminTokenFile, 'utf8').trim();
  // Stock adjustment is internal: it needs this run's service credential.
  const service = readFileSync(varLayout(varDir).serviceTokenFile, 'utf8').trim();
  for (let id = 1; id <= 20; id++) {
    const inv = (await (
      await fetch(`${product}/products/${id}/inventory`, { headers: { 'x-vigil-service-token': service } })
    ).json()) as {
      warehouses: Array<{ warehouse: string; available: number }>;
    };
    const w = inv.warehouses[0]!;
    if (w.available >= units / 2) continue;
    const res = await fetch(`${product}/products/${id}/inventory/adjust`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'x-vigil-service-token': service,
      },
      body: JSON.stringify({ warehouse: w.warehouse, delta: units - w.available, reason: 'restock' }),
    });
    if (!res.ok) throw new Error(`restock of product ${id} failed: ${res.status} ${await res.text()}`);
  }
}

async function firingAlerts(): Promise<string[]> {
  const names = new Set<string>();
  try {
    const am = (await (
      await fetch(`${alertmanager}/api/v2/alerts?active=true&silenced=false&inhibited=false`)
    ).json()) as Array<{
      labels: Record<string, string>;
    }>;
    for (const a of am) names.add(`${a.labels.alertname}{service=${a.labels.service ?? ''}} (alertmanager)`);
    const prom = (await (await fetch(`${prometheus}/api/v1/alerts`)).json()) as {
      data: { alerts: Array<{ labels: Record<string, string>; state: string }> };
    };
    for (const a of prom.data.alerts)
      names.add(`${a.labels.alertname}{service=${a.labels.service ?? ''}} (${a.state})`);
  } catch (err) {
    names.add(`alert query failed: ${(err as Error).message}`);
  }
  return [...names];
}

const r1 = (v: number) => Math.round(v * 10) / 10;
const outDir = values.out;
console.log(`starting the stack (var dir ${varDir}) ...`);
// Stop the stack however the run ends: `finally` below on completion or error, and an interrupt
// (Ctrl-C, kill) here, where Node would otherwise exit without running it.
let stopped = false;
function stopStack(): void {
  if (stopped) return;
  stopped = true;
  vigil('stop');
  if (!values['keep-var']) rmSync(varDir, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`${signal}: stopping the stack`);
    stopStack();
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  });
}
vigil('start', '--detach');
try {
  const order = await loadScenario('order');
  const rows: Array<Record<string, unknown>> = [];
  let knee: number | undefined;
  let lastGood: number | undefined;
  // Warm-up: JIT and connection pools, not measured.
  await restock();
  await runLoad(order, constantRate(rates.length ? 5 : 1, 10_000), { target: gateway }).done;
  for (const rate of rates) {
    await restock();
    const before = cpuMsByComponent();
    const s: LoadSummary = await runLoad(order, constantRate(rate, stepMs), { target: gateway }).done;
    const after = cpuMsByComponent();
    writeReports(s, join(outDir, `order-${rate}`));
    const place = s.steps.find((x) => x.step === 'place-order');
    const orders = place ? place.requests - place.failed : 0;
    const cpuPerOrder = Object.fromEntries(
      Object.keys(after).map((n) => [n, orders ? r1((after[n]! - (before[n] ?? 0)) / orders) : null]),
    );
    const cpuUtil = Object.fromEntries(
      Object.keys(after).map((n) => [n, r1((after[n]! - (before[n] ?? 0)) / s.durationS / 10)]),
    );
    const row = {
      rate,
      // The machine is shared: the 1-minute load average says how much else was running.
      loadavg_1m: r1(loadavg()[0]!),
      orders_per_s: r1(orders / s.durationS),
      p50_ms: r1(s.totals.latencyMs.p50),
      p99_ms: r1(s.totals.latencyMs.p99),
      place_p99_ms: r1(place?.latencyMs.p99 ?? 0),
      error_rate: s.totals.errorRate,
      late: s.totals.schedule.late,
      errors: Object.fromEntries(Object.entries(s.totals.errors).filter(([, n]) => n > 0)),
      cpu_ms_per_order: cpuPerOrder,
      cpu_percent: cpuUtil,
    };
    rows.push(row);
    console.log(JSON.stringify(row));
    if (s.totals.latencyMs.p99 > 250 || s.totals.errorRate > 0.01) {
      knee = rate;
      break;
    }
    lastGood = rate;
  }
  console.log(
    JSON.stringify({
      capacity_orders_per_s: lastGood ?? null,
      first_failing_rate: knee ?? null,
      steps: rows.length,
    }),
  );
  const soakRate =
    values['soak-rate'] !== undefined
      ? Number(values['soak-rate'])
      : lastGood !== undefined
        ? lastGood / 2
        : undefined;
  if (soakMs > 0 && soakRate !== undefined) {
    const checkout = await loadScenario('checkout');
    await restock();
    const firing = new Set<string>();
    const run = runLoad(checkout, constantRate(soakRate, soakMs), { target: gateway, metricsPort: 0 });
    const poll = setInterval(() => {
      void firingAlerts().then((names) => {
        for (const n of names) firing.add(n);
      });
    }, 15_000);
    const s = await run.done;
    clearInterval(poll);
    for (const n of await firingAlerts()) firing.add(n);
    writeReports(s, join(outDir, 'checkout-soak'));
    console.log(
      JSON.stringify({
        soak: {
          scenario: 'checkout',
          rate: soakRate,
          seconds: r1(s.durationS),
          loadavg_1m: r1(loadavg()[0]!),
        },
        requests: s.totals.requests,
        error_rate: s.totals.errorRate,
        p50_ms: r1(s.totals.latencyMs.p50),
        p95_ms: r1(s.totals.latencyMs.p95),
        p99_ms: r1(s.totals.latencyMs.p99),
        steps: s.steps.map((x) => ({
          step: x.key,
          n: x.requests,
          p50: r1(x.latencyMs.p50),
          p95: r1(x.latencyMs.p95),
          p99: r1(x.latencyMs.p99),
          failed: x.failed,
        })),
        alerts_seen: [...firing],
      }),
    );
  }
  console.log(`reports under ${outDir}`);
} finally {
  stopStack();
}
