import { randomBytes } from 'node:crypto';
import type { SqliteDatabase } from '@vigil/service-kit';
import type { CardFacts, DeclineReason } from '../domain/card.ts';
import type { Payment, PaymentStatus } from '../domain/payment.ts';

export interface StoredMethod extends CardFacts {
  token: string;
}

interface PaymentRow {
  id: number;
  idempotency_key: string;
  request_hash: string;
  order_id: string;
  amount_cents: number;
  currency: string;
  token: string;
  status: PaymentStatus;
  decline_reason: DeclineReason | null;
  created_at: string;
  updated_at: string;
  brand: Payment['brand'];
  last4: string;
  outcome: DeclineReason | null;
}

export interface PaymentRecord {
  payment: Payment;
  requestHash: string;
  /** The card network's verdict for the card on file (used to finish interrupted charges). */
  outcome: DeclineReason | null;
}

export interface NewCharge {
  idempotencyKey: string;
  requestHash: string;
  orderId: string;
  amountCents: number;
  currency: string;
  token: string;
}

const SELECT = `SELECT p.*, m.brand, m.last4, m.outcome FROM payments p JOIN payment_methods m ON m.token = p.token`;

function toRecord(row: PaymentRow): PaymentRecord {
  return {
    requestHash: row.request_hash,
    outcome: row.outcome,
    payment: {
      id: row.id,
      order_id: row.order_id,
      amount_cents: row.amount_cents,
      currency: row.currency,
      method: 'card',
      brand: row.brand,
      last4: row.last4,
      status: row.status,
      decline_reason: row.decline_reason,
      created_at: row.created_at,
      updated_at: row.updated_at,
    },
  };
}

export function createPaymentsRepository(db: SqliteDatabase) {
  const insertMethod = db.prepare(
    `INSERT INTO payment_methods (token, brand, last4, exp_month, exp_year, outcome, created_at)
     VALUES (@token, @brand, @last4, @exp_month, @exp_year, @outcome, @created_at)`,
  );
  const methodByToken = db.prepare('SELECT * FROM payment_methods WHERE token = ?');
  // The UNIQUE idempotency_key is what makes a second charge with the same key impossible.
  const insertCharge = db.prepare(
    `INSERT INTO payments (idempotency_key, request_hash, order_id, amount_cents, currency, token, status, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 'processing', ?, ?)
     ON CONFLICT (idempotency_key) DO NOTHING`,
  );
  const byKey = db.prepare(`${SELECT} WHERE p.idempotency_key = ?`);
  const byId = db.prepare(`${SELECT} WHERE p.id = ?`);
  const closeKey = db.prepare(
    'INSERT INTO closed_charge_keys (idempotency_key, closed_at) VALUES (?, ?) ON CONFLICT DO NOTHING',
  );
  const closedKey = db.prepare('SELECT 1 FROM closed_charge_keys WHERE idempotency_key = ?').pluck();
  const byOrder = db.prepare(`${SELECT} WHERE p.order_id = ? ORDER BY p.id`);
  const processing = db.prepare(`${SELECT} WHERE p.status = 'processing'`);
  const finish = db.prepare(
    `UPDATE payments SET status = ?, decline_reason = ?, updated_at = ? WHERE id = ? AND status = 'processing'`,
  );
  const refund = db.prepare(
    `UPDATE payments SET status = 'refunded', updated_at = ? WHERE id = ? AND status = 'succeeded'`,
  );

  return {
    saveMethod(facts: CardFacts): StoredMethod {
      const token = `tok_${randomBytes(16).toString('hex')}`;
      insertMethod.run({ token, ...facts, created_at: new Date().toISOString() });
      return { token, ...facts };
    },
    findMethod(token: string): StoredMethod | undefined {
      return methodByToken.get(token) as StoredMethod | undefined;
    },
    /** Inserts a `processing` charge; `created` is false when the key was already used. */
    begin(charge: NewCharge): { record: PaymentRecord; created: boolean } {
      const now = new Date().toISOString();
      const info = insertCharge.run(
        charge.idempotencyKey,
        charge.requestHash,
        charge.orderId,
        charge.amountCents,
        charge.currency,
        charge.token,
        now,
        now,
      );
      const row = byKey.get(charge.idempotencyKey) as PaymentRow;
      return { record: toRecord(row), created: info.changes === 1 };
    },
    /**
     * A charge that brings its card: the vault row and the `processing` charge commit in one
     * transaction, before any processor work, so from then on the key alone finishes or replays the
     * charge. When the key was already used nothing is written (no second vault row, no second charge).
     */
    beginWithCard: db.transaction(
      (charge: Omit<NewCharge, 'token'>, facts: CardFacts): { record: PaymentRecord; created: boolean } => {
        const existing = byKey.get(charge.idempotencyKey) as PaymentRow | undefined;
        if (existing) return { record: toRecord(existing), created: false };
        const token = `tok_${randomBytes(16).toString('hex')}`;
        const now = new Date().toISOString();
        insertMethod.run({ token, ...facts, created_at: now });
        insertCharge.run(
          charge.idempotencyKey,
          charge.requestHash,
          charge.orderId,
          charge.amountCents,
          charge.currency,
          token,
          now,
          now,
        );
        return { record: toRecord(byKey.get(charge.idempotencyKey) as PaymentRow), created: true };
      },
    ),
    /** No charge will ever start under this key (it has none now). */
    closeKey(idempotencyKey: string): void {
      closeKey.run(idempotencyKey, new Date().toISOString());
    },
    isClosed(idempotencyKey: string): boolean {
      return closedKey.get(idempotencyKey) !== undefined;
    },
    findByKey(idempotencyKey: string): PaymentRecord | undefined {
      const row = byKey.get(idempotencyKey) as PaymentRow | undefined;
      return row ? toRecord(row) : undefined;
    },
    finish(id: number, status: 'succeeded' | 'declined', reason: DeclineReason | null): Payment {
      finish.run(status, reason, new Date().toISOString(), id);
      return toRecord(byId.get(id) as PaymentRow).payment;
    },
    refund(id: number): Payment | undefined {
      refund.run(new Date().toISOString(), id);
      const row = byId.get(id) as PaymentRow | undefined;
      return row ? toRecord(row).payment : undefined;
    },
    findById(id: number): Payment | undefined {
      const row = byId.get(id) as PaymentRow | undefined;
      return row ? toRecord(row).payment : undefined;
    },
    listByOrder(orderId: string): Payment[] {
      return (byOrder.all(orderId) as PaymentRow[]).map((row) => toRecord(row).payment);
    },
    /** Charges a crash left in `processing`. */
    interrupted(): PaymentRecord[] {
      return (processing.all() as PaymentRow[]).map(toRecord);
    },
  };
}

export type PaymentsRepository = ReturnType<typeof createPaymentsRepository>;
