import { createHash, randomBytes } from 'node:crypto';
import { cardBrand } from '@vigil/card';
import { createCardHold } from './card-hold.ts';
import {
  type CreateOrderRequest,
  type FunnelStep,
  type Order,
  type OrderItem,
  requestHash,
  totalCents,
} from './order.ts';
import {
  type Complexity,
  type CreatedLabels,
  complexity,
  type HighValueOutcome,
  primaryCategory,
  type ValueLabels,
} from './order-metrics.ts';
import {
  type Card,
  type Contact,
  type Customer,
  type CustomerDirectory,
  DependencyUnavailable,
  type DomainLogger,
  type DomainTrace,
  type Inventory,
  type OrderRecord,
  type OrderStore,
  type OutboxNotifier,
  type Payments,
} from './ports.ts';

export interface CheckoutMetrics {
  funnel(step: FunnelStep, status: 'success' | 'failure'): void;
  created(labels: CreatedLabels): void;
  completed(labels: ValueLabels, dollars: number): void;
  duration(complexity: Complexity, status: string, seconds: number): void;
  /** A checkout above the high-value threshold reached payment and ended this way. */
  highValue(outcome: HighValueOutcome): void;
}

export interface CheckoutDeps {
  store: OrderStore;
  customers: CustomerDirectory;
  inventory: Inventory;
  payments: Payments;
  outbox: OutboxNotifier;
  metrics: CheckoutMetrics;
  logger: DomainLogger;
  /** Notes on the current request's span (order id, failure code, replay). */
  trace: DomainTrace;
  /** Wait before the recovery loop retries a charge whose outcome is unknown, by attempt (1, 2, …). */
  chargeRetryDelayMs: (attempt: number) => number;
  /** Wait before retrying a charge another attempt is still running. */
  chargeRetryBaseMs: number;
  /** How long the request itself owns the charge before the recovery loop may retry it. */
  chargeGraceMs: number;
  /** Orders above this total (cents) count in metrics.highValue. */
  highValueCents: number;
  /**
   * How long, and for how many orders at most, the card stays in this process's memory for the charge's
   * retries (never written anywhere). Past that, or after a restart, a retry sends no card and
   * payment-service finishes the charge from the card it vaulted under the key.
   */
  cardHold?: { ttlMs: number; max: number };
}

/** What placing an order came to; the routes map it to HTTP. */
export type PlaceResult =
  /** The order as its first reply showed it (a replay of the key answers the same). */
  | { kind: 'placed'; order: Order; replayed: boolean }
  /** The key was first used for a different order. */
  | { kind: 'key_reused' }
  /** The key's first request is still placing its order. */
  | { kind: 'in_progress' };

export type CancelResult =
  | { kind: 'cancelled'; order: Order }
  | { kind: 'not_found' }
  | { kind: 'not_cancellable'; order: Order }
  | { kind: 'refund_refused'; code: string }
  | { kind: 'unavailable'; dependency: string };

export type ChargeOutcome = 'completed' | 'failed' | 'unknown';

/** A step that ended the order; `releaseStock` when the reservation may hold stock. */
class StepFailure extends Error {
  readonly code: string;
  readonly releaseStock: boolean;
  constructor(code: string, message: string, releaseStock: boolean) {
    super(message);
    this.code = code;
    this.releaseStock = releaseStock;
  }
}

function unavailable(err: DependencyUnavailable, releaseStock: boolean): StepFailure {
  return new StepFailure(
    'DEPENDENCY_UNAVAILABLE',
    `${err.dependency} is unavailable (${err.reason})`,
    releaseStock,
  );
}

function asStepFailure(reason: unknown, releaseStock: boolean): StepFailure {
  if (reason instanceof StepFailure) return reason;
  if (reason instanceof DependencyUnavailable) return unavailable(reason, releaseStock);
  throw reason;
}

/** False only when the reservation certainly holds nothing (it was refused for a business reason). */
function reservationMayHold(reserved: PromiseSettledResult<unknown>): boolean {
  return (
    reserved.status === 'fulfilled' ||
    !(reserved.reason instanceof StepFailure) ||
    reserved.reason.releaseStock
  );
}

/** Order placement, cancellation and the payment retries that finish orders later. */
export function createCheckout(deps: CheckoutDeps) {
  const { store, metrics, logger } = deps;

  /** False when another path already moved the order on (nothing changed). */
  function fail(
    id: number,
    err: StepFailure,
    traceparent: string | null,
    paymentStep = false,
    total = 0,
  ): boolean {
    if (!store.fail(id, { code: err.code, message: err.message }, err.releaseStock, traceparent))
      return false;
    if (err.releaseStock) deps.outbox.notify();
    if (paymentStep && total > deps.highValueCents) metrics.highValue('payment_failed');
    deps.trace.annotate('order.failure', err.code);
    return true;
  }

  async function customer(customerId: number): Promise<Customer> {
    const found = await deps.customers.find(customerId);
    if (!found) throw new StepFailure('CUSTOMER_NOT_FOUND', `customer ${customerId} not found`, false);
    return found;
  }

  /**
   * Holds the stock and learns the prices in one call (no lookup per item). An unknown outcome leaves
   * the reservation unknown, so its release is queued (release is idempotent).
   */
  async function reserveStock(
    id: number,
    input: CreateOrderRequest,
  ): Promise<{ items: OrderItem[]; currency: string }> {
    let reservation: Awaited<ReturnType<Inventory['reserve']>>;
    try {
      reservation = await deps.inventory.reserve(id, input.items);
    } catch (err) {
      throw err instanceof DependencyUnavailable ? unavailable(err, true) : err;
    }
    if (reservation.kind === 'insufficient_stock')
      throw new StepFailure('INSUFFICIENT_STOCK', 'not enough stock for this order', false);
    if (reservation.kind === 'product_not_found') {
      throw new StepFailure(
        'PRODUCT_NOT_FOUND',
        reservation.productId === null
          ? 'a product in this order does not exist'
          : `product ${reservation.productId} not found`,
        false,
      );
    }
    if (reservation.kind === 'rejected')
      throw new StepFailure('RESERVATION_REJECTED', 'the stock reservation was rejected', true);
    const reserved = new Map(reservation.items.map((item) => [item.product_id, item]));
    const items: OrderItem[] = input.items.map((item) => {
      const priced = reserved.get(item.product_id);
      if (!priced || typeof priced.unit_price_cents !== 'number' || typeof priced.name !== 'string') {
        throw new StepFailure('RESERVATION_REJECTED', 'the reservation did not price every item', true);
      }
      return {
        product_id: item.product_id,
        name: priced.name,
        ...(typeof priced.category === 'string' ? { category: priced.category } : {}),
        quantity: item.quantity,
        unit_price_cents: priced.unit_price_cents,
      };
    });
    return { items, currency: reserved.get(input.items[0]!.product_id)?.currency ?? 'USD' };
  }

  /** The cards of orders whose charge may still be retried: in memory only, for as long as deps.cardHold says. */
  const cards = createCardHold(deps.cardHold ?? { ttlMs: 3_600_000, max: 10_000 });

  /** What the next attempt charges: the held card, an old order's vault token, or the key's own charge. */
  function chargeMethod(record: OrderRecord): { card: Card } | { token: string } | null {
    const card = cards.get(record.order.id);
    if (card) return { card };
    return record.paymentToken ? { token: record.paymentToken } : null;
  }

  /**
   * One charge attempt with the order's idempotency key: it can never charge twice. `contact`, when the
   * caller already has it, rides in the confirmation task so the worker need not look the customer up again.
   * `first`: the placing request's attempt, the only one that knows no earlier attempt exists.
   */
  async function charge(
    record: OrderRecord,
    contact: Contact | null = null,
    first = false,
  ): Promise<ChargeOutcome> {
    const { order } = record;
    const outcome = await attemptCharge(record, contact, first);
    if (outcome !== 'unknown') cards.release(order.id);
    return outcome;
  }

  async function attemptCharge(
    record: OrderRecord,
    contact: Contact | null,
    first: boolean,
  ): Promise<ChargeOutcome> {
    const { order } = record;
    try {
      const answer = await deps.payments.charge({
        key: chargeKey(order.id, record.chargeSecret),
        orderId: order.id,
        amountCents: order.total_cents,
        currency: order.currency,
        method: chargeMethod(record),
      });
      if (answer.kind === 'charged') {
        // The request and the recovery loop may both finish one charge; only the first transition counts.
        if (store.complete(order.id, answer.paymentId, contact ? { ...contact } : {}, record.traceparent)) {
          metrics.funnel('payment', 'success');
          metrics.funnel('confirmation', 'success');
          metrics.completed(
            { product_category: primaryCategory(order.items), customer_segment: record.segment ?? 'unknown' },
            order.total_cents / 100,
          );
          if (order.total_cents > deps.highValueCents) metrics.highValue('completed');
          deps.outbox.notify();
        }
        return 'completed';
      }
      if (answer.kind === 'in_progress') {
        store.scheduleChargeRetry(order.id, Date.now() + deps.chargeRetryBaseMs);
        return 'unknown';
      }
      // The stored message is ours, built from codes only: never text echoed from a request.
      const failure =
        answer.kind === 'declined'
          ? new StepFailure('PAYMENT_DECLINED', declinedMessage(answer.reason), true)
          : answer.kind === 'not_started'
            ? new StepFailure(
                'PAYMENT_INTERRUPTED',
                'the charge never reached payment-service and the card is no longer held; nothing was charged',
                true,
              )
            : new StepFailure('INVALID_PAYMENT_METHOD', `the payment was refused (${answer.code})`, true);
      if (fail(order.id, failure, record.traceparent, true, order.total_cents))
        metrics.funnel('payment', 'failure');
      return 'failed';
    } catch (err) {
      if (!(err instanceof DependencyUnavailable)) throw err;
      if (first && !err.mayHaveArrived) {
        // No attempt of this key ever reached payment-service (every connection refused): nothing can
        // have been charged, so the order fails now as it would have had any earlier call failed.
        if (fail(order.id, unavailable(err, true), record.traceparent, true, order.total_cents))
          metrics.funnel('payment', 'failure');
        return 'failed';
      }
      const wait = deps.chargeRetryDelayMs(record.chargeAttempts + 1);
      store.scheduleChargeRetry(order.id, Date.now() + wait);
      logger.warn(
        { event: 'charge_unknown', order_id: order.id, reason: err.reason, retry_in_ms: wait },
        'payment outcome unknown; order stays awaiting_payment',
      );
      return 'unknown';
    }
  }

  async function place(
    key: string,
    input: CreateOrderRequest,
    traceparent: string | null,
  ): Promise<PlaceResult> {
    const started = performance.now();
    const hash = requestHash(input);
    const { record, created } = store.begin(key, hash, input.customer_id, traceparent);
    deps.trace.annotate('order.id', record.order.id);
    if (!created) {
      if (record.requestHash !== hash) return { kind: 'key_reused' };
      if (!record.reply) return { kind: 'in_progress' };
      deps.trace.annotate('order.replayed', true);
      return { kind: 'placed', order: record.reply, replayed: true };
    }
    const id = record.order.id;
    let step: FunnelStep = 'cart';
    let total = 0;
    try {
      // The customer (segment and contact) and the reservation (which prices the items) are independent,
      // so they run together; then one payment call vaults the card and charges it.
      const [who, reserved] = await Promise.allSettled([
        customer(input.customer_id),
        reserveStock(id, input),
      ]);
      if (who.status === 'rejected') {
        const err = asStepFailure(who.reason, false);
        // The reservation ran beside the lookup: whatever it may hold is released.
        throw new StepFailure(err.code, err.message, reservationMayHold(reserved));
      }
      if (reserved.status === 'rejected') {
        const err = asStepFailure(reserved.reason, true);
        // A product that does not exist fails the cart; no stock fails shipping.
        if (err.code !== 'PRODUCT_NOT_FOUND') {
          metrics.funnel('cart', 'success');
          step = 'shipping';
        }
        throw err;
      }
      const { segment, contact } = who.value;
      const { items, currency } = reserved.value;
      total = totalCents(items);
      store.setDetails(id, segment, items, total, currency);
      metrics.funnel('cart', 'success');
      metrics.funnel('shipping', 'success');
      step = 'payment';
      const card = input.payment_method;
      const brand = cardBrand(card.card_number);
      // The key's random half is stored (a restart retries with the same key); the card is only held in memory.
      const secret = randomBytes(16).toString('hex');
      store.awaitPayment(id, secret, brand, card.card_number.slice(-4), Date.now() + deps.chargeGraceMs);
      cards.hold(id, card);
      metrics.created({
        product_category: primaryCategory(items),
        payment_method: brand,
        customer_segment: segment,
      });
      await charge(store.find(id)!, contact, true);
    } catch (err) {
      if (!(err instanceof StepFailure)) throw err;
      metrics.funnel(step, 'failure');
      fail(id, err, traceparent, step === 'payment', total);
    }
    const order = store.find(id)!.order;
    store.saveReply(id, order);
    metrics.duration(complexity(input.items.length), order.status, (performance.now() - started) / 1000);
    logger.info(
      {
        event: 'order_placed',
        order_id: id,
        status: order.status,
        failure: order.failure?.code,
        total_cents: order.total_cents,
      },
      `order ${order.status}`,
    );
    return { kind: 'placed', order, replayed: false };
  }

  /** Refunds a completed order's payment, then marks it cancelled (cancelling twice is a no-op). */
  async function cancel(id: number): Promise<CancelResult> {
    const record = store.find(id);
    if (!record) return { kind: 'not_found' };
    const { order } = record;
    if (order.status === 'cancelled') return { kind: 'cancelled', order };
    if (order.status !== 'completed' || order.payment.id === null) return { kind: 'not_cancellable', order };
    try {
      const answer = await deps.payments.refund(order.payment.id);
      if (answer.kind === 'refused') return { kind: 'refund_refused', code: answer.code };
    } catch (err) {
      if (err instanceof DependencyUnavailable) return { kind: 'unavailable', dependency: err.dependency };
      throw err;
    }
    store.cancel(id);
    logger.info({ event: 'order_cancelled', order_id: id }, 'order cancelled and refunded');
    return { kind: 'cancelled', order: store.find(id)!.order };
  }

  return {
    place,
    cancel,
    charge: (record: OrderRecord) => charge(record),
    find: (id: number): Order | undefined => store.find(id)?.order,
    list: (customerId: number, limit: number, offset: number) =>
      store.listByCustomer(customerId, limit, offset),
  };
}

export type Checkout = ReturnType<typeof createCheckout>;

function declinedMessage(reason: string | null): string {
  return typeof reason === 'string' && /^[a-z_]{1,40}$/.test(reason)
    ? `the card was declined: ${reason}`
    : 'the card was declined';
}

/**
 * The charge's idempotency key: stable across retries and restarts (both inputs are stored with the order)
 * and not guessable (the secret is random and only order-service and payment-service see the key; orders
 * from before the one-call charge use their vault token, so their key is unchanged).
 */
export function chargeKey(orderId: number, chargeSecret: string | null): string {
  const secret = createHash('sha256')
    .update(`${orderId}|${chargeSecret ?? ''}`)
    .digest('hex')
    .slice(0, 32);
  return `order-${orderId}-${secret}`;
}
