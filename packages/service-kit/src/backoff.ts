export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
}

/**
 * Capped exponential backoff with ±20 % jitter (so retries after an outage do not arrive in
 * lockstep): attempt 1 waits ~baseMs, each further attempt twice as long, never more than ~maxMs.
 */
export function backoffMs(attempt: number, options: BackoffOptions): number {
  const raw = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + Math.random() * 0.4));
}
