import type { Migration } from '@vigil/service-kit';

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'create notification outbox',
    up: `CREATE TABLE notifications (
      id INTEGER PRIMARY KEY,
      dedupe_key TEXT UNIQUE,
      channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
      template TEXT NOT NULL,
      recipient TEXT NOT NULL,
      payload TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      last_error TEXT,
      traceparent TEXT,
      created_at TEXT NOT NULL,
      sent_at TEXT
    );
    CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';`,
  },
];
