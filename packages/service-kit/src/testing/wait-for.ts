import { setTimeout as delay } from 'node:timers/promises';

export interface WaitForOptions {
  /** Give up after this long (default 10 s). */
  readonly timeoutMs?: number;
  /** Pause between attempts (default 50 ms). */
  readonly intervalMs?: number;
  /** Named in the timeout error. */
  readonly description?: string;
  /** Stops waiting at once, rejecting with the signal's reason (e.g. the awaited process died). */
  readonly signal?: AbortSignal;
}

/**
 * Polls `condition` until it returns a truthy value (which is returned) or the deadline passes.
 * A throwing attempt counts as "not yet"; its error is reported if time runs out.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? `: last error: ${lastError.message}` : '';
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${options.description ?? 'condition'}${why}`,
      );
    }
    await delay(intervalMs, undefined, options.signal ? { signal: options.signal } : undefined).catch(() => {
      options.signal?.throwIfAborted();
    });
  }
}
