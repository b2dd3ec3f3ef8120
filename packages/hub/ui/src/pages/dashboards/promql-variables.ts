// Grafana's variables as the console substitutes them before a query reaches Prometheus.

export const ALL = 'All';

/** Regex metacharacters escaped for use inside a PromQL double-quoted `=~` matcher. */
export function escapeRegexValue(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}]/g, (c) => `\\\\${c}`).replace(/"/g, '\\"');
}

/** Grafana's step for a range: about 300 points per graph, never below `minStep` seconds. */
export function stepFor(rangeSeconds: number, minStep = 5): number {
  return Math.max(minStep, Math.ceil(rangeSeconds / 300));
}

/** Like Grafana's $__rate_interval: wide enough to always hold several scrapes. */
export function rateIntervalFor(stepSeconds: number): string {
  return `${Math.max(4 * stepSeconds, 60)}s`;
}

export interface QueryVariables {
  /** A service name, or ALL (Grafana's All with allValue `.*`). */
  service: string;
  stepSeconds: number;
}

export function substitute(expr: string, vars: QueryVariables): string {
  const service = vars.service === ALL ? '.*' : escapeRegexValue(vars.service);
  return expr
    .replaceAll('$__rate_interval', rateIntervalFor(vars.stepSeconds))
    .replace(/\$\{service\}|\$service(?![A-Za-z0-9_])/g, () => service);
}
