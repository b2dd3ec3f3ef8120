import { useEffect, useState } from 'react';
import { dashboardsApi } from './dashboards-api.ts';

// The same targets as Grafana's variable: label_values(up{job=~"vigil-services|hub"}, service).
const SERVICES_QUERY = 'count by (service) (up{job=~"vigil-services|hub"})';

/** The `$service` choices; an unreachable Prometheus leaves only All (the panels show the error). */
export function useServiceValues(enabled: boolean, refreshKey: string): string[] {
  const [values, setValues] = useState<string[]>([]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey re-reads the list on refresh
  useEffect(() => {
    if (!enabled) return;
    const ctrl = new AbortController();
    dashboardsApi.instant(SERVICES_QUERY, Math.floor(Date.now() / 1000), ctrl.signal).then(
      (answer) => {
        if (ctrl.signal.aborted || answer.data.resultType !== 'vector') return;
        const names = answer.data.result.map((s) => s.metric.service).filter((s): s is string => !!s);
        setValues([...new Set(names)].sort());
      },
      () => {},
    );
    return () => ctrl.abort();
  }, [enabled, refreshKey]);
  return values;
}
