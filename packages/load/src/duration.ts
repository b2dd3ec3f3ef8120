const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds in a duration such as "250ms", "1.5s", "2m" or "1m30s" (units us, ms, s, m, h).
 * Sub-second units matter here (latency thresholds), which Prometheus-style durations lack.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const re = /([0-9]+(?:\.[0-9]+)?)(us|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(trimmed); m; m = re.exec(trimmed)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (trimmed === '' || matched !== trimmed.length)
    throw new Error(`'${text}' is not a duration (e.g. 250ms, 1.5s, 2m, 1m30s)`);
  return total;
}

/** "1m30s", "2.5s", "750ms" for display. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${m}m${s}s` : `${m}m`;
}
