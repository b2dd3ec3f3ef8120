import { business } from './business.ts';
import type { DashboardSpec } from './dashboard-spec.ts';
import { serviceOverview } from './service-overview.ts';
import { slos } from './slos.ts';
import { telemetryPipeline } from './telemetry-pipeline.ts';

export { buildDashboard, GENERATED_NOTE, PROMETHEUS_DATASOURCE } from './build-dashboard.ts';
export { dashboardFiles } from './dashboard-files.ts';
export type {
  DashboardSpec,
  PanelSpec,
  PanelType,
  QuerySpec,
  SectionSpec,
  ThresholdStep,
} from './dashboard-spec.ts';

/** Every Vigil dashboard, in menu order; the console renders these, Grafana gets the built JSON. */
export const dashboards: readonly DashboardSpec[] = [serviceOverview, business, slos, telemetryPipeline];
