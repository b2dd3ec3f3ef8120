import type { Logger } from 'pino';

export type WarnOnce = (key: string, message: string, fields?: Record<string, unknown>) => void;

/**
 * Warnings about telemetry itself (collector down, bad config) go to the service log at most once per
 * key per interval, so a dead collector cannot flood the log it is supposed to carry.
 */
export function createWarnOnce(logger: Logger, intervalMs = 5 * 60_000): WarnOnce {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (key, message, fields) => {
    const now = Date.now();
    const seen = last.get(key);
    if (seen && now - seen.at < intervalMs) {
      seen.suppressed++;
      return;
    }
    const suppressed = seen?.suppressed ?? 0;
    last.set(key, { at: now, suppressed: 0 });
    try {
      logger.warn(
        { event: 'telemetry_warning', key, ...fields, ...(suppressed ? { suppressed } : {}) },
        message,
      );
    } catch {
      // A broken log destination must not become an exception in the host.
    }
  };
}
