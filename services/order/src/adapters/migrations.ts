import type { Migration } from '@vigil/service-kit';

// Orders keep the card's brand and last four digits only; the card number never reaches disk (older
// rows also hold a vault token).
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'create orders and outbox',
    up: `CREATE TABLE orders (
      id INTEGER PRIMARY KEY,
      idempotency_key TEXT NOT NULL UNIQUE,
      request_hash TEXT NOT NULL,
      customer_id INTEGER NOT NULL,
      segment TEXT,
      status TEXT NOT NULL CHECK (status IN ('pending', 'awaiting_payment', 'completed', 'failed', 'cancelled')),
      items TEXT NOT NULL DEFAULT '[]',
      total_cents INTEGER NOT NULL DEFAULT 0,
      currency TEXT NOT NULL DEFAULT 'USD',
      payment_token TEXT,
      payment_id INTEGER,
      card_brand TEXT,
      card_last4 TEXT,
      failure_code TEXT,
      failure_message TEXT,
      charge_attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER,
      traceparent TEXT,
      response_status INTEGER,
      response_body TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE INDEX orders_by_customer ON orders (customer_id, id);
    CREATE INDEX orders_in_flight ON orders (status, next_attempt_at) WHERE status IN ('pending', 'awaiting_payment');
    CREATE TABLE outbox (
      id INTEGER PRIMARY KEY,
      order_id INTEGER NOT NULL REFERENCES orders (id),
      kind TEXT NOT NULL CHECK (kind IN ('commit_reservation', 'release_reservation', 'send_confirmation')),
      payload TEXT NOT NULL DEFAULT '{}',
      status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'dead')),
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      last_error TEXT,
      traceparent TEXT,
      created_at TEXT NOT NULL,
      UNIQUE (order_id, kind)
    );
    CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';`,
  },
  {
    version: 2,
    name: 'keep the first reply as an order, not as HTTP',
    up: 'ALTER TABLE orders ADD COLUMN reply TEXT;',
  },
  {
    version: 3,
    name: 'one payment call: a random charge secret instead of a vault token',
    // Orders awaiting payment from before keep charging with their payment_token.
    up: 'ALTER TABLE orders ADD COLUMN charge_secret TEXT;',
  },
];
