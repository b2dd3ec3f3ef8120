import { TIME_RANGES } from '../../lib/format.ts';
import { ALL } from './promql-variables.ts';

export interface ToolbarProps {
  range: string;
  service: string;
  services: string[] | null;
  autoRefresh: boolean;
  refreshSeconds: number;
  onChange: (change: { range?: string; service?: string; refresh?: boolean }) => void;
  onRefresh: () => void;
}

export function DashboardToolbar(props: ToolbarProps) {
  const choices = props.services ? [...new Set([ALL, ...props.services, props.service])] : null;
  return (
    <div className="dash-toolbar">
      {choices ? (
        <label className="inline">
          Service{' '}
          <select
            name="service"
            value={props.service}
            onChange={(e) => props.onChange({ service: e.target.value })}
          >
            {choices.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <label className="inline">
        Time range{' '}
        <select name="range" value={props.range} onChange={(e) => props.onChange({ range: e.target.value })}>
          {TIME_RANGES.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
      </label>
      <label className="inline">
        <input
          type="checkbox"
          name="refresh"
          checked={props.autoRefresh}
          onChange={(e) => props.onChange({ refresh: e.target.checked })}
        />
        Auto-refresh every {props.refreshSeconds}s
      </label>
      <button type="button" onClick={props.onRefresh}>
        Refresh
      </button>
    </div>
  );
}
