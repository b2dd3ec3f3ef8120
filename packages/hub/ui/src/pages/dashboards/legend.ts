import type { Labels, PanelSpec } from './dashboard-types.ts';

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

/**
 * Whether a stat panel names its values. One value of a one-query panel needs no name (the title
 * says what it is); several values do, and so does a lone value of a panel with several queries:
 * "SLA attainment this month" showed its promise alone, unnamed, while the attainment had no data
 * yet, and read as an attainment of 99.9%.
 */
export function statLabelled(panel: PanelSpec, values: number): boolean {
  return values > 1 || panel.queries.length > 1;
}
