import { useMemo } from 'react';
import { api } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { Empty, ErrorState, Loading } from '../../components/status.tsx';
import { rangeMs, TIME_RANGES } from '../../lib/format.ts';
import { navigate, useLocation } from '../../router/history.ts';
import { ServiceMapGraph } from './service-map-graph.tsx';

export function ServiceMapPage() {
  const { search } = useLocation();
  const range = search.get('range') ?? '1h';
  // biome-ignore lint/correctness/useExhaustiveDependencies: the window is fixed per chosen range
  const endTs = useMemo(() => Date.now(), [range]);
  const data = useApi(`map:${range}:${endTs}`, async (signal) => {
    const [services, deps] = await Promise.all([
      api.services(signal),
      api.dependencies(endTs, rangeMs(range), signal),
    ]);
    return { services, deps };
  });
  return (
    <div className="service-map-page">
      <div className="section-head">
        <h2 className="section-title">Service map</h2>
        <label className="inline">
          Time range{' '}
          <select name="range" value={range} onChange={(e) => navigate(`/services?range=${e.target.value}`)}>
            {TIME_RANGES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {data.state === 'loading' ? <Loading what="the service map" /> : null}
      {data.state === 'error' ? (
        <ErrorState title="Could not load the service map" message={data.message} />
      ) : null}
      {data.state === 'ready' && data.data.services.length === 0 && data.data.deps.length === 0 ? (
        <Empty>No services have sent traces yet.</Empty>
      ) : null}
      {data.state === 'ready' && (data.data.services.length > 0 || data.data.deps.length > 0) ? (
        <div className="panel map-panel">
          {data.data.deps.length === 0 ? (
            <p className="muted">
              No cross-service calls in this time range — services are shown without edges.
            </p>
          ) : null}
          <ServiceMapGraph services={data.data.services} deps={data.data.deps} />
          <p className="muted legend">
            Arrows point from caller to callee; red edges had errors. Click a service to search its traces.
          </p>
        </div>
      ) : null}
    </div>
  );
}
