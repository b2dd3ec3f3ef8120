import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';

// The shape of monitoring/grafana/console/dashboards.json (DashboardSpec in monitoring/grafana/src).
const color = z.string().min(1).max(64);
const panelSchema = z.object({
  title: z.string().min(1),
  description: z.string(),
  type: z.enum(['timeseries', 'stat']),
  unit: z.string().min(1),
  queries: z.array(z.object({ expr: z.string().min(1), legend: z.string().optional() })).min(1),
  exemplars: z.boolean().optional(),
  thresholds: z.array(z.object({ value: z.number().nullable(), color })).optional(),
  valueText: z.record(z.string(), z.object({ text: z.string(), color })).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  width: z.number().int().min(1).max(24).optional(),
});
const dashboardSchema = z.object({
  uid: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/),
  title: z.string().min(1),
  description: z.string(),
  tags: z.array(z.string()),
  serviceVariable: z.boolean(),
  sections: z.array(z.object({ title: z.string(), panels: z.array(panelSchema) })),
});
const fileSchema = z.object({ generated: z.string(), dashboards: z.array(dashboardSchema) });

export type ConsoleDashboard = z.output<typeof dashboardSchema>;

export interface DashboardSummary {
  uid: string;
  title: string;
  description: string;
  tags: string[];
}

export class DashboardCatalog {
  readonly #byUid: Map<string, ConsoleDashboard>;
  constructor(dashboards: readonly ConsoleDashboard[]) {
    this.#byUid = new Map(dashboards.map((d) => [d.uid, d]));
  }
  list(): DashboardSummary[] {
    return [...this.#byUid.values()].map(({ uid, title, description, tags }) => ({
      uid,
      title,
      description,
      tags,
    }));
  }
  get(uid: string): ConsoleDashboard | undefined {
    return this.#byUid.get(uid);
  }
}

/**
 * Reads the generated console specs. A missing file gives an empty catalogue (the caller warns);
 * a file that is not valid specs throws, so a broken generator fails the hub at startup.
 */
export function loadDashboardCatalog(file: string): { catalog: DashboardCatalog; missing: boolean } {
  if (!existsSync(file)) return { catalog: new DashboardCatalog([]), missing: true };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`dashboard specs ${file} are not JSON: ${(err as Error).message}`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`dashboard specs ${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  const uids = parsed.data.dashboards.map((d) => d.uid);
  const dup = uids.find((u, i) => uids.indexOf(u) !== i);
  if (dup) throw new Error(`dashboard specs ${file}: uid ${dup} appears twice`);
  return { catalog: new DashboardCatalog(parsed.data.dashboards), missing: false };
}
