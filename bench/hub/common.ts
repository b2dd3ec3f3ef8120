import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '@vigil/service-kit/testing';

export const HUB_ENTRY = fileURLToPath(new URL('../../packages/hub/src/server.ts', import.meta.url));

export { freePort };

/** The heap flags `vigil start` gives the hub (packages/cli/src/components.ts). */
export const HUB_NODE_OPTIONS =
  process.env.BENCH_HUB_NODE_OPTIONS ?? '--max-old-space-size=192 --max-semi-space-size=16';

export interface RunningHub {
  child: ChildProcess;
  api: string;
  otlp: string;
  stop(): Promise<void>;
}

export async function startHub(
  dataDir: string,
  env: Record<string, string> = {},
  entry = HUB_ENTRY,
): Promise<RunningHub> {
  const apiPort = await freePort();
  const otlpPort = await freePort();
  const child = spawn(process.execPath, [entry], {
    env: {
      ...process.env,
      VIGIL_DATA_DIR: dataDir,
      HUB_PORT: String(apiPort),
      HUB_OTLP_PORT: String(otlpPort),
      LOG_LEVEL: 'warn',
      // The heap cap `vigil start` gives the hub (see packages/cli/src/components.ts).
      NODE_OPTIONS: HUB_NODE_OPTIONS,
      MALLOC_ARENA_MAX: '2',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const api = `http://127.0.0.1:${apiPort}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hub exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${api}/health/ready`)).ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error('hub not ready in time');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    api,
    otlp: `http://127.0.0.1:${otlpPort}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resident set size of a process in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** CPU seconds (user+system) used so far by each thread of a process, by thread id (Linux /proc). */
export function threadCpuSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // thread ended
    }
  }
  return out;
}

/** CPU used between two samples: the whole process, and its busiest thread. */
export function cpuDelta(
  before: Map<string, number>,
  after: Map<string, number>,
): { total: number; busiest: number } {
  let total = 0;
  let busiest = 0;
  for (const [tid, v] of after) {
    const d = v - (before.get(tid) ?? 0);
    total += d;
    busiest = Math.max(busiest, d);
  }
  return { total, busiest };
}

export async function metric(api: string, name: string): Promise<number> {
  const text = await (await fetch(`${api}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(name) && /^[a-z_]+(\{|\s)/.test(line)) total += Number(line.split(' ').at(-1));
  return total;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

const SERVICES = [
  'gateway',
  'order-service',
  'product-service',
  'user-service',
  'payment-service',
  'notification-service',
];

export { SERVICES };
