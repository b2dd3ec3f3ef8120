// Writes monitoring/grafana/dashboards/*.json from the TypeScript definitions:
//   node monitoring/grafana/src/generate.ts
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardFiles, dashboards } from './index.ts';

const outDir = join(import.meta.dirname, '..', 'dashboards');
mkdirSync(outDir, { recursive: true });
const files = dashboardFiles(dashboards);
for (const stale of readdirSync(outDir).filter((f) => f.endsWith('.json') && !files.has(f))) {
  rmSync(join(outDir, stale));
}
for (const [name, text] of files) writeFileSync(join(outDir, name), text);
console.log(`wrote ${files.size} dashboards to ${outDir}`);
await import('./generate-console-specs.ts');
