const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Seconds in a Prometheus duration with a single unit ("5m", "6h", "30d"); undefined when malformed. */
export function durationSeconds(text: string): number | undefined {
  const match = /^([1-9][0-9]*)([smhdw])$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_SECONDS[match[2]!]!;
}
