import { join } from 'node:path';
import { GENERATED_NOTE } from './build-dashboard.ts';
import type { DashboardSpec } from './dashboard-spec.ts';

/** Read by the Vigil hub (VIGIL_HUB_DASHBOARDS_FILE), which renders these specs in its console. */
export const CONSOLE_SPECS_FILE = join(import.meta.dirname, '..', 'console', 'dashboards.json');

/** The console's copy of the dashboard specs, exactly as generate.ts writes it. */
export function consoleSpecsText(specs: readonly DashboardSpec[]): string {
  return `${JSON.stringify({ generated: GENERATED_NOTE, dashboards: specs }, null, 2)}\n`;
}
