import { statSync } from 'node:fs';
import { type HubDatabase, usedBytes } from './database.ts';

export interface RetentionOptions {
  readonly maxAgeMs: number;
  readonly maxBytes: number;
  readonly intervalMs: number;
  /** Rows deleted per statement: small enough that the writer never waits long on a delete. */
  readonly chunk?: number;
  /** Work budget per tick; the rest continues on the next tick. */
  readonly budgetMs?: number;
  readonly now?: () => number;
}

export interface RetentionResult {
  spans: number;
  logs: number;
  /** True when the budget ran out before the limits were met. */
  more: boolean;
}

/**
 * Deletes by age, then oldest-first until the used pages fit the size limit, in small chunks,
 * and returns freed pages to the file system (incremental auto-vacuum).
 */
export class Retention {
  readonly #db: HubDatabase;
  readonly #opts: Required<RetentionOptions>;
  readonly #oldSpans;
  readonly #oldLogs;
  readonly #oldestSpans;
  readonly #oldestLogs;
  readonly #rowSpan;
  #timer: NodeJS.Timeout | null = null;
  #onDeleted: (table: 'spans' | 'logs', n: number) => void = () => {};
  #onError: (err: Error) => void = () => {};

  constructor(db: HubDatabase, opts: RetentionOptions) {
    this.#db = db;
    this.#opts = { chunk: 5000, budgetMs: 200, now: Date.now, ...opts };
    const c = this.#opts.chunk;
    this.#oldSpans = db.prepare(
      `DELETE FROM spans WHERE rowid IN (SELECT rowid FROM spans WHERE start_ns < ? ORDER BY start_ns LIMIT ${c})`,
    );
    this.#oldLogs = db.prepare(
      `DELETE FROM logs WHERE id IN (SELECT id FROM logs WHERE time_ns < ? ORDER BY time_ns LIMIT ${c})`,
    );
    this.#oldestSpans = db.prepare(
      'DELETE FROM spans WHERE rowid IN (SELECT rowid FROM spans ORDER BY start_ns LIMIT ?)',
    );
    this.#oldestLogs = db.prepare(
      'DELETE FROM logs WHERE id IN (SELECT id FROM logs ORDER BY time_ns LIMIT ?)',
    );
    this.#rowSpan = db.prepare(
      `SELECT (SELECT coalesce(max(rowid) - min(rowid) + 1, 0) FROM spans) AS spans,
              (SELECT coalesce(max(id) - min(id) + 1, 0) FROM logs) AS logs`,
    );
  }

  onDeleted(fn: (table: 'spans' | 'logs', n: number) => void): void {
    this.#onDeleted = fn;
  }

  onError(fn: (err: Error) => void): void {
    this.#onError = fn;
  }

  runOnce(): RetentionResult {
    const { maxAgeMs, maxBytes, budgetMs, chunk, now } = this.#opts;
    const started = performance.now();
    const overBudget = () => performance.now() - started > budgetMs;
    const cutoffNs = (now() - maxAgeMs) * 1e6;
    let spans = 0;
    let logs = 0;
    let more = false;
    for (;;) {
      const s = this.#oldSpans.run(cutoffNs).changes;
      const l = this.#oldLogs.run(cutoffNs).changes;
      spans += s;
      logs += l;
      if (s < chunk && l < chunk) break;
      if (overBudget()) {
        more = true;
        break;
      }
    }
    while (!more && usedBytes(this.#db) > maxBytes) {
      // About 2% of each table per step (rowids grow monotonically, so their range estimates the count
      // without a full scan): small stores are trimmed, not emptied, by one step.
      const range = this.#rowSpan.get() as { spans: number; logs: number };
      const step = (rows: number) => Math.max(50, Math.min(chunk, Math.ceil(rows * 0.02)));
      const s = this.#oldestSpans.run(step(range.spans)).changes;
      const l = this.#oldestLogs.run(step(range.logs)).changes;
      spans += s;
      logs += l;
      if (s === 0 && l === 0) break;
      if (overBudget()) more = true;
    }
    if (spans + logs > 0) this.#db.pragma('incremental_vacuum');
    if (spans > 0) this.#onDeleted('spans', spans);
    if (logs > 0) this.#onDeleted('logs', logs);
    return { spans, logs, more };
  }

  start(): void {
    if (this.#timer) return;
    const tick = () => {
      let delay = this.#opts.intervalMs;
      try {
        if (this.runOnce().more) delay = Math.min(delay, 50);
      } catch (err) {
        // A busy or failing delete is retried next tick; retention must never take the hub down.
        this.#onError(err as Error);
      }
      this.#timer = setTimeout(tick, delay);
      this.#timer.unref();
    };
    this.#timer = setTimeout(tick, this.#opts.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

/** Database file plus its WAL, as on disk. */
export function fileBytes(file: string): number {
  let total = 0;
  for (const f of [file, `${file}-wal`]) {
    try {
      total += statSync(f).size;
    } catch {
      // absent WAL is normal after a checkpointing close
    }
  }
  return total;
}
