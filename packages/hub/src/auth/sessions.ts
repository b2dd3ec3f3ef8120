import { createHash, randomBytes } from 'node:crypto';
import type { ConsoleDatabase } from '../storage/console-db.ts';
import type { Role } from './users-file.ts';

export interface Session {
  user: string;
  role: Role;
  csrf: string;
  expiresMs: number;
}

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/** Server-side sessions; the database holds only a hash of each cookie value. */
export class SessionStore {
  readonly #insert;
  readonly #get;
  readonly #delete;
  readonly #deleteUser;
  readonly #expire;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(db: ConsoleDatabase, ttlMs: number, now: () => number = Date.now) {
    this.#ttlMs = ttlMs;
    this.#now = now;
    this.#insert = db.prepare(
      'INSERT INTO sessions (id_hash, user, role, csrf, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#get = db.prepare('SELECT user, role, csrf, expires_ms FROM sessions WHERE id_hash = ?');
    this.#delete = db.prepare('DELETE FROM sessions WHERE id_hash = ?');
    this.#deleteUser = db.prepare('DELETE FROM sessions WHERE user = ?');
    this.#expire = db.prepare('DELETE FROM sessions WHERE expires_ms <= ?');
  }

  create(user: string, role: Role): { token: string; session: Session } {
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    const now = this.#now();
    this.#expire.run(now);
    this.#insert.run(digest(token), user, role, csrf, now, now + this.#ttlMs);
    return { token, session: { user, role, csrf, expiresMs: now + this.#ttlMs } };
  }

  get(token: string | undefined): Session | undefined {
    if (!token || token.length > 128) return undefined;
    const row = this.#get.get(digest(token)) as
      | { user: string; role: Role; csrf: string; expires_ms: number }
      | undefined;
    if (!row || row.expires_ms <= this.#now()) return undefined;
    return { user: row.user, role: row.role, csrf: row.csrf, expiresMs: row.expires_ms };
  }

  destroy(token: string): void {
    this.#delete.run(digest(token));
  }

  destroyUser(user: string): void {
    this.#deleteUser.run(user);
  }
}
