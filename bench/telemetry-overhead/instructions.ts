// Telemetry overhead in CPU instructions, not seconds: the product-service runs under Valgrind's
// callgrind (a CPU simulator that counts every instruction executed); its counters are zeroed after a
// warm-up and dumped after a fixed number of requests (callgrind_control -z / -d). Instruction counts do not move with the other
// tenants of a shared machine the way CPU time and req/s do, so small changes to the request path can
// be compared reliably. Counts the event-loop thread (the one that serves requests) and the whole process.
// Usage: node bench/telemetry-overhead/instructions.ts [--requests 2000] [--warmup 3000] [--variants off,on-100%,on-10%]
// (variants: see VARIANTS). VIGIL_BENCH_KEEP=1 keeps the callgrind files for callgrind_annotate;
// VIGIL_BENCH_NODE_FLAGS=--perf-basic-prof makes node write /tmp/perf-<pid>.map to name JIT code.
// Needs valgrind (Debian package; not installed by the bootstrap: this is an optimisation tool, not part of make bench).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { startOtlpSink } from '../lib/otlp-sink.ts';
import { freePort } from '../lib/processes.ts';
import { round } from '../lib/stats.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '3000' },
    connections: { type: 'string', default: '8' },
    variants: { type: 'string', default: 'off,on-100%,on-10%' },
  },
});
const requests = Number(values.requests);
const warmup = Number(values.warmup);
const connections = Number(values.connections);
const variants = String(values.variants).split(',');

if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.error('valgrind is not installed (Debian: apt-get install valgrind)');
  process.exit(2);
}

const PRODUCT_SERVER = fileURLToPath(new URL('../../services/product/src/server.ts', import.meta.url));
const PATHS = Array.from({ length: 20 }, (_, i) => `/products/${i + 1}`);
const workDir = mkdtempSync(join(tmpdir(), 'vigil-bench-instr-'));
const sink = await startOtlpSink();

// Named configurations: the three of run.ts, and parts of telemetry switched on one by one.
const VARIANTS: Record<string, Record<string, string>> = {
  off: { VIGIL_TELEMETRY: 'off' },
  'on-100%': { OTEL_TRACES_SAMPLER: 'parentbased_always_on' },
  'on-10%': { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' },
  unsampled: { OTEL_TRACES_SAMPLER: 'always_off' },
  'unsampled-nolog': { OTEL_TRACES_SAMPLER: 'always_off', LOG_LEVEL: 'warn' },
  'sampled-nolog': { OTEL_TRACES_SAMPLER: 'always_on', LOG_LEVEL: 'warn' },
};

function variantEnv(name: string): Record<string, string> {
  const own = VARIANTS[name];
  if (own === undefined)
    throw new Error(`unknown variant ${name}; one of ${Object.keys(VARIANTS).join(', ')}`);
  return {
    LOG_LEVEL: 'info',
    VIGIL_DATA_DIR: join(workDir, name.replace('%', 'pct')),
    VIGIL_TELEMETRY: 'on',
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
    ...own,
  };
}

async function send(pool: Pool, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const path = PATHS[next++ % PATHS.length] as string;
      const { statusCode, body } = await pool.request({ method: 'GET', path });
      await body.dump();
      if (statusCode !== 200) throw new Error(`GET ${path} answered ${statusCode}`);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
}

/** Sum of the `summary:`/`totals:` instruction counts of callgrind output files (one per thread). */
function instructionsOf(file: string): number {
  const text = readFileSync(file, 'utf8');
  const match = /^(?:totals|summary):\s+(\d+)/m.exec(text);
  return match ? Number(match[1]) : 0;
}

function control(args: string[]): void {
  // vgdb finds the process by a FIFO named after $HOST, which the service's environment sets to 127.0.0.1.
  const r = spawnSync('callgrind_control', args, {
    encoding: 'utf8',
    env: { ...process.env, HOST: '127.0.0.1' },
  });
  if (r.status !== 0 || !r.stdout.includes('OK') || r.stderr.includes('error'))
    throw new Error(`callgrind_control ${args.join(' ')}: ${r.stdout}${r.stderr}`);
}

async function measure(name: string): Promise<{ main: number; all: number }> {
  const dir = join(workDir, `cg-${name.replace('%', 'pct')}`);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const out = openSync(join(workDir, `${name.replace('%', 'pct')}.log`), 'a');
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--separate-threads=yes',
      `--callgrind-out-file=${dir}/cg.out`,
      process.execPath,
      // e.g. VIGIL_BENCH_NODE_FLAGS=--perf-basic-prof names JIT code (/tmp/perf-<pid>.map) for callgrind_annotate.
      ...(process.env.VIGIL_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
      PRODUCT_SERVER,
    ],
    {
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...variantEnv(name) },
      stdio: ['ignore', out, out],
    },
  );
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections });
  try {
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${name}: service exited with ${child.exitCode}`);
      try {
        const { statusCode, body } = await pool.request({ method: 'GET', path: '/health/ready' });
        await body.dump();
        if (statusCode === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${name}: not ready under valgrind within 180 s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await send(pool, warmup);
    control(['-z', String(child.pid)]);
    await send(pool, requests);
    control(['-d', String(child.pid)]);
  } finally {
    await pool.close();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  // The dump after the measured requests holds the costs since the zeroing: cg.out.1-<thread>.
  const files = readdirSync(dir).filter((f) => f.startsWith('cg.out.1-'));
  const counts = files.map((f) => ({ f, n: instructionsOf(join(dir, f)) }));
  // The event-loop thread is the first one (-01).
  const main = counts.find((c) => c.f.endsWith('-01'))?.n ?? 0;
  if (main === 0) throw new Error(`${name}: no callgrind dump of the event-loop thread in ${dir}`);
  const all = counts.reduce((sum, c) => sum + c.n, 0);
  return { main: main / requests, all: all / requests };
}

try {
  const rows = [];
  let off: { main: number; all: number } | undefined;
  for (const name of variants) {
    const r = await measure(name);
    if (name === 'off') off = r;
    rows.push({
      variant: name,
      'instructions/req (event loop)': round(r.main, 0),
      'instructions/req (all threads)': round(r.all, 0),
      'ratio off÷this (event loop)': off ? round(off.main / r.main, 3) : '',
      'ratio off÷this (all threads)': off ? round(off.all / r.all, 3) : '',
    });
    console.log(`${name}: ${round(r.main, 0)} instr/req event loop, ${round(r.all, 0)} all threads`);
  }
  console.log(
    `\ntelemetry-overhead (instructions): ${requests} requests after ${warmup} warm-up, ${connections} connections`,
  );
  console.table(rows);
} finally {
  await sink.close();
  if (!process.env.VIGIL_BENCH_KEEP) rmSync(workDir, { recursive: true, force: true });
  else console.log(workDir);
}
