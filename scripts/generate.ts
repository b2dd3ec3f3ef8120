// `make generate`: writes every generated artefact (SLO rules, dashboards and the console's copy,
// the full-stack scrape targets) and removes stale generated files.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '../packages/cli/src/index.ts';
import { GENERATED_DIRS, generatedArtefacts } from './generated-artefacts.ts';

const files = generatedArtefacts();
for (const dir of GENERATED_DIRS) {
  for (const name of readdirSync(join(repoRoot, dir)).filter((f) => f.endsWith('.json'))) {
    if (!files.has(`${dir}/${name}`)) {
      rmSync(join(repoRoot, dir, name));
      console.log(`removed stale ${dir}/${name}`);
    }
  }
}
const write = (artefacts: Map<string, string>) => {
  for (const [path, text] of artefacts) {
    mkdirSync(dirname(join(repoRoot, path)), { recursive: true });
    writeFileSync(join(repoRoot, path), text);
  }
};
write(files);
// Some artefacts are built from others read back from disk (the Kubernetes PrometheusRules embed
// the rule files, SLO rules included), so a second pass picks up what the first one rewrote.
const again = generatedArtefacts();
const changed = new Map([...again].filter(([path, text]) => files.get(path) !== text));
write(changed);
console.log(
  `wrote ${files.size} generated files${changed.size ? ` (${changed.size} rebuilt from them)` : ''}`,
);
