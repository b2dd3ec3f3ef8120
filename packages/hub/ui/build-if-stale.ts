// Builds the console with Vite unless dist/ is newer than every UI source, so `make start` stays fast.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = import.meta.dirname;
const marker = join(root, 'dist', 'index.html');
// The lock file stands in for the installed React/Vite versions.
const SOURCES = [
  'src',
  'index.html',
  'vite.config.ts',
  'tsconfig.json',
  'build-if-stale.ts',
  '../../../package-lock.json',
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const force = process.argv.includes('--force');
const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;
const sources = Math.max(...SOURCES.map((s) => newestMtime(join(root, s))));
if (!force && built > sources) process.exit(0);

const vite = join(root, '..', '..', '..', 'node_modules', 'vite', 'bin', 'vite.js');
// Build beside dist/ and swap it in, so a running hub or a concurrent build never sees half a console.
const tmp = join(root, '.vite', `dist-${process.pid}`);
const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn', '--outDir', tmp], {
  cwd: root,
  stdio: 'inherit',
});
if (result.status !== 0) {
  rmSync(tmp, { recursive: true, force: true });
  console.error('console UI build failed');
  process.exit(result.status ?? 1);
}
const old = join(root, '.vite', `dist-old-${process.pid}`);
const dist = join(root, 'dist');
if (existsSync(dist)) renameSync(dist, old);
try {
  renameSync(tmp, dist);
} catch {
  // Another build swapped its output in first; either result is current.
}
rmSync(old, { recursive: true, force: true });
rmSync(tmp, { recursive: true, force: true });
