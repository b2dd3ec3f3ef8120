import type { SqliteDatabase } from '@vigil/service-kit';
import type { Order, OrderFailure, OrderItem, OrderStatus } from '../domain/order.ts';
import type { OrderRecord, OutboxKind, OutboxTask } from '../domain/ports.ts';

interface OrderRow {
  id: number;
  idempotency_key: string;
  request_hash: string;
  customer_id: number;
  segment: string | null;
  status: OrderStatus;
  items: string;
  total_cents: number;
  currency: string;
  payment_token: string | null;
  charge_secret: string | null;
  payment_id: number | null;
  card_brand: string | null;
  card_last4: string | null;
  failure_code: string | null;
  failure_message: string | null;
  charge_attempts: number;
  next_attempt_at: number | null;
  traceparent: string | null;
  response_status: number | null;
  response_body: string | null;
  reply: string | null;
  created_at: string;
  updated_at: string;
}

/** Orders answered before migration 2 kept the HTTP reply; the order is its body or inside its error. */
function legacyReply(row: OrderRow): Order | null {
  if (row.response_status === null || !row.response_body) return null;
  const body = JSON.parse(row.response_body) as Order | { error?: { details?: { order?: Order } } };
  return 'error' in body ? (body.error?.details?.order ?? null) : (body as Order);
}

function toRecord(row: OrderRow): OrderRecord {
  return {
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    segment: row.segment,
    chargeSecret: row.charge_secret ?? row.payment_token,
    paymentToken: row.payment_token,
    chargeAttempts: row.charge_attempts,
    traceparent: row.traceparent,
    reply: row.reply ? (JSON.parse(row.reply) as Order) : legacyReply(row),
    order: {
      id: row.id,
      status: row.status,
      customer_id: row.customer_id,
      items: JSON.parse(row.items) as OrderItem[],
      total_cents: row.total_cents,
      total: row.total_cents / 100,
      currency: row.currency,
      payment: { id: row.payment_id, brand: row.card_brand, last4: row.card_last4 },
      failure: row.failure_code ? { code: row.failure_code, message: row.failure_message ?? '' } : null,
      created_at: row.created_at,
      updated_at: row.updated_at,
    },
  };
}

export function createOrdersRepository(db: SqliteDatabase) {
  const insert = db.prepare(
    `INSERT INTO orders (idempotency_key, request_hash, customer_id, status, traceparent, created_at, updated_at)
     VALUES (?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
  );
  const byKey = db.prepare('SELECT * FROM orders WHERE idempotency_key = ?');
  const byId = db.prepare('SELECT * FROM orders WHERE id = ?');
  const byCustomer = db.prepare(
    'SELECT * FROM orders WHERE customer_id = ? ORDER BY id DESC LIMIT ? OFFSET ?',
  );
  const countByCustomer = db.prepare('SELECT count(*) FROM orders WHERE customer_id = ?').pluck();
  const setDetails = db.prepare(
    `UPDATE orders SET segment = ?, items = ?, total_cents = ?, currency = ?, updated_at = ? WHERE id = ?`,
  );
  const toAwaiting = db.prepare(
    `UPDATE orders SET status = 'awaiting_payment', charge_secret = ?, card_brand = ?, card_last4 = ?, next_attempt_at = ?, updated_at = ?
     WHERE id = ? AND status = 'pending'`,
  );
  const toCompleted = db.prepare(
    `UPDATE orders SET status = 'completed', payment_id = ?, next_attempt_at = NULL, updated_at = ? WHERE id = ? AND status = 'awaiting_payment'`,
  );
  const toFailed = db.prepare(
    `UPDATE orders SET status = 'failed', failure_code = ?, failure_message = ?, next_attempt_at = NULL, updated_at = ?
     WHERE id = ? AND status IN ('pending', 'awaiting_payment')`,
  );
  const toCancelled = db.prepare(
    `UPDATE orders SET status = 'cancelled', updated_at = ? WHERE id = ? AND status = 'completed'`,
  );
  const chargeRetry = db.prepare(
    'UPDATE orders SET charge_attempts = charge_attempts + 1, next_attempt_at = ?, updated_at = ? WHERE id = ?',
  );
  const saveReply = db.prepare(
    'UPDATE orders SET reply = ? WHERE id = ? AND reply IS NULL AND response_status IS NULL',
  );
  const dueCharges = db.prepare(
    `SELECT * FROM orders WHERE status = 'awaiting_payment' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`,
  );
  const stalePending = db.prepare(`SELECT * FROM orders WHERE status = 'pending' AND created_at < ? LIMIT ?`);
  const statusCounts = db.prepare('SELECT status, count(*) AS n FROM orders GROUP BY status');

  const enqueue = db.prepare(
    `INSERT INTO outbox (order_id, kind, payload, status, next_attempt_at, traceparent, created_at)
     VALUES (?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (order_id, kind) DO NOTHING`,
  );
  const dueTasks = db.prepare(
    `SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
  );
  const taskDone = db.prepare(
    `UPDATE outbox SET status = 'done', attempts = attempts + 1, last_error = NULL WHERE id = ?`,
  );
  const taskRetry = db.prepare(
    'UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?',
  );
  const taskDead = db.prepare(
    `UPDATE outbox SET status = 'dead', attempts = attempts + 1, last_error = ? WHERE id = ?`,
  );
  const outboxCounts = db.prepare('SELECT kind, status, count(*) AS n FROM outbox GROUP BY kind, status');

  function find(id: number): OrderRecord | undefined {
    const row = byId.get(id) as OrderRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  function addTasks(
    orderId: number,
    kinds: ReadonlyArray<[OutboxKind, Record<string, unknown>]>,
    traceparent: string | null,
  ): void {
    const now = Date.now();
    const iso = new Date(now).toISOString();
    for (const [kind, payload] of kinds)
      enqueue.run(orderId, kind, JSON.stringify(payload), now, traceparent, iso);
  }

  // The checkout's OrderStore (app.ts hands it over as one), plus what the worker and the metrics read.
  return {
    /** Creates a pending order for `key`, or returns the one that key already made. */
    begin(
      key: string,
      requestHash: string,
      customerId: number,
      traceparent: string | null,
    ): { record: OrderRecord; created: boolean } {
      const now = new Date().toISOString();
      const info = insert.run(key, requestHash, customerId, traceparent, now, now);
      return { record: toRecord(byKey.get(key) as OrderRow), created: info.changes === 1 };
    },
    find,
    listByCustomer(customerId: number, limit: number, offset: number): { items: Order[]; total: number } {
      const rows = byCustomer.all(customerId, limit, offset) as OrderRow[];
      return {
        items: rows.map((row) => toRecord(row).order),
        total: Number(countByCustomer.get(customerId)),
      };
    },
    setDetails(id: number, segment: string, items: OrderItem[], totalCents: number, currency: string): void {
      setDetails.run(segment, JSON.stringify(items), totalCents, currency, new Date().toISOString(), id);
    },
    /** `retryAt`: when the recovery loop may first retry the charge if this request cannot finish it. */
    awaitPayment(id: number, chargeSecret: string, brand: string, last4: string, retryAt: number): boolean {
      return toAwaiting.run(chargeSecret, brand, last4, retryAt, new Date().toISOString(), id).changes === 1;
    },
    /** Completed, with stock commit and confirmation queued in the same transaction. */
    complete: db.transaction(
      (
        id: number,
        paymentId: number,
        confirmation: Record<string, unknown> | null,
        traceparent: string | null,
      ): boolean => {
        if (toCompleted.run(paymentId, new Date().toISOString(), id).changes !== 1) return false;
        const tasks: Array<[OutboxKind, Record<string, unknown>]> = [['commit_reservation', {}]];
        if (confirmation) tasks.push(['send_confirmation', confirmation]);
        addTasks(id, tasks, traceparent);
        return true;
      },
    ),
    /** Failed; when stock may be held, its release is queued in the same transaction. */
    fail: db.transaction(
      (id: number, failure: OrderFailure, releaseStock: boolean, traceparent: string | null): boolean => {
        if (toFailed.run(failure.code, failure.message, new Date().toISOString(), id).changes !== 1)
          return false;
        if (releaseStock) addTasks(id, [['release_reservation', {}]], traceparent);
        return true;
      },
    ),
    cancel(id: number): boolean {
      return toCancelled.run(new Date().toISOString(), id).changes === 1;
    },
    scheduleChargeRetry(id: number, at: number): void {
      chargeRetry.run(at, new Date().toISOString(), id);
    },
    saveReply(id: number, order: Order): void {
      saveReply.run(JSON.stringify(order), id);
    },
    dueCharges(now: number, limit: number): OrderRecord[] {
      return (dueCharges.all(now, limit) as OrderRow[]).map(toRecord);
    },
    stalePending(olderThan: Date, limit: number): OrderRecord[] {
      return (stalePending.all(olderThan.toISOString(), limit) as OrderRow[]).map(toRecord);
    },
    statusCounts(): Record<string, number> {
      const out: Record<string, number> = {};
      for (const row of statusCounts.all() as Array<{ status: string; n: number }>) out[row.status] = row.n;
      return out;
    },
    dueTasks(now: number, limit: number): OutboxTask[] {
      return (dueTasks.all(now, limit) as Array<Record<string, unknown>>).map((row) => ({
        id: row.id as number,
        orderId: row.order_id as number,
        kind: row.kind as OutboxKind,
        payload: JSON.parse(row.payload as string) as Record<string, unknown>,
        attempts: row.attempts as number,
        traceparent: row.traceparent as string | null,
      }));
    },
    /** A sweep's task results, in one transaction. */
    settleTasks: db.transaction(
      (
        results: ReadonlyArray<{
          id: number;
          status: 'done' | 'retry' | 'dead';
          at: number;
          error: string | null;
        }>,
      ): void => {
        for (const { id, status, at, error } of results) {
          if (status === 'done') taskDone.run(id);
          else if (status === 'retry') taskRetry.run(at, (error ?? '').slice(0, 500), id);
          else taskDead.run((error ?? '').slice(0, 500), id);
        }
      },
    ),
    outboxCounts(): Array<{ kind: string; status: string; n: number }> {
      return outboxCounts.all() as Array<{ kind: string; status: string; n: number }>;
    },
  };
}

export type OrdersRepository = ReturnType<typeof createOrdersRepository>;
