import type { ConsoleDatabase } from '../storage/console-db.ts';
import type { WebhookPayload } from './alertmanager-payload.ts';

export interface AlertNotification extends WebhookPayload {
  id: number;
  /** When the hub received it (ISO-8601). */
  receivedAt: string;
}

interface Row {
  id: number;
  received_ms: number;
  payload: string;
}

/** Alertmanager notifications in console.db (migration 2), newest kept up to `keep`. */
export class NotificationStore {
  readonly #insert;
  readonly #prune;
  readonly #recent;
  readonly #keep: number;
  readonly #now: () => number;

  constructor(db: ConsoleDatabase, keep: number, now: () => number = Date.now) {
    this.#keep = keep;
    this.#now = now;
    this.#insert = db.prepare<[number, string, string, string, string]>(
      'INSERT INTO alert_notifications (received_ms, receiver, status, group_key, payload) VALUES (?, ?, ?, ?, ?)',
    );
    this.#prune = db.prepare<[number, number]>('DELETE FROM alert_notifications WHERE id <= ? - ?');
    this.#recent = db.prepare<[number], Row>(
      'SELECT id, received_ms, payload FROM alert_notifications ORDER BY id DESC LIMIT ?',
    );
  }

  add(payload: WebhookPayload): number {
    const info = this.#insert.run(
      this.#now(),
      payload.receiver,
      payload.status,
      payload.groupKey,
      JSON.stringify(payload),
    );
    const id = Number(info.lastInsertRowid);
    this.#prune.run(id, this.#keep);
    return id;
  }

  recent(limit: number): AlertNotification[] {
    return this.#recent.all(limit).map((r) => ({
      id: r.id,
      receivedAt: new Date(r.received_ms).toISOString(),
      ...(JSON.parse(r.payload) as WebhookPayload),
    }));
  }
}
