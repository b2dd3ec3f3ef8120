// The compose core profile in podman (issue 16 goals): time from `up` until every container passes
// its compose healthcheck (goal ≤ 60 s) and the containers' total memory at rest (goal ≤ 1.5 GiB),
// median of --runs fresh ups of the same images (test/containers/support/podman-compose.ts, as
// `make test-containers` runs them). Builds the images first if this tree has none (warm: seconds).
// Usage: nice -n 0 flock /tmp/vigil-podman.lock node bench/containers/run.ts [--runs 3] [--rest 20]
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { repoRoot } from '@vigil/service-kit/testing';
import {
  buildImages,
  CORE_ENV_FILE,
  composeConfig,
  coreServices,
  localBase,
  PodmanStack,
  removeLeftovers,
} from '../../test/containers/support/podman-compose.ts';
import { median, round } from '../lib/stats.ts';

const GOAL_HEALTHY_SECONDS = 60;
const GOAL_MEMORY_MIB = 1536;
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, rest: { type: 'string', default: '20' } },
});
const runs = Number(values.runs);
const restSeconds = Number(values.rest);
const log = (line: string) => process.stderr.write(`[bench/containers] ${line}\n`);

await removeLeftovers(log);
execFileSync(join(repoRoot, 'scripts/compose-secrets.sh'));
const compose = await composeConfig(CORE_ENV_FILE);
const core = coreServices(compose);
const t0 = Date.now();
const images = await buildImages(compose, core, await localBase(), log);
log(`images ready after ${((Date.now() - t0) / 1000).toFixed(1)} s`);

const rows: Array<{ healthy: number; memory: number; slowest: string; load: number }> = [];
for (let i = 0; i < runs; i++) {
  const stack = new PodmanStack(compose, images, `vigil-b${process.pid}-${i}`);
  const load = loadavg()[0] ?? Number.NaN;
  try {
    await stack.up(core);
    const [slowest, healthy] = Object.entries(stack.healthyAfter).sort((a, b) => b[1] - a[1])[0] as [
      string,
      number,
    ];
    await delay(restSeconds * 1000);
    const memory = Object.values(await stack.memoryMiB()).reduce((a, b) => a + b, 0);
    rows.push({ healthy, memory, slowest, load });
    log(
      `run ${i + 1}: healthy after ${healthy.toFixed(1)} s (last: ${slowest}), ${memory.toFixed(0)} MiB at rest, load ${load.toFixed(1)}`,
    );
  } finally {
    await stack.close();
  }
}

const healthy = median(rows.map((r) => r.healthy));
const memory = median(rows.map((r) => r.memory));
console.log(
  JSON.stringify(
    {
      runs: rows.map((r) => ({ ...r, healthy: round(r.healthy, 1), memory: Math.round(r.memory) })),
      medianHealthySeconds: round(healthy, 1),
      medianMemoryMiB: Math.round(memory),
      goals: { healthySeconds: GOAL_HEALTHY_SECONDS, memoryMiB: GOAL_MEMORY_MIB },
    },
    null,
    2,
  ),
);
const met = healthy <= GOAL_HEALTHY_SECONDS && memory <= GOAL_MEMORY_MIB;
console.log(
  `core profile: healthy ${healthy.toFixed(1)} s after up (goal ${GOAL_HEALTHY_SECONDS}), ${memory.toFixed(0)} MiB at rest (goal ${GOAL_MEMORY_MIB}): ${met ? 'goals met' : 'GOALS NOT MET'}`,
);
process.exit(met ? 0 : 1);
