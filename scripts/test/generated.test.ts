import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../packages/cli/src/index.ts';
import { GENERATED_DIRS, generatedArtefacts } from '../generated-artefacts.ts';

describe('generated artefacts (make generate)', () => {
  const files = generatedArtefacts();

  it('covers the SLO rules, the dashboards and the full-stack targets', () => {
    const paths = [...files.keys()];
    expect(paths).toContain('monitoring/prometheus/rules/slo-generated.yml');
    expect(paths.filter((p) => p.startsWith('monitoring/grafana/dashboards/')).length).toBeGreaterThan(0);
    expect(paths).toContain('monitoring/prometheus/profiles/full-stack/targets/services.json');
  });

  it.each([...files.keys()])('%s is up to date (run `make generate`)', (path) => {
    const full = join(repoRoot, path);
    expect(existsSync(full), `${path} is missing`).toBe(true);
    expect(readFileSync(full, 'utf8')).toBe(files.get(path));
  });

  it.each(GENERATED_DIRS)('%s holds no stale generated file', (dir) => {
    const onDisk = readdirSync(join(repoRoot, dir))
      .filter((f) => f.endsWith('.json'))
      .map((f) => `${dir}/${f}`);
    expect(onDisk.filter((p) => !files.has(p))).toEqual([]);
  });
});
