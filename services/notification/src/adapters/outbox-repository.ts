import type { SqliteDatabase } from '@vigil/service-kit';
import type { Channel, NewNotification, NotificationStatus, OrderData } from '../domain/notification.ts';
import { maskEmail } from '../domain/notification.ts';

interface Row {
  id: number;
  dedupe_key: string | null;
  channel: Channel;
  template: string;
  recipient: string;
  payload: string;
  status: NotificationStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  traceparent: string | null;
  created_at: string;
  sent_at: string | null;
}

/** An outbox entry as the worker sees it (full recipient, to deliver). */
export interface OutboxEntry {
  id: number;
  channel: Channel;
  template: string;
  recipient: string;
  data: OrderData;
  attempts: number;
  traceparent: string | null;
}

/** What the API returns: the recipient masked. */
export interface NotificationView {
  id: number;
  channel: Channel;
  template: string;
  recipient: string;
  status: NotificationStatus;
  attempts: number;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

function view(row: Row): NotificationView {
  return {
    id: row.id,
    channel: row.channel,
    template: row.template,
    recipient: row.channel === 'email' ? maskEmail(row.recipient) : new URL(row.recipient).origin,
    status: row.status,
    attempts: row.attempts,
    last_error: row.last_error,
    created_at: row.created_at,
    sent_at: row.sent_at,
  };
}

export function createOutboxRepository(db: SqliteDatabase) {
  const insert = db.prepare(
    `INSERT INTO notifications (dedupe_key, channel, template, recipient, payload, status, next_attempt_at, traceparent, created_at)
     VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
  );
  const byKey = db.prepare('SELECT * FROM notifications WHERE dedupe_key = ?');
  const byId = db.prepare('SELECT * FROM notifications WHERE id = ?');
  const list = db.prepare(
    'SELECT * FROM notifications WHERE (? IS NULL OR status = ?) ORDER BY id DESC LIMIT 100',
  );
  const due = db.prepare(
    `SELECT * FROM notifications WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
  );
  const markSent = db.prepare(
    `UPDATE notifications SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL WHERE id = ?`,
  );
  const markRetry = db.prepare(
    `UPDATE notifications SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?`,
  );
  const markDead = db.prepare(
    `UPDATE notifications SET status = 'dead', attempts = attempts + 1, last_error = ? WHERE id = ?`,
  );
  const counts = db.prepare('SELECT status, count(*) AS n FROM notifications GROUP BY status');

  /** Queues a notification; `created` is false when the dedupe key was already queued. */
  function enqueue(
    input: NewNotification,
    dedupeKey: string | null,
    traceparent: string | null,
  ): { notification: NotificationView; created: boolean } {
    const recipient = input.channel === 'email' ? input.to : input.url;
    const info = insert.run(
      dedupeKey,
      input.channel,
      input.template,
      recipient,
      JSON.stringify(input.data),
      Date.now(),
      traceparent,
      new Date().toISOString(),
    );
    const row = (info.changes === 1 ? byId.get(info.lastInsertRowid) : byKey.get(dedupeKey)) as Row;
    return { notification: view(row), created: info.changes === 1 };
  }

  return {
    enqueue,
    /** Queues several in one transaction (see enqueue). */
    enqueueMany: db.transaction(
      (
        entries: ReadonlyArray<{
          input: NewNotification;
          dedupeKey: string | null;
          traceparent: string | null;
        }>,
      ): Array<{ notification: NotificationView; created: boolean }> =>
        entries.map((e) => enqueue(e.input, e.dedupeKey, e.traceparent)),
    ),
    find(id: number): NotificationView | undefined {
      const row = byId.get(id) as Row | undefined;
      return row ? view(row) : undefined;
    },
    list(status: NotificationStatus | undefined): NotificationView[] {
      return (list.all(status ?? null, status ?? null) as Row[]).map(view);
    },
    due(now: number, limit: number): OutboxEntry[] {
      return (due.all(now, limit) as Row[]).map((row) => ({
        id: row.id,
        channel: row.channel,
        template: row.template,
        recipient: row.recipient,
        data: JSON.parse(row.payload) as OrderData,
        attempts: row.attempts,
        traceparent: row.traceparent,
      }));
    },
    sent(id: number): void {
      markSent.run(new Date().toISOString(), id);
    },
    retry(id: number, at: number, error: string): void {
      markRetry.run(at, error.slice(0, 500), id);
    },
    dead(id: number, error: string): void {
      markDead.run(error.slice(0, 500), id);
    },
    counts(): Record<NotificationStatus, number> {
      const out: Record<NotificationStatus, number> = { pending: 0, sent: 0, dead: 0 };
      for (const row of counts.all() as Array<{ status: NotificationStatus; n: number }>)
        out[row.status] = row.n;
      return out;
    },
  };
}

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
