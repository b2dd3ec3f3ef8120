// `make bench` entry for the hub: ingest (sustained rate and 2x overload), then query latency on a
// store seeded with --spans spans (default 5 million, ~3 min to seed, ~1.5 GB in a temp dir).
// Usage: node bench/hub/run.ts [--spans 5000000]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { spans: { type: 'string', default: '5000000' } } });
const here = fileURLToPath(new URL('.', import.meta.url));

function step(script: string, args: string[]): void {
  console.log(`\n--- node bench/hub/${script} ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [join(here, script), ...args], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`bench/hub/${script} exited with ${result.status}`);
}

step('ingest.ts', ['--runs', '5', '--duration', '20', '--overload-seconds', '15']);
const store = mkdtempSync(join(tmpdir(), 'vigil-hub-bench-'));
try {
  step('seed-spans.ts', [store, '--spans', values.spans]);
  step('query.ts', [store, '--runs', '3', '--requests', '400']);
} finally {
  rmSync(store, { recursive: true, force: true });
}
