// PromQL fragments shared by the dashboards, so every panel filters traffic the same way the
// recording rules in monitoring/prometheus/rules/recording.yml do.

/** Services chosen in the `$service` variable (All = `.*`). */
export const SERVICE = 'service=~"$service"';
/** User traffic only: scrapes and probes would dilute ratios. */
export const USER_TRAFFIC = `${SERVICE}, route!~"/metrics|/health.*"`;
export const RATE = '$__rate_interval';

export function requestRate(extra = ''): string {
  const sel = extra ? `${USER_TRAFFIC}, ${extra}` : USER_TRAFFIC;
  return `sum by (service) (rate(http_requests_total{${sel}}[${RATE}]))`;
}

/** 5xx share per service; `or 0 * total` shows 0 instead of nothing for services without 5xx. */
export function errorRatio(): string {
  return `(${requestRate('status=~"5.."')} or 0 * ${requestRate()}) / ${requestRate()}`;
}

export function latencyQuantile(q: number): string {
  return `histogram_quantile(${q}, sum by (service, le) (rate(http_request_duration_seconds_bucket{${USER_TRAFFIC}}[${RATE}])))`;
}
