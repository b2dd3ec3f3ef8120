import type { ReactNode } from 'react';
import { AlertsPage } from './pages/alerts/alerts-page.tsx';
import { DashboardPage } from './pages/dashboards/dashboard-page.tsx';
import { DashboardsListPage } from './pages/dashboards/dashboards-list-page.tsx';
import { IncidentPage, IncidentsPage } from './pages/incidents/incidents-page.tsx';
import { LogsPage } from './pages/logs/logs-page.tsx';
import { OncallPage } from './pages/oncall/oncall-page.tsx';
import { SinkPage } from './pages/oncall/sink-page.tsx';
import { ServiceMapPage } from './pages/service-map/service-map-page.tsx';
import { SilencesPage } from './pages/silences/silences-page.tsx';
import { TracePage } from './pages/trace/trace-page.tsx';
import { TraceSearchPage } from './pages/traces/trace-search-page.tsx';
import type { Params } from './router/match.ts';

export interface Route {
  path: string;
  /** Shown in the top navigation when set; `section` is the path prefix that marks it active. */
  nav?: { label: string; section: string };
  /** The alert console's pages need a signed-in user. */
  auth?: boolean;
  render: (params: Params) => ReactNode;
}

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
  { path: '/alerts', nav: { label: 'Alerts', section: '/alerts' }, auth: true, render: () => <AlertsPage /> },
  {
    path: '/silences',
    nav: { label: 'Silences', section: '/silences' },
    auth: true,
    render: () => <SilencesPage />,
  },
  {
    path: '/incidents',
    nav: { label: 'Incidents', section: '/incidents' },
    auth: true,
    render: () => <IncidentsPage />,
  },
  { path: '/incidents/:id', auth: true, render: (p) => <IncidentPage key={p.id} id={p.id!} /> },
  {
    path: '/oncall',
    nav: { label: 'On-call', section: '/oncall' },
    auth: true,
    render: () => <OncallPage />,
  },
  { path: '/sink', auth: true, render: () => <SinkPage /> },
];
