// `vigil load` against a fixed-latency target in its own process (bench/load/target-server.ts):
//  closed  closed model vs autocannon, same target, alternating in one run: req/s ratio (≥ 0.8 wanted);
//  open    open model at 2,000 req/s (5 ms target): generator p99 vs the target's own p99 (≤ 1 ms apart);
//  stall   the same with a 1-s stall injected: the p99.9 shows it (coordinated omission corrected);
//  lag     open model at 5,000 req/s (0 ms target): the scheduler's dispatch lag p99 (≤ 1 ms wanted).
// Every open-model row also gives the generator's own CPU per 1,000 requests (this process: main
// thread, runner and ticker threads; the target is another process).
// --baseline REF runs the @vigil/load of that commit side by side (its tree is taken with
// `git archive` into var/bench-baseline/<sha>, bench/lib/baseline.ts): in every round both run
// against the same target, in alternating order, and each check reports both.
// Usage: node bench/load/run.ts [--rounds 3] [--seconds 10] [--connections 50] [--baseline REF]
//        [--only closed,open,stall,lag]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Executor, LoadSummary } from '@vigil/load';
import * as current from '@vigil/load';
import { baselineTree } from '../lib/baseline.ts';
import { runLoad as autocannonLoad } from '../lib/http-load.ts';
import { startNodeService } from '../lib/processes.ts';
import { median, round } from '../lib/stats.ts';

const CHECKS = ['closed', 'open', 'stall', 'lag'] as const;
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    baseline: { type: 'string' },
    only: { type: 'string', default: CHECKS.join(',') },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const only = new Set(values.only.split(','));
for (const c of only)
  if (!CHECKS.includes(c as (typeof CHECKS)[number])) throw new Error(`--only: unknown check '${c}'`);
const logDir = mkdtempSync(join(tmpdir(), 'vigil-bench-load-'));

type LoadModule = Pick<typeof current, 'runLoad' | 'validateScenario'>;
interface Generator {
  name: string;
  lib: LoadModule;
}
const generators: Generator[] = [{ name: 'this tree', lib: current }];
if (values.baseline) {
  const { name, dir } = baselineTree(values.baseline);
  generators.push({
    name,
    lib: (await import(join(dir, 'packages', 'load', 'src', 'index.ts'))) as LoadModule,
  });
}
/** The generators in the order of round `r`: alternating, so neither always runs first. */
const order = (r: number): Generator[] => (r % 2 === 0 ? generators : [...generators].reverse());

const SCENARIO = { name: 'bench', journeys: [{ name: 'hit', steps: [{ name: 'x', path: '/x' }] }] };
const constantRate = (rate: number, ms: number): Executor => current.constantRate(rate, ms);

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

const start = (g: Generator, url: string, executor: Executor, options: current.LoadOptions = {}) =>
  g.lib.runLoad(g.lib.validateScenario(SCENARIO), executor, { target: url, ...options });

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * The generator's CPU (this process: main thread, runner and ticker threads; the target is another
 * process) per 1,000 requests: `cpuPer1k` over the whole run, threads' start-up (module loading,
 * warm-up: ~2 s of CPU for four threads) included; `steadyCpuPer1k` from the first to the last
 * progress report (one a second), which leaves the start-up out: the cost of a request.
 */
async function measured(g: Generator, url: string, executor: Executor) {
  const before = cpuMs();
  let first: { cpu: number; requests: number } | undefined;
  let last: { cpu: number; requests: number } | undefined;
  const s: LoadSummary = await start(g, url, executor, {
    onProgress: (p) => {
      const point = { cpu: cpuMs(), requests: p.requests };
      if (first) last = point;
      else first = point;
    },
  }).done;
  const cpuPer1k = round((cpuMs() - before) / (s.totals.requests / 1000), 1);
  const steadyCpuPer1k =
    first && last && last.requests > first.requests
      ? round((last.cpu - first.cpu) / ((last.requests - first.requests) / 1000), 1)
      : Number.NaN;
  return { s, cpuPer1k, steadyCpuPer1k };
}

let ok = true;
const report = (name: string, pass: boolean, detail: Record<string, unknown>) => {
  ok &&= pass;
  console.log(`${pass ? 'ok  ' : 'FAIL'} ${name} ${JSON.stringify(detail)}`);
};
/** Rows of each generator, by generator name. */
const byGenerator = <T>() => new Map<string, T[]>(generators.map((g) => [g.name, []]));

if (only.has('closed')) {
  const t = await target(0);
  try {
    const rows = byGenerator<Record<string, number>>();
    for (let r = 0; r < rounds; r++)
      for (const g of order(r)) {
        // autocannon runs on this thread: its CPU per request, beside the generator's.
        const acBefore = cpuMs();
        const ac = await autocannonLoad({ url: t.url, paths: ['/x'], connections, seconds });
        const acCpuPer1k = round((cpuMs() - acBefore) / ((ac.requestsPerSec * seconds) / 1000), 1);
        const { s, cpuPer1k, steadyCpuPer1k } = await measured(g, t.url, {
          kind: 'closed',
          vus: connections,
          duration: seconds * 1000,
        });
        rows.get(g.name)!.push({
          autocannon: round(ac.requestsPerSec, 0),
          autocannon_cpu_ms_per_1k: acCpuPer1k,
          vigil: round(s.totals.rps, 0),
          cpu_ms_per_1k: cpuPer1k,
          steady_cpu_ms_per_1k: steadyCpuPer1k,
          ratio: round(s.totals.rps / ac.requestsPerSec, 3),
        });
      }
    for (const g of generators) {
      const ratio = median(rows.get(g.name)!.map((x) => x.ratio!));
      report(`[${g.name}] closed model vs autocannon (req/s, median of rounds)`, ratio >= 0.8, {
        connections,
        seconds,
        rounds: rows.get(g.name),
        ratio_median: round(ratio, 2),
      });
    }
  } finally {
    await t.stop();
  }
}

if (only.has('open') || only.has('stall')) {
  const t = await target(5);
  try {
    if (only.has('open')) {
      const rows = byGenerator<Record<string, number>>();
      for (let r = 0; r < rounds; r++)
        for (const g of order(r)) {
          await fetch(`${t.url}/stats/reset`, { method: 'POST' });
          const { s, cpuPer1k, steadyCpuPer1k } = await measured(
            g,
            t.url,
            constantRate(2000, seconds * 1000),
          );
          const real = await targetStats(t.url);
          rows.get(g.name)!.push({
            sent: s.totals.requests,
            errors: s.totals.failed,
            p99: round(s.totals.latencyMs.p99, 2),
            target_p99: round(real.p99, 2),
            diff: round(s.totals.latencyMs.p99 - real.p99, 2),
            late: s.totals.schedule.late,
            lag_p99: round(s.totals.schedule.lagMs.p99, 3),
            generator_cpu_ms_per_1k: cpuPer1k,
            steady_cpu_ms_per_1k: steadyCpuPer1k,
          });
        }
      for (const g of generators) {
        const diff = median(rows.get(g.name)!.map((x) => x.diff!));
        report(`[${g.name}] open 2,000 req/s: generator p99 - target p99 (ms, median)`, Math.abs(diff) <= 1, {
          rounds: rows.get(g.name),
          diff_median_ms: round(diff, 2),
          generator_cpu_ms_per_1k_median: median(rows.get(g.name)!.map((x) => x.generator_cpu_ms_per_1k!)),
          steady_cpu_ms_per_1k_median: median(rows.get(g.name)!.map((x) => x.steady_cpu_ms_per_1k!)),
        });
      }
    }
    if (only.has('stall')) {
      const rows = byGenerator<Record<string, number>>();
      for (let r = 0; r < rounds; r++)
        for (const g of order(r)) {
          await fetch(`${t.url}/stats/reset`, { method: 'POST' });
          const run = start(g, t.url, constantRate(2000, seconds * 1000));
          await new Promise((res) => setTimeout(res, (seconds * 1000) / 2));
          await fetch(`${t.url}/stall?ms=1000`, { method: 'POST' });
          const s = await run.done;
          const real = await targetStats(t.url);
          rows.get(g.name)!.push({
            p99: round(s.totals.latencyMs.p99, 1),
            p999: round(s.totals.latencyMs.p999, 1),
            max: round(s.totals.latencyMs.max, 1),
            target_p999: round(real.p999, 1),
            target_max: round(real.max, 1),
          });
        }
      for (const g of generators)
        report(
          `[${g.name}] open 2,000 req/s with a 1-s stall: p99.9 (ms, median) shows it`,
          median(rows.get(g.name)!.map((x) => x.p999!)) >= 800,
          { rounds: rows.get(g.name) },
        );
    }
  } finally {
    await t.stop();
  }
}

if (only.has('lag')) {
  const t = await target(0);
  try {
    const rows = byGenerator<Record<string, number>>();
    for (let r = 0; r < rounds; r++)
      for (const g of order(r)) {
        const { s, cpuPer1k, steadyCpuPer1k } = await measured(g, t.url, constantRate(5000, seconds * 1000));
        rows.get(g.name)!.push({
          generator_cpu_ms_per_1k: cpuPer1k,
          steady_cpu_ms_per_1k: steadyCpuPer1k,
          due: s.totals.schedule.due,
          late_over_1ms: s.totals.schedule.late,
          lag_p50: round(s.totals.schedule.lagMs.p50, 3),
          lag_p99: round(s.totals.schedule.lagMs.p99, 3),
          p99: round(s.totals.latencyMs.p99, 2),
        });
      }
    for (const g of generators)
      report(
        `[${g.name}] open 5,000 req/s: dispatch lag p99 (ms, median)`,
        median(rows.get(g.name)!.map((x) => x.lag_p99!)) <= 1,
        {
          rounds: rows.get(g.name),
          generator_cpu_ms_per_1k_median: median(rows.get(g.name)!.map((x) => x.generator_cpu_ms_per_1k!)),
          steady_cpu_ms_per_1k_median: median(rows.get(g.name)!.map((x) => x.steady_cpu_ms_per_1k!)),
        },
      );
  } finally {
    await t.stop();
  }
}
process.exit(ok ? 0 : 1);
