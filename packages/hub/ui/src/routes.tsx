import type { ReactNode } from 'react';
import { DashboardPage } from './pages/dashboards/dashboard-page.tsx';
import { DashboardsListPage } from './pages/dashboards/dashboards-list-page.tsx';
import { LogsPage } from './pages/logs/logs-page.tsx';
import { ServiceMapPage } from './pages/service-map/service-map-page.tsx';
import { TracePage } from './pages/trace/trace-page.tsx';
import { TraceSearchPage } from './pages/traces/trace-search-page.tsx';
import type { Params } from './router/match.ts';

export interface Route {
  path: string;
  /** Shown in the top navigation when set; `section` is the path prefix that marks it active. */
  nav?: { label: string; section: string };
  render: (params: Params) => ReactNode;
}

// Later pages (Dashboards at /dashboards, Alerts at /alerts) are one entry each here.
export const routes: Route[] = [
  { path: '/traces', nav: { label: 'Traces', section: '/traces' }, render: () => <TraceSearchPage /> },
  { path: '/traces/:id', render: (p) => <TracePage traceId={p.id!} /> },
  { path: '/logs', nav: { label: 'Logs', section: '/logs' }, render: () => <LogsPage /> },
  {
    path: '/services',
    nav: { label: 'Service map', section: '/services' },
    render: () => <ServiceMapPage />,
  },
  {
    path: '/dashboards',
    nav: { label: 'Dashboards', section: '/dashboards' },
    render: () => <DashboardsListPage />,
  },
  { path: '/dashboards/:uid', render: (p) => <DashboardPage key={p.uid} uid={p.uid!} /> },
];
