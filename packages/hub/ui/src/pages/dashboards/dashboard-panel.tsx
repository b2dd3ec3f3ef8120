import type { CSSProperties } from 'react';
import type { PanelSpec } from './dashboard-types.ts';
import type { TimeWindow } from './panel-data.ts';
import { StatValues } from './stat-values.tsx';
import { TimeseriesChart } from './timeseries-chart.tsx';
import { usePanelData } from './use-panel-data.ts';

/** One panel: its own queries, and its own loading, empty and error states. */
export function DashboardPanel({
  panel,
  window,
  service,
}: {
  panel: PanelSpec;
  window: TimeWindow;
  service: string;
}) {
  const result = usePanelData(panel, window, service);
  const width = panel.width ?? (panel.type === 'stat' ? 6 : 12);
  const empty =
    result.state === 'ready' &&
    (result.data.kind === 'stat' ? result.data.values.length === 0 : result.data.series.length === 0);
  const state = result.state === 'ready' ? (empty ? 'empty' : 'ready') : result.state;
  return (
    <section
      className={`dash-panel dash-panel-${panel.type}`}
      style={{ '--dash-span': width } as CSSProperties}
      data-panel-title={panel.title}
      data-panel-type={panel.type}
      data-state={state}
    >
      <header className="dash-panel-head">
        <h4 title={panel.description}>{panel.title}</h4>
      </header>
      {result.state === 'loading' ? <div className="dash-panel-note muted">Loading…</div> : null}
      {result.state === 'error' ? (
        <div className="dash-panel-error" role="alert">
          <strong>Query failed</strong>
          <p>{result.message}</p>
        </div>
      ) : null}
      {empty ? <div className="dash-panel-note muted">No data in this time range</div> : null}
      {result.state === 'ready' && !empty && result.data.kind === 'timeseries' ? (
        <TimeseriesChart
          xs={result.data.xs}
          series={result.data.series}
          unit={panel.unit}
          min={panel.min}
          max={panel.max}
        />
      ) : null}
      {result.state === 'ready' && !empty && result.data.kind === 'stat' ? (
        <StatValues panel={panel} values={result.data.values} />
      ) : null}
      <p className="dash-panel-desc muted">{panel.description}</p>
    </section>
  );
}
