/** OTLP severity number ranges (logs data model) by the level names Vigil's logs use. */
export const LEVELS = {
  trace: [1, 4],
  debug: [5, 8],
  info: [9, 12],
  warn: [13, 16],
  error: [17, 20],
  fatal: [21, 24],
} as const;

export type LevelName = keyof typeof LEVELS;

const BY_NUMBER: string[] = ['unspecified'];
for (const [name, [lo, hi]] of Object.entries(LEVELS)) for (let n = lo; n <= hi; n++) BY_NUMBER[n] = name;

const TEXT_ALIASES: Record<string, string> = { warning: 'warn', err: 'error', critical: 'fatal' };

export function levelName(severityNumber: number, severityText: string | null): string {
  if (severityNumber > 0) return BY_NUMBER[severityNumber] ?? 'unspecified';
  const t = (severityText ?? '').toLowerCase();
  if (t in LEVELS) return t;
  return TEXT_ALIASES[t] ?? 'unspecified';
}

export function isLevelName(s: string): s is LevelName {
  return Object.hasOwn(LEVELS, s);
}
