// Value formatting for the Grafana unit ids the dashboard specs use.

function trimmed(n: number, digits = 3): string {
  if (n === 0) return '0';
  const abs = Math.abs(n);
  const decimals =
    abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : Math.min(6, digits - Math.floor(Math.log10(abs)));
  return Number(n.toFixed(Math.max(0, decimals))).toString();
}

function scaled(n: number, base: number, suffixes: string[]): string {
  let i = 0;
  let v = n;
  while (Math.abs(v) >= base && i < suffixes.length - 1) {
    v /= base;
    i++;
  }
  return `${trimmed(v)}${suffixes[i]}`;
}

function seconds(v: number): string {
  const abs = Math.abs(v);
  if (abs === 0) return '0 s';
  if (abs < 1e-6) return `${trimmed(v * 1e9)} ns`;
  if (abs < 1e-3) return `${trimmed(v * 1e6)} µs`;
  if (abs < 1) return `${trimmed(v * 1e3)} ms`;
  if (abs < 60) return `${trimmed(v)} s`;
  if (abs < 3600) return `${trimmed(v / 60)} min`;
  if (abs < 86400) return `${trimmed(v / 3600)} hour`;
  return `${trimmed(v / 86400)} day`;
}

export function formatValue(unit: string, v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  switch (unit) {
    case 'reqps':
      return `${scaled(v, 1000, ['', 'K', 'M', 'B'])} req/s`;
    case 'percentunit':
      return `${trimmed(v * 100)}%`;
    case 'percent':
      return `${trimmed(v)}%`;
    case 's':
      return seconds(v);
    case 'ms':
      return seconds(v / 1000);
    case 'bytes':
      return scaled(v, 1024, [' B', ' KiB', ' MiB', ' GiB', ' TiB']);
    case 'currencyUSD':
      return `${v < 0 ? '-' : ''}$${scaled(Math.abs(v), 1000, ['', 'K', 'M', 'B'])}`;
    case 'short':
      return scaled(v, 1000, ['', ' K', ' Mil', ' Bil', ' Tri']);
    case 'none':
    case '':
      return trimmed(v);
    default:
      return `${trimmed(v)} ${unit}`;
  }
}
