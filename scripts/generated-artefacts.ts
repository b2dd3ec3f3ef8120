// Every file of the repo that is generated from code, with the text it must have. `make generate`
// (scripts/generate.ts) writes them; scripts/test/generated.test.ts fails when one is stale.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { dashboardFiles, dashboards } from '@vigil/dashboards';
import { CONSOLE_SPECS_FILE, consoleSpecsText } from '@vigil/dashboards/console-specs';
import { deployArtefacts } from '../deploy/generate.ts';
import { kubernetesArtefacts } from '../deploy/kubernetes/generate.ts';
import { repoRoot } from '../packages/cli/src/index.ts';
import {
  CORE_TARGETS_DIR,
  coreScrapeTargets,
  FULL_STACK_TARGETS_DIR,
  fullStackScrapeTargets,
  scrapeTargetFiles,
} from '../packages/cli/src/monitoring/index.ts';
import { generateFromSpecText } from '../packages/slo/src/index.ts';

export const SLO_SPEC = 'monitoring/slo/slos.yaml';
export const SLO_RULES = 'monitoring/prometheus/rules/slo-generated.yml';
export const DASHBOARDS_DIR = 'monitoring/grafana/dashboards';

/** Directories whose every `*.json` is generated: a file there that is not generated is stale. */
export const GENERATED_DIRS: readonly string[] = [DASHBOARDS_DIR, FULL_STACK_TARGETS_DIR, CORE_TARGETS_DIR];

/** Repo-relative path → expected text, for every generated artefact. */
export function generatedArtefacts(): Map<string, string> {
  const files = new Map<string, string>();
  const slo = generateFromSpecText(readFileSync(join(repoRoot, SLO_SPEC), 'utf8'), SLO_SPEC);
  if (!slo.ok) throw new Error(`${SLO_SPEC} is invalid:\n${slo.errors.join('\n')}`);
  files.set(SLO_RULES, slo.text);
  for (const [name, text] of dashboardFiles(dashboards)) files.set(`${DASHBOARDS_DIR}/${name}`, text);
  files.set(relative(repoRoot, CONSOLE_SPECS_FILE), consoleSpecsText(dashboards));
  for (const [name, text] of scrapeTargetFiles(fullStackScrapeTargets())) {
    files.set(`${FULL_STACK_TARGETS_DIR}/${name}`, text);
  }
  for (const [name, text] of scrapeTargetFiles(coreScrapeTargets()))
    files.set(`${CORE_TARGETS_DIR}/${name}`, text);
  for (const [path, text] of deployArtefacts()) files.set(path, text);
  for (const [path, text] of kubernetesArtefacts()) files.set(path, text);
  return files;
}
