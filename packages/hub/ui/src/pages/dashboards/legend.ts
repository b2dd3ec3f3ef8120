import type { Labels } from './dashboard-types.ts';

/** Grafana legend format: `{{service}} p95` → "user-service p95"; no format → the series' selector. */
export function legendFor(format: string | undefined, metric: Labels, expr: string): string {
  if (format) {
    const text = format.replace(
      /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g,
      (_m, name: string) => metric[name] ?? '',
    );
    if (text.trim() !== '') return text.trim();
  }
  const { __name__: name, ...rest } = metric;
  const labels = Object.entries(rest)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');
  if (!name && !labels) return expr.length > 60 ? `${expr.slice(0, 57)}…` : expr;
  return `${name ?? ''}{${labels}}`;
}
