import type { Migration } from '@vigil/service-kit';

// No column can hold a card number or CVV: the vault keeps a random token, brand and last four.
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'create payment methods and payments',
    up: `CREATE TABLE payment_methods (
      token TEXT PRIMARY KEY,
      brand TEXT NOT NULL,
      last4 TEXT NOT NULL CHECK (length(last4) = 4),
      exp_month INTEGER NOT NULL,
      exp_year INTEGER NOT NULL,
      outcome TEXT,
      created_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE payments (
      id INTEGER PRIMARY KEY,
      idempotency_key TEXT NOT NULL UNIQUE,
      request_hash TEXT NOT NULL,
      order_id TEXT NOT NULL,
      amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
      currency TEXT NOT NULL,
      token TEXT NOT NULL REFERENCES payment_methods (token),
      status TEXT NOT NULL CHECK (status IN ('processing', 'succeeded', 'declined', 'refunded')),
      decline_reason TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE INDEX payments_by_order ON payments (order_id, id);
    CREATE INDEX payments_processing ON payments (status) WHERE status = 'processing';`,
  },
  {
    version: 2,
    name: 'charge keys closed without a charge',
    // A card-less retry found nothing under its key: the key is closed, so a late request that still
    // carries the card (stuck before the handler) can no longer charge an order its caller has failed.
    up: `CREATE TABLE closed_charge_keys (
      idempotency_key TEXT PRIMARY KEY,
      closed_at TEXT NOT NULL
    ) WITHOUT ROWID;`,
  },
];
