import { createHash } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { backoffMs } from '@vigil/service-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { OrderRecord, OrdersRepository } from '../adapters/orders-repository.ts';
import { DependencyError, type ServiceClient } from '../adapters/service-client.ts';
import {
  type CreateOrderRequest,
  type FunnelStep,
  type Order,
  type OrderFailure,
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

export interface CheckoutMetrics {
  funnel(step: FunnelStep, status: 'success' | 'failure'): void;
  created(labels: CreatedLabels): void;
  completed(labels: ValueLabels, dollars: number): void;
  duration(complexity: Complexity, status: string, seconds: number): void;
  /** A checkout above the high-value threshold reached payment and ended this way. */
  highValue(outcome: HighValueOutcome): void;
}

export interface CheckoutDeps {
  repository: OrdersRepository;
  users: ServiceClient;
  products: ServiceClient;
  payments: ServiceClient;
  metrics: CheckoutMetrics;
  logger: FastifyBaseLogger;
  /** Something was queued in the outbox: deliver it soon. */
  kick: () => void;
  chargeRetryBaseMs: number;
  chargeRetryMaxMs: number;
  /** How long the request itself owns the charge before the recovery loop may retry it. */
  chargeGraceMs: number;
  /** Orders above this total (cents) count in metrics.highValue. */
  highValueCents: number;
}

export interface CheckoutResult {
  status: number;
  body: unknown;
}

interface ErrorBody {
  error: { code: string; message: string };
}

/** An item of product-service's reservation answer, priced. */
interface ReservedItem {
  product_id: number;
  name: string;
  category?: string;
  unit_price_cents: number;
  currency: string;
}

type ChargeOutcome = 'completed' | 'failed' | 'unknown';

/** Where the confirmation goes; kept only in the outbox task that sends it. */
export interface Contact {
  to: string;
  name: string | null;
}

const FAILURE_STATUS: Record<string, number> = {
  CUSTOMER_NOT_FOUND: 422,
  PRODUCT_NOT_FOUND: 422,
  INSUFFICIENT_STOCK: 409,
  PAYMENT_DECLINED: 402,
  INVALID_PAYMENT_METHOD: 422,
  DEPENDENCY_UNAVAILABLE: 503,
};

class StepFailure extends Error {
  readonly failure: OrderFailure;
  readonly releaseStock: boolean;
  constructor(code: string, message: string, releaseStock: boolean) {
    super(message);
    this.failure = { code, message };
    this.releaseStock = releaseStock;
  }
}

function unavailable(err: DependencyError, releaseStock: boolean): StepFailure {
  return new StepFailure(
    'DEPENDENCY_UNAVAILABLE',
    `${err.dependency} is unavailable (${err.reason})`,
    releaseStock,
  );
}

function asStepFailure(reason: unknown, releaseStock: boolean): StepFailure {
  if (reason instanceof StepFailure) return reason;
  if (reason instanceof DependencyError) return unavailable(reason, releaseStock);
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

function errorCode(body: unknown): string | undefined {
  const code = (body as ErrorBody | null)?.error?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Order placement and the payment retries that finish it later. */
export function createCheckout(deps: CheckoutDeps) {
  const { repository, metrics, logger } = deps;

  function orderResponse(order: Order): CheckoutResult {
    if (order.status === 'completed') return { status: 201, body: order };
    if (order.status === 'awaiting_payment') return { status: 202, body: order };
    const failure = order.failure ?? { code: 'ORDER_FAILED', message: 'the order failed' };
    return {
      status: FAILURE_STATUS[failure.code] ?? 422,
      body: { error: { code: failure.code, message: failure.message, details: { order } } },
    };
  }

  /** False when another path already moved the order on (nothing changed). */
  function fail(
    id: number,
    err: StepFailure,
    traceparent: string | null,
    paymentStep = false,
    total = 0,
  ): boolean {
    if (!repository.fail(id, err.failure, err.releaseStock, traceparent)) return false;
    if (err.releaseStock) deps.kick();
    if (paymentStep && total > deps.highValueCents) metrics.highValue('payment_failed');
    trace.getActiveSpan()?.setAttribute('order.failure', err.failure.code);
    return true;
  }

  async function customer(customerId: number): Promise<{ segment: string; contact: Contact | null }> {
    const user = await deps.users.call<{ segment?: string; email?: string; name?: string }>(
      'GET',
      `/users/${customerId}`,
      { idempotent: true },
    );
    if (user.status !== 200) {
      throw new StepFailure('CUSTOMER_NOT_FOUND', `customer ${customerId} not found`, false);
    }
    const { segment, email, name } = user.body;
    return {
      segment: typeof segment === 'string' ? segment : 'unknown',
      contact:
        typeof email === 'string'
          ? { to: email, name: typeof name === 'string' ? name.slice(0, 100) : null }
          : null,
    };
  }

  /**
   * Holds the stock and learns the prices in one call: the reservation answers each item priced
   * (no GET /products/:id per item). A timeout leaves the reservation unknown, so its release is
   * queued (release is idempotent).
   */
  async function reserveStock(
    id: number,
    input: CreateOrderRequest,
  ): Promise<{ items: OrderItem[]; currency: string }> {
    try {
      const res = await deps.products.call<{ items?: ReservedItem[] }>('POST', '/inventory/reservations', {
        body: {
          order_id: String(id),
          items: input.items.map((i) => ({ product_id: i.product_id, quantity: i.quantity })),
        },
        idempotent: true,
      });
      if (res.status === 409 && errorCode(res.body) === 'INSUFFICIENT_STOCK') {
        throw new StepFailure('INSUFFICIENT_STOCK', 'not enough stock for this order', false);
      }
      if (res.status === 404) {
        const productId = (res.body as { error?: { details?: { product_id?: unknown } } } | null)?.error
          ?.details?.product_id;
        throw new StepFailure(
          'PRODUCT_NOT_FOUND',
          typeof productId === 'number'
            ? `product ${productId} not found`
            : 'a product in this order does not exist',
          false,
        );
      }
      if (res.status >= 300)
        throw new StepFailure('RESERVATION_REJECTED', 'the stock reservation was rejected', true);
      const reserved = new Map((res.body.items ?? []).map((item) => [item.product_id, item]));
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
    } catch (err) {
      throw err instanceof DependencyError ? unavailable(err, true) : err;
    }
  }

  async function tokenize(
    card: CreateOrderRequest['payment_method'],
  ): Promise<{ token: string; brand: string; last4: string }> {
    try {
      // Creating a token charges nothing, so a retry is harmless.
      const res = await deps.payments.call<{ token: string; brand: string; last4: string }>(
        'POST',
        '/payment-methods',
        {
          body: card,
          idempotent: true,
        },
      );
      if (res.status !== 201) {
        throw new StepFailure(
          'INVALID_PAYMENT_METHOD',
          `the card was refused (${errorCode(res.body) ?? res.status})`,
          true,
        );
      }
      return res.body;
    } catch (err) {
      throw err instanceof DependencyError ? unavailable(err, true) : err;
    }
  }

  /**
   * One charge attempt with the order's idempotency key: it can never charge twice. `contact`, when the
   * caller already has it, rides in the confirmation task so the worker need not look the customer up again.
   */
  async function charge(record: OrderRecord, contact: Contact | null = null): Promise<ChargeOutcome> {
    const { order } = record;
    try {
      const res = await deps.payments.call<{ id: number; error?: { message?: string } }>(
        'POST',
        '/payments',
        {
          headers: { 'idempotency-key': chargeKey(order.id, record.paymentToken) },
          body: {
            order_id: String(order.id),
            amount_cents: order.total_cents,
            currency: order.currency,
            payment_method_token: record.paymentToken,
          },
          idempotent: true,
        },
      );
      if (res.status === 201 || res.status === 200) {
        // The request and the recovery loop may both finish one charge; only the first transition counts.
        if (repository.complete(order.id, res.body.id, contact ? { ...contact } : {}, record.traceparent)) {
          metrics.funnel('payment', 'success');
          metrics.funnel('confirmation', 'success');
          metrics.completed(
            { product_category: primaryCategory(order.items), customer_segment: record.segment ?? 'unknown' },
            order.total_cents / 100,
          );
          if (order.total_cents > deps.highValueCents) metrics.highValue('completed');
          deps.kick();
        }
        return 'completed';
      }
      if (res.status === 409) {
        repository.scheduleChargeRetry(order.id, Date.now() + deps.chargeRetryBaseMs);
        return 'unknown';
      }
      const code = res.status === 402 ? 'PAYMENT_DECLINED' : 'INVALID_PAYMENT_METHOD';
      // The stored message is ours, built from codes only: never text echoed from a request.
      const message =
        res.status === 402
          ? declinedMessage(res.body)
          : `the payment was refused (${errorCode(res.body) ?? res.status})`;
      if (fail(order.id, new StepFailure(code, message, true), record.traceparent, true, order.total_cents))
        metrics.funnel('payment', 'failure');
      return 'failed';
    } catch (err) {
      if (!(err instanceof DependencyError)) throw err;
      const wait = backoffMs(record.chargeAttempts + 1, {
        baseMs: deps.chargeRetryBaseMs,
        maxMs: deps.chargeRetryMaxMs,
      });
      repository.scheduleChargeRetry(order.id, Date.now() + wait);
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
  ): Promise<CheckoutResult> {
    const started = performance.now();
    const hash = requestHash(input);
    const { record, created } = repository.begin(key, hash, input.customer_id, traceparent);
    const span = trace.getActiveSpan();
    span?.setAttribute('order.id', record.order.id);
    if (!created) {
      if (record.requestHash !== hash) {
        return {
          status: 422,
          body: {
            error: {
              code: 'IDEMPOTENCY_KEY_REUSED',
              message: 'this Idempotency-Key was used for a different order',
            },
          },
        };
      }
      if (record.response) {
        span?.setAttribute('order.replayed', true);
        return { ...record.response, replayed: true } as CheckoutResult;
      }
      return {
        status: 409,
        body: {
          error: {
            code: 'ORDER_IN_PROGRESS',
            message: 'an order with this Idempotency-Key is still being placed',
          },
        },
      };
    }
    const id = record.order.id;
    let step: FunnelStep = 'cart';
    let total = 0;
    try {
      // Every call before the charge is independent, so they run together: the customer (segment and
      // contact), the reservation (which prices the items) and the card's tokenization (charges nothing).
      const [who, reserved, tokenized] = await Promise.allSettled([
        customer(input.customer_id),
        reserveStock(id, input),
        tokenize(input.payment_method),
      ]);
      if (who.status === 'rejected') {
        const err = asStepFailure(who.reason, false);
        // The reservation ran beside the lookup: whatever it may hold is released.
        throw new StepFailure(err.failure.code, err.failure.message, reservationMayHold(reserved));
      }
      if (reserved.status === 'rejected') {
        const err = asStepFailure(reserved.reason, true);
        // A product that does not exist fails the cart; no stock fails shipping (as before the merge).
        if (err.failure.code !== 'PRODUCT_NOT_FOUND') {
          metrics.funnel('cart', 'success');
          step = 'shipping';
        }
        throw err;
      }
      const { segment, contact } = who.value;
      const { items, currency } = reserved.value;
      total = totalCents(items);
      repository.setDetails(id, segment, items, total, currency);
      metrics.funnel('cart', 'success');
      metrics.funnel('shipping', 'success');
      step = 'payment';
      if (tokenized.status === 'rejected') throw asStepFailure(tokenized.reason, true);
      const method = tokenized.value;
      repository.awaitPayment(id, method.token, method.brand, method.last4, Date.now() + deps.chargeGraceMs);
      metrics.created({
        product_category: primaryCategory(items),
        payment_method: method.brand,
        customer_segment: segment,
      });
      await charge(repository.find(id)!, contact);
    } catch (err) {
      if (!(err instanceof StepFailure)) throw err;
      metrics.funnel(step, 'failure');
      fail(id, err, traceparent, step === 'payment', total);
    }
    const order = repository.find(id)!.order;
    const response = orderResponse(order);
    repository.saveResponse(id, response.status, response.body);
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
    return response;
  }

  return { place, charge, orderResponse };
}

export type Checkout = ReturnType<typeof createCheckout>;

function declinedMessage(body: unknown): string {
  const reason = (body as { error?: { details?: { payment?: { decline_reason?: unknown } } } } | null)?.error
    ?.details?.payment?.decline_reason;
  return typeof reason === 'string' && /^[a-z_]{1,40}$/.test(reason)
    ? `the card was declined: ${reason}`
    : 'the card was declined';
}

/**
 * The charge's idempotency key: stable across retries and restarts (both inputs are stored with the order)
 * and not guessable (the payment token is a random vault token only order-service and payment-service see).
 */
export function chargeKey(orderId: number, paymentToken: string | null): string {
  const secret = createHash('sha256')
    .update(`${orderId}|${paymentToken ?? ''}`)
    .digest('hex')
    .slice(0, 32);
  return `order-${orderId}-${secret}`;
}
