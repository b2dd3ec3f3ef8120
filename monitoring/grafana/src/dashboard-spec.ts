// The dashboard model shared by Grafana (built into JSON with the foundation SDK) and the
// Vigil console (which renders these specs against the local Prometheus itself).

export type PanelType = 'timeseries' | 'stat';

export interface QuerySpec {
  /** PromQL; may use the Grafana variables `$service` and `$__rate_interval`. */
  readonly expr: string;
  /** Grafana legend format, e.g. `{{service}} p95`. */
  readonly legend?: string;
}

export interface ThresholdStep {
  /** null is the base step. */
  readonly value: number | null;
  readonly color: string;
}

export interface PanelSpec {
  readonly title: string;
  /** What the panel shows and how to read it (also the Grafana panel description). */
  readonly description: string;
  readonly type: PanelType;
  /** A Grafana unit id: reqps, percentunit, s, bytes, currencyUSD, short, none… */
  readonly unit: string;
  readonly queries: readonly QuerySpec[];
  /** Show exemplars (trace ids) of the histogram queries on this panel. */
  readonly exemplars?: boolean;
  readonly thresholds?: readonly ThresholdStep[];
  /** Text shown for exact values, e.g. up: 0 → DOWN. */
  readonly valueText?: Readonly<Record<string, { text: string; color: string }>>;
  readonly min?: number;
  readonly max?: number;
  /** Grid width out of 24 (default: stat 6, timeseries 12). */
  readonly width?: number;
}

export interface SectionSpec {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

export interface DashboardSpec {
  /** Fixed, so links and provisioning never break. */
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  /** Whether the dashboard has the `$service` variable. */
  readonly serviceVariable: boolean;
  readonly sections: readonly SectionSpec[];
}
