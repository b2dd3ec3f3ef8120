// Where telemetry's CPU goes: the real product-service under the same closed-loop load with parts of
// telemetry switched on one by one; reports service CPU µs per request (median of rounds), which is
// far less sensitive to noisy neighbours than req/s. Not part of `make bench` (run it when optimising).
// Usage: node bench/telemetry-overhead/breakdown.ts [--rounds 5] [--seconds 3]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLoad } from '../lib/http-load.ts';
import { startOtlpSink } from '../lib/otlp-sink.ts';
import { type BenchProcess, cpuSeconds, startNodeService } from '../lib/processes.ts';
import { median } from '../lib/stats.ts';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, seconds: { type: 'string', default: '3' } },
});
const PRODUCT_SERVER = fileURLToPath(new URL('../../services/product/src/server.ts', import.meta.url));
const PATHS = Array.from({ length: 20 }, (_, i) => `/products/${i + 1}`);
const workDir = mkdtempSync(join(tmpdir(), 'vigil-bench-breakdown-'));
const sink = await startOtlpSink();
const variants: Record<string, Record<string, string>> = {
  'off (VIGIL_TELEMETRY=off)': { VIGIL_TELEMETRY: 'off' },
  'hooks + unsampled spans + RED, no request log': { OTEL_TRACES_SAMPLER: 'always_off', LOG_LEVEL: 'warn' },
  '+ request log line (stdout)': { OTEL_TRACES_SAMPLER: 'always_off' },
  'sampled spans, not exported, no request log': { LOG_LEVEL: 'warn' },
  'sampled spans exported, no request log': { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, LOG_LEVEL: 'warn' },
  'everything, 100% (default: request logs to stdout only)': { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url },
  '+ VIGIL_OTLP_REQUEST_LOGS=on (request logs exported too)': {
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
    VIGIL_OTLP_REQUEST_LOGS: 'on',
  },
};
const services = new Map<string, BenchProcess>();
const cpu = new Map<string, number[]>();
try {
  for (const [name, env] of Object.entries(variants)) {
    const dir = join(workDir, String(services.size));
    services.set(
      name,
      await startNodeService(
        PRODUCT_SERVER,
        { LOG_LEVEL: 'info', VIGIL_DATA_DIR: dir, ...env },
        `${dir}.log`,
      ),
    );
  }
  for (const service of services.values())
    await runLoad({ url: service.url, paths: PATHS, connections: 50, seconds: 2 });
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const [name, service] of services) {
      const before = cpuSeconds(service.child.pid as number);
      const load = await runLoad({
        url: service.url,
        paths: PATHS,
        connections: 50,
        seconds: Number(values.seconds),
      });
      const used = cpuSeconds(service.child.pid as number) - before;
      cpu.set(name, [...(cpu.get(name) ?? []), (used * 1e6) / Math.max(1, load.ok)]);
    }
  }
} finally {
  await Promise.all([...services.values()].map((s) => s.stop()));
  await sink.close();
  rmSync(workDir, { recursive: true, force: true });
}
console.table(
  [...cpu].map(([variant, runs]) => ({
    variant,
    'median CPU µs/req': Math.round(median(runs)),
    runs: runs.map(Math.round).join(' '),
  })),
);
