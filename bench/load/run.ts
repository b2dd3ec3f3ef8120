// `vigil load` against a fixed-latency target in its own process (bench/load/target-server.ts):
//  1. closed model vs autocannon, same target, alternating in one run: req/s ratio (≥ 0.8 wanted);
//  2. open model at 2,000 req/s (5 ms target): generator p99 vs the target's own p99 (≤ 1 ms apart);
//  3. the same with a 1-s stall injected: the p99.9 shows it (coordinated omission corrected);
//  4. open model at 5,000 req/s (0 ms target): the scheduler's dispatch lag p99 (≤ 1 ms wanted).
// Usage: node bench/load/run.ts [--rounds 3] [--seconds 10] [--connections 50]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { constantRate, type Executor, type LoadSummary, runLoad, validateScenario } from '@vigil/load';
import { runLoad as autocannonLoad } from '../lib/http-load.ts';
import { startNodeService } from '../lib/processes.ts';
import { median, round } from '../lib/stats.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const logDir = mkdtempSync(join(tmpdir(), 'vigil-bench-load-'));
const scenario = validateScenario({
  name: 'bench',
  journeys: [{ name: 'hit', steps: [{ name: 'x', path: '/x' }] }],
});

async function target(delayMs: number) {
  return startNodeService(
    'bench/load/target-server.ts',
    { DELAY_MS: String(delayMs) },
    join(logDir, `target-${delayMs}.log`),
  );
}

async function targetStats(
  url: string,
): Promise<{ count: number; p50: number; p99: number; p999: number; max: number }> {
  return (await fetch(`${url}/stats`)).json() as never;
}

const load = (url: string, executor: Executor): Promise<LoadSummary> =>
  runLoad(scenario, executor, { target: url }).done;

/** The generator's CPU (this process: main thread, runner and ticker threads) per 1,000 requests. */
async function measured(url: string, executor: Executor): Promise<{ s: LoadSummary; cpuPer1k: number }> {
  const before = process.cpuUsage();
  const s = await load(url, executor);
  const used = process.cpuUsage(before);
  return { s, cpuPer1k: round((used.user + used.system) / 1000 / (s.totals.requests / 1000), 1) };
}

let ok = true;
const report = (name: string, pass: boolean, detail: Record<string, unknown>) => {
  ok &&= pass;
  console.log(`${pass ? 'ok  ' : 'FAIL'} ${name} ${JSON.stringify(detail)}`);
};

// 1. Closed model vs autocannon.
{
  const t = await target(0);
  try {
    const ratios: number[] = [];
    const rows: Array<{ autocannon: number; vigil: number }> = [];
    for (let r = 0; r < rounds; r++) {
      const ac = await autocannonLoad({ url: t.url, paths: ['/x'], connections, seconds });
      const vl = await load(t.url, { kind: 'closed', vus: connections, duration: seconds * 1000 });
      rows.push({ autocannon: round(ac.requestsPerSec, 0), vigil: round(vl.totals.rps, 0) });
      ratios.push(vl.totals.rps / ac.requestsPerSec);
    }
    report('closed model vs autocannon (req/s, median of rounds)', median(ratios) >= 0.8, {
      connections,
      seconds,
      rounds: rows,
      ratio_median: round(median(ratios), 2),
    });
  } finally {
    await t.stop();
  }
}

// 2 + 3. Open model at 2,000 req/s against a 5 ms target, then with a 1-s stall.
{
  const t = await target(5);
  try {
    const diffs: number[] = [];
    const rows = [];
    for (let r = 0; r < rounds; r++) {
      await fetch(`${t.url}/stats/reset`, { method: 'POST' });
      const { s, cpuPer1k } = await measured(t.url, constantRate(2000, seconds * 1000));
      const real = await targetStats(t.url);
      diffs.push(s.totals.latencyMs.p99 - real.p99);
      rows.push({
        sent: s.totals.requests,
        errors: s.totals.failed,
        p99: round(s.totals.latencyMs.p99, 2),
        target_p99: round(real.p99, 2),
        late: s.totals.schedule.late,
        generator_cpu_ms_per_1k: cpuPer1k,
      });
    }
    report('open 2,000 req/s: generator p99 - target p99 (ms, median)', Math.abs(median(diffs)) <= 1, {
      rounds: rows,
      diff_median_ms: round(median(diffs), 2),
    });

    const stalls = [];
    for (let r = 0; r < rounds; r++) {
      await fetch(`${t.url}/stats/reset`, { method: 'POST' });
      const run = runLoad(scenario, constantRate(2000, seconds * 1000), { target: t.url });
      await new Promise((res) => setTimeout(res, (seconds * 1000) / 2));
      await fetch(`${t.url}/stall?ms=1000`, { method: 'POST' });
      const s = await run.done;
      const real = await targetStats(t.url);
      stalls.push({
        p99: round(s.totals.latencyMs.p99, 1),
        p999: round(s.totals.latencyMs.p999, 1),
        max: round(s.totals.latencyMs.max, 1),
        target_p999: round(real.p999, 1),
        target_max: round(real.max, 1),
      });
    }
    report(
      'open 2,000 req/s with a 1-s stall: p99.9 (ms, median) shows it',
      median(stalls.map((x) => x.p999)) >= 800,
      {
        rounds: stalls,
      },
    );
  } finally {
    await t.stop();
  }
}

// 4. Scheduler accuracy at 5,000 req/s.
{
  const t = await target(0);
  try {
    const rows = [];
    for (let r = 0; r < rounds; r++) {
      const { s, cpuPer1k } = await measured(t.url, constantRate(5000, seconds * 1000));
      rows.push({
        generator_cpu_ms_per_1k: cpuPer1k,
        due: s.totals.schedule.due,
        late_over_1ms: s.totals.schedule.late,
        lag_p50: round(s.totals.schedule.lagMs.p50, 3),
        lag_p99: round(s.totals.schedule.lagMs.p99, 3),
        p99: round(s.totals.latencyMs.p99, 2),
      });
    }
    report('open 5,000 req/s: dispatch lag p99 (ms, median)', median(rows.map((x) => x.lag_p99)) <= 1, {
      rounds: rows,
    });
  } finally {
    await t.stop();
  }
}
process.exit(ok ? 0 : 1);
