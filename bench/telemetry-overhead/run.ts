// Telemetry overhead: GET /products/:id on the real product-service with telemetry off
// (VIGIL_TELEMETRY=off) against fully on (100% sampling, spans and logs exported to a live OTLP
// endpoint, RED metrics, request logs to a file) and on at 10% sampling. The three variants run
// side by side in one process tree and are loaded in turn, in a rotating order, for several rounds;
// ratios are taken within each round and the median is reported.
// Usage: node bench/telemetry-overhead/run.ts [--rounds 5] [--seconds 5] [--connections 50] [--warmup 3]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type LoadResult, runLoad } from '../lib/http-load.ts';
import { startOtlpSink } from '../lib/otlp-sink.ts';
import { type BenchProcess, cpuSeconds, mainThreadCpuSeconds, startNodeService } from '../lib/processes.ts';
import { median, round } from '../lib/stats.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '3' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const warmupSeconds = Number(values.warmup);

const PRODUCT_SERVER = fileURLToPath(new URL('../../services/product/src/server.ts', import.meta.url));
// Ids of seeded products; cycling them exercises the route template, not one cached row.
const PATHS = Array.from({ length: 20 }, (_, i) => `/products/${i + 1}`);

type VariantName = 'off' | 'on-100%' | 'on-10%';
const workDir = mkdtempSync(join(tmpdir(), 'vigil-bench-telemetry-'));
const sink = await startOtlpSink();

function variantEnv(name: VariantName): Record<string, string> {
  const common = { LOG_LEVEL: 'info', VIGIL_DATA_DIR: join(workDir, name.replace('%', 'pct')) };
  if (name === 'off') return { ...common, VIGIL_TELEMETRY: 'off' };
  return {
    ...common,
    VIGIL_TELEMETRY: 'on',
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
    OTEL_TRACES_SAMPLER: name === 'on-100%' ? 'parentbased_always_on' : 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: name === 'on-100%' ? '1' : '0.1',
  };
}

const names: VariantName[] = ['off', 'on-100%', 'on-10%'];
const services = new Map<VariantName, BenchProcess>();
interface Measured extends LoadResult {
  /** Service CPU time per completed request: robust to noisy neighbours, unlike req/s. */
  cpuMicrosPerRequest: number;
  /** The same for the event-loop thread alone (telemetry's export worker runs beside it). */
  mainCpuMicrosPerRequest: number;
}
const results = new Map<VariantName, Measured[]>(names.map((n) => [n, []]));

try {
  for (const name of names) {
    services.set(
      name,
      await startNodeService(PRODUCT_SERVER, variantEnv(name), join(workDir, `${name}.log`)),
    );
  }
  const check = await fetch(`${services.get('off')?.url}/products/1`);
  if (check.status !== 200) throw new Error(`GET /products/1 answered ${check.status}`);

  for (const name of names) {
    await runLoad({ url: services.get(name)?.url ?? '', paths: PATHS, connections, seconds: warmupSeconds });
  }
  for (let round_ = 0; round_ < rounds; round_++) {
    // Rotate the order so no variant always runs first (or right after a GC-heavy neighbour).
    const order = names.map((_, i) => names[(i + round_) % names.length] as VariantName);
    for (const name of order) {
      const service = services.get(name) as BenchProcess;
      const pid = service.child.pid as number;
      const cpuBefore = cpuSeconds(pid);
      const mainBefore = mainThreadCpuSeconds(pid);
      const load = await runLoad({ url: service.url, paths: PATHS, connections, seconds });
      const cpu = cpuSeconds(pid) - cpuBefore;
      const mainCpu = mainThreadCpuSeconds(pid) - mainBefore;
      const result: Measured = {
        ...load,
        cpuMicrosPerRequest: (cpu * 1e6) / Math.max(1, load.ok),
        mainCpuMicrosPerRequest: (mainCpu * 1e6) / Math.max(1, load.ok),
      };
      if (result.errors > 0 || result.non2xx > 0) {
        throw new Error(`${name}: ${result.errors} errors, ${result.non2xx} non-2xx responses`);
      }
      results.get(name)?.push(result);
      console.log(
        `round ${round_ + 1}/${rounds} ${name.padEnd(8)} ${round(result.requestsPerSec, 0)} req/s  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms  ${round(result.cpuMicrosPerRequest, 0)} µs CPU/req (main thread ${round(result.mainCpuMicrosPerRequest, 0)})`,
      );
    }
  }
} finally {
  await Promise.all([...services.values()].map((s) => s.stop()));
  await sink.close();
}

const off = results.get('off') ?? [];
const summary = names.map((name) => {
  const runs = results.get(name) ?? [];
  const ratios = runs.map((r, i) => r.requestsPerSec / (off[i]?.requestsPerSec ?? Number.NaN));
  const p99Ratios = runs.map((r, i) => r.p99Ms / (off[i]?.p99Ms ?? Number.NaN));
  const cpuRatios = runs.map((r, i) => (off[i]?.cpuMicrosPerRequest ?? Number.NaN) / r.cpuMicrosPerRequest);
  return {
    variant: name,
    'median req/s': round(median(runs.map((r) => r.requestsPerSec)), 0),
    'median p99 ms': median(runs.map((r) => r.p99Ms)),
    'throughput ratio (median of rounds)': round(median(ratios)),
    'p99 ratio (median of rounds)': round(median(p99Ratios), 2),
    'median CPU µs/req': round(median(runs.map((r) => r.cpuMicrosPerRequest)), 0),
    'main thread µs/req': round(median(runs.map((r) => r.mainCpuMicrosPerRequest)), 0),
    'CPU capacity ratio (off CPU/req ÷ this, median)': round(median(cpuRatios)),
  };
});
console.log(
  `\ntelemetry-overhead: ${rounds} rounds × ${seconds} s, ${connections} connections, GET /products/:id, product-service`,
);
console.table(summary);
console.log(`OTLP sink received ${sink.requests} export requests, ${round(sink.bytes / 1024 / 1024, 1)} MiB`);
const on100 = summary[1]?.['throughput ratio (median of rounds)'] ?? 0;
const on10 = summary[2]?.['throughput ratio (median of rounds)'] ?? 0;
console.log(
  `goal: on-100% ≥ 0.90 → ${on100} ${on100 >= 0.9 ? 'met' : 'NOT met'}; on-10% ≥ 0.97 → ${on10} ${on10 >= 0.97 ? 'met' : 'NOT met'}`,
);
rmSync(workDir, { recursive: true, force: true });
