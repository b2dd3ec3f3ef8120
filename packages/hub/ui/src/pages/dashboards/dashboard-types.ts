// The console's view of the dashboard specs (served by GET /api/dashboards/:uid) and of the
// Prometheus HTTP API answers relayed by /api/prometheus/*.

export interface QuerySpec {
  expr: string;
  legend?: string;
}

export interface ThresholdStep {
  value: number | null;
  color: string;
}

export interface PanelSpec {
  title: string;
  description: string;
  type: 'timeseries' | 'stat';
  unit: string;
  queries: QuerySpec[];
  exemplars?: boolean;
  thresholds?: ThresholdStep[];
  valueText?: Record<string, { text: string; color: string }>;
  min?: number;
  max?: number;
  width?: number;
}

export interface SectionSpec {
  title: string;
  panels: PanelSpec[];
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  serviceVariable: boolean;
  sections: SectionSpec[];
}

export type DashboardSummary = Pick<DashboardSpec, 'uid' | 'title' | 'description' | 'tags'>;

export type Labels = Record<string, string>;

export interface VectorSample {
  metric: Labels;
  value: [number, string];
}

export interface MatrixSeries {
  metric: Labels;
  values: [number, string][];
}

export type PromData =
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'matrix'; result: MatrixSeries[] }
  | { resultType: 'scalar' | 'string'; result: [number, string] };

export interface PromAnswer {
  status: 'success';
  data: PromData;
  warnings?: string[];
}
