import type { OncallConfig } from '../oncall/oncall-config.ts';

// Messages between the main thread and the escalation thread (escalation-thread.ts ↔ escalation-worker.ts).

export interface EscalationInit {
  /** console.db; the main thread has opened (and migrated) it before the thread starts. */
  dbFile: string;
  /**
   * The main thread's on-call config (one reader of monitoring/oncall, so both threads agree on
   * "the last good config"); later versions arrive as `oncall` messages.
   */
  oncall: OncallConfig | undefined;
  smtp: { host: string; port: number };
  notifyTimeoutMs: number;
  consoleUrl: string;
  tickMs: number;
  maxAttempts: number;
  /** First retry wait; doubles per attempt up to 60×. */
  backoffMs: number;
}

export type ToEscalation = { type: 'kick' } | { type: 'oncall'; config: OncallConfig } | { type: 'stop' };

export type FromEscalation =
  | { type: 'step'; policy: string }
  | { type: 'notification'; channelType: string; outcome: 'delivered' | 'retry' | 'failed' }
  | { type: 'lag'; seconds: number }
  | { type: 'log'; obj: Record<string, unknown>; msg: string }
  | { type: 'stopped' };

/** The retry wait after `attempt` failed attempts: base × 2^(attempt-1), at most 60 × base. */
export function backoff(base: number, attempt: number): number {
  return Math.min(60 * base, base * 2 ** (attempt - 1));
}
