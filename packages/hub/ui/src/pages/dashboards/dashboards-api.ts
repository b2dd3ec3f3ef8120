import { getJson, query } from '../../api/client.ts';
import type { DashboardSpec, DashboardSummary, PromAnswer } from './dashboard-types.ts';

export const dashboardsApi = {
  list: (signal?: AbortSignal) =>
    getJson<{ data: DashboardSummary[] }>('/api/dashboards', signal).then((r) => r.data),
  get: (uid: string, signal?: AbortSignal) =>
    getJson<{ data: DashboardSpec }>(`/api/dashboards/${encodeURIComponent(uid)}`, signal).then(
      (r) => r.data,
    ),
  instant: (expr: string, time: number, signal?: AbortSignal) =>
    getJson<PromAnswer>(`/api/prometheus/query${query({ query: expr, time })}`, signal),
  range: (expr: string, start: number, end: number, step: number, signal?: AbortSignal) =>
    getJson<PromAnswer>(`/api/prometheus/query_range${query({ query: expr, start, end, step })}`, signal),
};
