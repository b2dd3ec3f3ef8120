// CPU per order of two versions of the stack, side by side in one run: cpu-per-order.ts alternately in
// this tree and in a snapshot of an earlier commit (before/after pairs, the order flipped every pair so
// neither side always runs first). A ratio from one run on one machine; what else the machine does
// weighs on both sides alike.
// Usage: node bench/order-flow/compare.ts --before <commit> [--after <commit>] [--pairs 3] [--orders 1000]
//   [--rate 100 | --clients 10]
// (without --after: this tree as it is). --rate: open loop at that rate, as run.ts's fixed-rate phase (on a
// busy machine the stack may not keep up, and failed orders make the figure meaningless: see `failed`);
// --clients (the default, 10): closed loop, whatever rate the machine allows.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@vigil/service-kit/testing';

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    after: { type: 'string' },
    pairs: { type: 'string', default: '3' },
    rate: { type: 'string' },
    clients: { type: 'string', default: '10' },
    orders: { type: 'string', default: '1000' },
  },
});
if (!values.before) throw new Error('--before <commit> is required');
const pairs = Number(values.pairs);

/**
 * The commit's files in a temp dir, with a node_modules that shares this tree's third-party packages
 * but points @vigil/* at the snapshot's own workspaces (so the snapshot runs its own code throughout).
 */
function snapshot(commit: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-before-'));
  const archive = execFileSync('git', ['-C', repoRoot, 'archive', '--format=tar', commit], {
    maxBuffer: 1 << 30,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, '@vigil'), { recursive: true });
  for (const entry of readdirSync(join(repoRoot, 'node_modules'))) {
    if (entry !== '@vigil') symlinkSync(join(repoRoot, 'node_modules', entry), join(modules, entry));
  }
  // The workspaces' links are relative (../../packages/card): the same links resolve into the snapshot.
  for (const name of readdirSync(join(repoRoot, 'node_modules/@vigil'))) {
    const target = readlinkSync(join(repoRoot, 'node_modules/@vigil', name));
    symlinkSync(target, join(modules, '@vigil', name));
    const own = join(repoRoot, 'node_modules/@vigil', target, 'node_modules');
    const snapshotOwn = join(modules, '@vigil', target, 'node_modules');
    if (existsSync(own) && !existsSync(snapshotOwn)) symlinkSync(own, snapshotOwn);
  }
  // The measuring script is this tree's (the snapshot's may lack --rate); it starts the snapshot's stack.
  cpSync(join(repoRoot, 'bench'), join(dir, 'bench'), { recursive: true });
  return dir;
}

interface Measurement {
  cpu_ms_per_order: number;
  failed?: number;
  per_process: Record<string, number>;
  requests_per_order?: Record<string, number>;
}

function measure(root: string): Measurement {
  const run = spawnSync(
    process.execPath,
    [
      join(root, 'bench/order-flow/cpu-per-order.ts'),
      ...(values.rate ? ['--rate', values.rate] : ['--clients', values.clients!]),
      '--orders',
      values.orders!,
    ],
    { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  const line = run.stdout.split('\n').find((l) => l.startsWith('{'));
  if (run.status !== 0 || !line) throw new Error(`cpu-per-order.ts in ${root} failed:\n${run.stderr}`);
  return JSON.parse(line) as Measurement;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const before = snapshot(values.before);
const after = values.after ? snapshot(values.after) : repoRoot;
try {
  const results: Record<'before' | 'after', Measurement[]> = { before: [], after: [] };
  for (let i = 0; i < pairs; i++) {
    const order: Array<'before' | 'after'> = i % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
    for (const side of order) {
      const m = measure(side === 'before' ? before : after);
      results[side].push(m);
      console.error(`${side}: ${m.cpu_ms_per_order} ms CPU per order (failed ${m.failed ?? 0})`);
    }
  }
  const summary = Object.fromEntries(
    (['before', 'after'] as const).map((side) => {
      const runs = results[side];
      const processes = Object.keys(runs[0]!.per_process);
      return [
        side,
        {
          cpu_ms_per_order: runs.map((r) => r.cpu_ms_per_order),
          median: median(runs.map((r) => r.cpu_ms_per_order)),
          per_process_median: Object.fromEntries(
            processes.map((p) => [p, median(runs.map((r) => r.per_process[p]!))]),
          ),
          requests_per_order_median: Object.fromEntries(
            Object.keys(runs[0]!.requests_per_order ?? {}).map((p) => [
              p,
              median(runs.map((r) => r.requests_per_order?.[p] ?? 0)),
            ]),
          ),
          failed: runs.reduce((n, r) => n + (r.failed ?? 0), 0),
        },
      ];
    }),
  );
  console.log(
    JSON.stringify({
      before: values.before,
      after: values.after ?? 'this tree',
      ...(values.rate ? { rate: Number(values.rate) } : { clients: Number(values.clients) }),
      orders: Number(values.orders),
      pairs,
      ...summary,
      after_over_before: Math.round((summary.after!.median / summary.before!.median) * 1000) / 1000,
    }),
  );
} finally {
  rmSync(before, { recursive: true, force: true });
  if (after !== repoRoot) rmSync(after, { recursive: true, force: true });
}
