import type { PanelSpec } from './dashboard-types.ts';

// Grafana's named colours, so specs written for Grafana look the same here.
const NAMED: Record<string, string> = {
  green: '#56a64b',
  red: '#e02f44',
  orange: '#ff780a',
  yellow: '#e0b400',
  blue: '#3274d9',
  purple: '#a352cc',
  'dark-red': '#ad0317',
  'dark-green': '#19730e',
  text: '#1b2330',
};

export function cssColour(name: string): string {
  return NAMED[name] ?? name;
}

export const SERIES_PALETTE = [
  '#7eb26d',
  '#eab839',
  '#6ed0e0',
  '#ef843c',
  '#e24d42',
  '#1f78c1',
  '#ba43a9',
  '#705da0',
  '#508642',
  '#cca300',
  '#447ebc',
  '#c15c17',
];

export interface StatDisplay {
  text?: string;
  colour?: string;
}

/** A value mapping (exact match) wins; else the highest threshold step at or below the value. */
export function statDisplay(panel: PanelSpec, raw: string, value: number): StatDisplay {
  const mapped =
    panel.valueText?.[raw] ?? (Number.isFinite(value) ? panel.valueText?.[String(value)] : undefined);
  if (mapped) return { text: mapped.text, colour: cssColour(mapped.color) };
  let colour: string | undefined;
  for (const step of panel.thresholds ?? []) {
    if (step.value === null || value >= step.value) colour = cssColour(step.color);
  }
  return colour ? { colour } : {};
}
