import { buildDashboard } from './build-dashboard.ts';
import type { DashboardSpec } from './dashboard-spec.ts';

/** File name → JSON text of every dashboard, exactly as generate.ts writes them. */
export function dashboardFiles(specs: readonly DashboardSpec[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const spec of specs) {
    files.set(`${spec.uid}.json`, `${JSON.stringify(buildDashboard(spec), null, 2)}\n`);
  }
  return files;
}
