// `make bench`: runs every benchmark that has a bench/<name>/run.ts, one after another (they would
// distort each other side by side), and prints a pass/fail line per benchmark at the end.
// Usage: node bench/run.ts [name ...]   (no names: all of them)
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(benchDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(benchDir, entry.name, 'run.ts')))
  .map((entry) => entry.name)
  .sort();
const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
const selected = requested.length > 0 ? requested : available;

function run(name: string): Promise<{ name: string; code: number | null; seconds: number }> {
  const started = Date.now();
  console.log(`\n=== bench/${name} ===`);
  const child = spawn(process.execPath, [join(benchDir, name, 'run.ts')], { stdio: 'inherit' });
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve({ name, code, seconds: Math.round((Date.now() - started) / 1000) }));
  });
}

const outcomes = [];
for (const name of selected) outcomes.push(await run(name));
console.log('\n=== summary ===');
for (const { name, code, seconds } of outcomes) {
  console.log(`${code === 0 ? 'ok  ' : 'FAIL'} bench/${name} (${seconds} s)`);
}
process.exit(outcomes.every((o) => o.code === 0) ? 0 : 1);
