// Fails when any import cycle exists between the repo's TypeScript modules.
import { parseCircular, parseDependencyTree, prettyCircular } from 'dpdm';

const roots = ['packages/*/src/**/*.ts', 'services/*/src/**/*.ts', 'bench/**/*.ts', 'monitoring/**/*.ts'];
const tree = await parseDependencyTree(roots, { transform: true, skipDynamicImports: false });
const cycles = parseCircular(tree).filter((c) => !c.some((f) => f.includes('node_modules')));
if (cycles.length > 0) {
  console.error(`import cycles found (${cycles.length}):\n${prettyCircular(cycles)}`);
  process.exit(1);
}
console.log(
  `no import cycles in ${Object.keys(tree).filter((f) => !f.includes('node_modules')).length} modules`,
);
