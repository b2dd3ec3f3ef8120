// Imported by generate.ts: writes monitoring/grafana/console/dashboards.json (outside dashboards/,
// so Grafana's provisioning does not try to load it as a dashboard).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CONSOLE_SPECS_FILE, consoleSpecsText } from './console-specs.ts';
import { dashboards } from './index.ts';

mkdirSync(dirname(CONSOLE_SPECS_FILE), { recursive: true });
writeFileSync(CONSOLE_SPECS_FILE, consoleSpecsText(dashboards));
console.log(`wrote the console's dashboard specs to ${CONSOLE_SPECS_FILE}`);
