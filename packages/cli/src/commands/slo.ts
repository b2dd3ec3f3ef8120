import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateFromSpecText, SLO_SPEC, validateSpecText } from '@vigil/slo';
import { repoRoot } from '../paths.ts';

export const usage = `usage: vigil slo validate [spec]
       vigil slo generate [--spec <file>] [--out <file>] [--check]

validate  checks an SLO/SLA spec (default monitoring/slo/slos.yaml) and prints every problem.
generate  writes the Prometheus rules of the spec (SLO burn rates, SLA probes) (default monitoring/prometheus/rules/slo-generated.yml);
          --check writes nothing and fails when the file differs from what the spec generates.
Exit codes: 0 ok, 1 invalid spec or stale file, 2 bad usage.`;

const DEFAULT_SPEC = SLO_SPEC;
const DEFAULT_OUT = 'monitoring/prometheus/rules/slo-generated.yml';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      spec: { type: 'string' },
      out: { type: 'string' },
      check: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const [action, file, ...extra] = positionals;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (extra.length > 0 || (action !== 'validate' && action !== 'generate')) {
    console.error(usage);
    return 2;
  }
  const specPath = resolve(file ?? values.spec ?? resolve(repoRoot, DEFAULT_SPEC));
  const specText = readSpec(specPath);
  if (specText === undefined) return 1;
  return action === 'validate' ? validate(specPath, specText) : generate(specPath, specText, values);
}

function readSpec(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    console.error(`vigil slo: cannot read ${path}: ${(err as Error).message}`);
    return undefined;
  }
}

function validate(specPath: string, specText: string): number {
  const result = validateSpecText(specText);
  if (!result.ok) return reportInvalid(specPath, result.errors);
  console.log(`${specPath}: ${result.spec.slos.length} SLOs and ${result.spec.slas.length} SLAs, valid`);
  return 0;
}

function generate(specPath: string, specText: string, options: { out?: string; check?: boolean }): number {
  const source = relative(repoRoot, specPath) || specPath;
  const result = generateFromSpecText(specText, source);
  if (!result.ok) return reportInvalid(specPath, result.errors);
  const outPath = resolve(options.out ?? resolve(repoRoot, DEFAULT_OUT));
  if (options.check) {
    let current = '';
    try {
      current = readFileSync(outPath, 'utf8');
    } catch {}
    if (current === result.text) {
      console.log(`${outPath} is up to date`);
      return 0;
    }
    console.error(`${outPath} is stale: run 'npm run vigil -- slo generate'`);
    return 1;
  }
  writeFileSync(outPath, result.text);
  console.log(`wrote ${outPath}`);
  return 0;
}

function reportInvalid(specPath: string, errors: readonly string[]): number {
  console.error(`${specPath}: invalid SLO spec (${errors.length} problem${errors.length === 1 ? '' : 's'})`);
  for (const error of errors) console.error(`  - ${error}`);
  return 1;
}
