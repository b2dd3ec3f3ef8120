import { useApi } from '../../api/use-api.ts';
import { Empty, ErrorState, Loading } from '../../components/status.tsx';
import { Link } from '../../router/link.tsx';
import { dashboardsApi } from './dashboards-api.ts';
import './dashboards.css';

export function DashboardsListPage() {
  const list = useApi('dashboards', (signal) => dashboardsApi.list(signal));
  return (
    <div className="dash-page">
      <h2 className="section-title">Dashboards</h2>
      <p className="muted">
        The same definitions Grafana is provisioned with, drawn here against the local Prometheus.
      </p>
      {list.state === 'loading' ? <Loading what="dashboards" /> : null}
      {list.state === 'error' ? (
        <ErrorState title="Could not load dashboards" message={list.message} />
      ) : null}
      {list.state === 'ready' && list.data.length === 0 ? (
        <Empty>No dashboard definitions — run node monitoring/grafana/src/generate.ts.</Empty>
      ) : null}
      {list.state === 'ready' && list.data.length > 0 ? (
        <ul className="dash-list">
          {list.data.map((d) => (
            <li key={d.uid} className="panel">
              <Link to={`/dashboards/${encodeURIComponent(d.uid)}`} className="dash-list-title">
                {d.title}
              </Link>
              <p className="muted">{d.description}</p>
              <div>
                {d.tags.map((t) => (
                  <span key={t} className="chip">
                    {t}
                  </span>
                ))}
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
