// The tree of another commit, for measuring it side by side with this checkout in one run
// (`--baseline REF` of the benches): `git archive` into var/bench-baseline/<sha> (extracted once),
// with this checkout's installed node_modules linked in (the root's and the packages' own).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BaselineTree {
  /** `baseline <ref> (<short sha>)`. */
  name: string;
  /** The extracted tree's root. */
  dir: string;
}

export function baselineTree(ref: string): BaselineTree {
  const repo = fileURLToPath(new URL('../..', import.meta.url));
  const sha = execFileSync('git', ['-C', repo, 'rev-parse', '--verify', `${ref}^{commit}`], {
    encoding: 'utf8',
  }).trim();
  const dir = join(repo, 'var', 'bench-baseline', sha.slice(0, 12));
  if (!existsSync(join(dir, 'package.json'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync('bash', ['-c', `git -C "${repo}" archive ${sha} | tar -x -C "${dir}"`]);
  }
  if (!existsSync(join(dir, 'node_modules')))
    symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  for (const pkg of readdirSync(join(repo, 'packages'))) {
    const nested = join(repo, 'packages', pkg, 'node_modules');
    const link = join(dir, 'packages', pkg, 'node_modules');
    if (existsSync(nested) && existsSync(join(dir, 'packages', pkg)) && !existsSync(link))
      symlinkSync(nested, link);
  }
  return { name: `baseline ${ref} (${sha.slice(0, 8)})`, dir };
}
