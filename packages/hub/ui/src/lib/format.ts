/** Microseconds → "850µs", "12.3ms", "1.25s". */
export function formatDurationUs(us: number): string {
  if (us < 1000) return `${Math.round(us)}µs`;
  if (us < 1_000_000) return `${trim(us / 1000)}ms`;
  if (us < 60_000_000) return `${trim(us / 1_000_000)}s`;
  return `${trim(us / 60_000_000)}min`;
}

function trim(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function formatClock(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function formatDateTime(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${formatClock(d)}`;
}

export function formatRelative(d: Date, now = Date.now()): string {
  const s = Math.round((now - d.getTime()) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export const TIME_RANGES = [
  { value: '15m', label: 'Last 15 minutes', ms: 15 * 60_000 },
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '6h', label: 'Last 6 hours', ms: 6 * 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 24 * 3_600_000 },
] as const;

export type TimeRange = (typeof TIME_RANGES)[number]['value'];

export function rangeMs(value: string | null): number {
  return TIME_RANGES.find((r) => r.value === value)?.ms ?? 3_600_000;
}

export function isTimeRange(value: string | null): value is TimeRange {
  return TIME_RANGES.some((r) => r.value === value);
}
