import type { ConsoleDatabase } from '../storage/console-db.ts';

export interface AuditEntry {
  id: number;
  at: string;
  user: string | null;
  action: string;
  target: string | null;
  outcome: string;
  detail: string | null;
}

export interface AuditRecord {
  user: string | null;
  action: string;
  target?: string | undefined;
  outcome: 'ok' | 'denied' | 'failed';
  /** Never a password, token or cookie: callers pass ids, names and counts only. */
  detail?: string | undefined;
}

/** Every console action and login attempt, newest first; kept up to `keep` rows. */
export class AuditLog {
  readonly #insert;
  readonly #prune;
  readonly #list;
  readonly #now: () => number;
  readonly #keep: number;

  constructor(db: ConsoleDatabase, keep = 100_000, now: () => number = Date.now) {
    this.#now = now;
    this.#keep = keep;
    this.#insert = db.prepare(
      'INSERT INTO audit_log (at_ms, user, action, target, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#prune = db.prepare('DELETE FROM audit_log WHERE id <= ? - ?');
    this.#list = db.prepare<[number, number]>(
      'SELECT id, at_ms, user, action, target, outcome, detail FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?',
    );
  }

  record(r: AuditRecord): void {
    const info = this.#insert.run(
      this.#now(),
      r.user,
      r.action,
      r.target?.slice(0, 512) ?? null,
      r.outcome,
      r.detail?.slice(0, 1024) ?? null,
    );
    if (Number(info.lastInsertRowid) % 1000 === 0) this.#prune.run(Number(info.lastInsertRowid), this.#keep);
  }

  list(limit: number, before = Number.MAX_SAFE_INTEGER): AuditEntry[] {
    return (this.#list.all(before, limit) as Array<Record<string, unknown>>).map((r) => ({
      id: r.id as number,
      at: new Date(r.at_ms as number).toISOString(),
      user: r.user as string | null,
      action: r.action as string,
      target: r.target as string | null,
      outcome: r.outcome as string,
      detail: r.detail as string | null,
    }));
  }
}
