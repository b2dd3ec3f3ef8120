import { statDisplay } from './colours.ts';
import type { PanelSpec } from './dashboard-types.ts';
import { statLabelled } from './legend.ts';
import type { StatValue } from './panel-data.ts';
import { formatValue } from './units.ts';

/** Grafana's stat panel: the latest value of each series, coloured by mapping or thresholds. */
export function StatValues({ panel, values }: { panel: PanelSpec; values: StatValue[] }) {
  const labelled = statLabelled(panel, values.length);
  return (
    <div className={`dash-stat ${labelled ? 'dash-stat-many' : ''}`}>
      {values.map((v) => {
        const display = statDisplay(panel, v.raw, v.value);
        return (
          <div
            key={v.id}
            className="dash-stat-item"
            style={display.colour ? { borderColor: display.colour } : undefined}
          >
            <span className="dash-stat-value" style={display.colour ? { color: display.colour } : undefined}>
              {display.text ?? formatValue(panel.unit, Number.isNaN(v.value) ? null : v.value)}
            </span>
            {labelled || values.length === 1 ? (
              <span className="dash-stat-label">{labelled ? v.label : ''}</span>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}
