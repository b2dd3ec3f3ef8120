import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATED_HEADER, generateFromSpecText } from '@vigil/slo';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const specPath = join(repo, 'monitoring/slo/slos.yaml');
const generatedPath = join(repo, 'monitoring/prometheus/rules/slo-generated.yml');
const scratch = mkdtempSync(join(tmpdir(), 'vigil-slo-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function vigil(...args: string[]) {
  const run = spawnSync(process.execPath, [join(repo, 'packages/cli/src/main.ts'), ...args], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('SLOs as code', () => {
  it('the committed generated rules are exactly what monitoring/slo/slos.yaml generates', () => {
    const result = generateFromSpecText(readFileSync(specPath, 'utf8'), 'monitoring/slo/slos.yaml');
    if (!result.ok) throw new Error(`slos.yaml is invalid:\n${result.errors.join('\n')}`);
    const committed = readFileSync(generatedPath, 'utf8');
    expect(committed.startsWith(`${GENERATED_HEADER}\n`)).toBe(true);
    // a stale file: run `npm run vigil -- slo generate` and commit the result
    expect(committed).toBe(result.text);
  });

  it('vigil slo validate accepts the repository spec', () => {
    const run = vigil('slo', 'validate');
    expect(run.code, run.stderr).toBe(0);
    // Counted independently of the validator: one `- name:` entry per SLO (before `slas:`) and per SLA.
    const [slos = '', slas = ''] = readFileSync(specPath, 'utf8').split(/^slas:$/m);
    const count = (text: string) => text.match(/^ {2}- name:/gm)?.length ?? 0;
    expect(count(slos)).toBeGreaterThan(0);
    expect(count(slas)).toBeGreaterThan(0);
    expect(run.stdout).toContain(`${count(slos)} SLOs and ${count(slas)} SLAs, valid`);
  });

  it('vigil slo validate rejects a bad spec with a clear message per problem, exit 1', () => {
    const bad = join(scratch, 'bad.yaml');
    writeFileSync(
      bad,
      [
        'slos:',
        '  - { name: a, service: s, team: t, objective: 90, period: 30d,',
        '      sli: { errors: "sum(rate(e[5m]))", total: "sum(rate(t[{{window}}]))" } }',
        '  - { name: a, service: s, team: t, objective: 99.9, period: 1y,',
        '      sli: { errors: "sum(rate(e[{{window}}]))", total: "sum(rate(t[{{window}}]))" } }',
      ].join('\n'),
    );
    const run = vigil('slo', 'validate', bad);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('invalid SLO spec (4 problems)');
    expect(run.stderr).toContain('slos[0] (a): sli.errors has no {{window}} placeholder');
    expect(run.stderr).toContain('slos[0] (a): objective 90 is too low');
    expect(run.stderr).toContain("slos[1] (a): duplicate name 'a'");
    expect(run.stderr).toContain("slos[1] (a): period '1y' is unknown");
  });

  it('vigil slo generate writes the same file, and --check tells stale from fresh', () => {
    const out = join(scratch, 'rules.yml');
    expect(vigil('slo', 'generate', '--out', out).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(generatedPath, 'utf8'));
    expect(vigil('slo', 'generate', '--check').code).toBe(0);
    writeFileSync(out, '# edited by hand\n');
    const stale = vigil('slo', 'generate', '--check', '--out', out);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('is stale');
  });
});
