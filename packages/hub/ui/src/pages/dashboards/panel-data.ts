import type { Labels, PanelSpec, PromAnswer } from './dashboard-types.ts';
import { dashboardsApi } from './dashboards-api.ts';
import { legendFor } from './legend.ts';
import { substitute } from './promql-variables.ts';

/** Seconds since the epoch, as Prometheus takes them. */
export interface TimeWindow {
  start: number;
  end: number;
  step: number;
  /** Stats show the value at this moment (end is aligned to the step, so up to a step earlier). */
  now: number;
  /** Bumped by every refresh, so a refresh within the same second still reloads. */
  seq: number;
}

export interface SeriesData {
  label: string;
  values: (number | null)[];
}

export interface StatValue {
  /** Unique within the panel: query index and the series' labels. */
  id: string;
  label: string;
  raw: string;
  value: number;
}

export type PanelData =
  | { kind: 'timeseries'; xs: number[]; series: SeriesData[] }
  | { kind: 'stat'; values: StatValue[] };

function toNumber(s: string): number | null {
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

function instantSamples(answer: PromAnswer): { metric: Labels; raw: string }[] {
  const d = answer.data;
  if (d.resultType === 'vector') return d.result.map((s) => ({ metric: s.metric, raw: s.value[1] }));
  if (d.resultType === 'scalar') return [{ metric: {}, raw: d.result[1] }];
  if (d.resultType === 'matrix')
    return d.result.flatMap((s) => {
      const last = s.values.at(-1);
      return last ? [{ metric: s.metric, raw: last[1] }] : [];
    });
  return [];
}

/** Runs every query of a panel for the window; one failing query fails the panel with its message. */
export async function loadPanel(
  panel: PanelSpec,
  window: TimeWindow,
  service: string,
  signal: AbortSignal,
): Promise<PanelData> {
  const vars = { service, stepSeconds: window.step };
  if (panel.type === 'stat') {
    const answers = await Promise.all(
      panel.queries.map((q) => dashboardsApi.instant(substitute(q.expr, vars), window.now, signal)),
    );
    const values = answers.flatMap((answer, i) =>
      instantSamples(answer).map(({ metric, raw }) => ({
        id: `${i}${JSON.stringify(metric)}`,
        label: legendFor(panel.queries[i]!.legend, metric, panel.queries[i]!.expr),
        raw,
        value: Number(raw),
      })),
    );
    values.sort((a, b) => a.label.localeCompare(b.label));
    return { kind: 'stat', values };
  }
  const answers = await Promise.all(
    panel.queries.map((q) =>
      dashboardsApi.range(substitute(q.expr, vars), window.start, window.end, window.step, signal),
    ),
  );
  const xs: number[] = [];
  for (let t = window.start; t <= window.end; t += window.step) xs.push(t);
  const index = new Map(xs.map((t, i) => [t, i]));
  const series: SeriesData[] = [];
  answers.forEach((answer, i) => {
    if (answer.data.resultType !== 'matrix') return;
    for (const s of answer.data.result) {
      const values: (number | null)[] = new Array(xs.length).fill(null);
      for (const [t, v] of s.values) {
        const at = index.get(t);
        if (at !== undefined) values[at] = toNumber(v);
      }
      series.push({ label: legendFor(panel.queries[i]!.legend, s.metric, panel.queries[i]!.expr), values });
    }
  });
  return { kind: 'timeseries', xs, series };
}
