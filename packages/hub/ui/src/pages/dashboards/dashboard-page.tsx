import { useEffect, useMemo, useState } from 'react';
import { useApi } from '../../api/use-api.ts';
import { ErrorState, Loading } from '../../components/status.tsx';
import { isTimeRange, rangeMs } from '../../lib/format.ts';
import { navigate, useLocation } from '../../router/history.ts';
import { Link } from '../../router/link.tsx';
import { DashboardPanel } from './dashboard-panel.tsx';
import { DashboardToolbar } from './dashboard-toolbar.tsx';
import { dashboardsApi } from './dashboards-api.ts';
import type { TimeWindow } from './panel-data.ts';
import { ALL, stepFor } from './promql-variables.ts';
import { useServiceValues } from './use-service-values.ts';
import './dashboards.css';

/** As the Grafana dashboards are provisioned: refresh every 30 s. */
const REFRESH_SECONDS = 30;

function windowFor(range: string, nowMs: number, seq: number): TimeWindow {
  const seconds = rangeMs(range) / 1000;
  const step = stepFor(seconds);
  // Aligned to the step, so every query of the page shares one time axis.
  const end = Math.floor(nowMs / 1000 / step) * step;
  // Stats read at the real now, milliseconds included: a whole second (floor) can fall just before
  // the latest scrape (stamped with milliseconds), and the stat then shows the previous scrape's
  // value while Prometheus' own "now" already counts the new one (issue 11: Orders 1 vs 6).
  return { start: end - seconds, end, step, now: nowMs / 1000, seq };
}

export function DashboardPage({ uid }: { uid: string }) {
  const { search, pathname } = useLocation();
  const range = isTimeRange(search.get('range')) ? search.get('range')! : '1h';
  const service = search.get('service') || ALL;
  const autoRefresh = search.get('refresh') !== 'off';
  const [tick, setTick] = useState(0);
  const spec = useApi(`dashboard:${uid}`, (signal) => dashboardsApi.get(uid, signal));

  useEffect(() => {
    if (!autoRefresh) return;
    const timer = setInterval(() => setTick((t) => t + 1), REFRESH_SECONDS * 1000);
    return () => clearInterval(timer);
  }, [autoRefresh]);
  const timeWindow = useMemo(() => windowFor(range, Date.now(), tick), [range, tick]);
  const hasServiceVariable = spec.state === 'ready' && spec.data.serviceVariable;
  const services = useServiceValues(hasServiceVariable, `${range}:${tick}`);

  const change = (c: { range?: string; service?: string; refresh?: boolean }) => {
    const q = new URLSearchParams(search);
    if (c.range !== undefined) q.set('range', c.range);
    if (c.service !== undefined) {
      if (c.service === ALL) q.delete('service');
      else q.set('service', c.service);
    }
    if (c.refresh !== undefined) {
      if (c.refresh) q.delete('refresh');
      else q.set('refresh', 'off');
    }
    const s = q.toString();
    navigate(s ? `${pathname}?${s}` : pathname, { replace: true });
  };

  if (spec.state === 'loading') return <Loading what="the dashboard" />;
  if (spec.state === 'error')
    return (
      <div className="dash-page">
        <p>
          <Link to="/dashboards">← All dashboards</Link>
        </p>
        <ErrorState title="Could not load the dashboard" message={spec.message} />
      </div>
    );
  const dashboard = spec.data;
  return (
    <div className="dash-page">
      <div className="section-head">
        <div>
          <Link to="/dashboards" className="muted">
            Dashboards
          </Link>
          <h2 className="section-title">{dashboard.title}</h2>
        </div>
        <DashboardToolbar
          range={range}
          service={service}
          services={dashboard.serviceVariable ? services : null}
          autoRefresh={autoRefresh}
          refreshSeconds={REFRESH_SECONDS}
          onChange={change}
          onRefresh={() => setTick((t) => t + 1)}
        />
      </div>
      <p className="muted dash-description">{dashboard.description}</p>
      {dashboard.sections.map((section) => (
        <div key={section.title} className="dash-section">
          <h3 className="dash-section-title">{section.title}</h3>
          <div className="dash-grid">
            {section.panels.map((panel) => (
              <DashboardPanel key={panel.title} panel={panel} window={timeWindow} service={service} />
            ))}
          </div>
        </div>
      ))}
    </div>
  );
}
