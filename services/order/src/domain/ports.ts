import type { CreateOrderRequest, Order, OrderFailure, OrderItem } from './order.ts';

// What the checkout domain needs from the world, in its own terms. The adapters (HTTP clients of the
// other services, the SQLite repository, the outbox worker) implement these; the domain imports none of them.

/** Why a dependency gave no usable answer (also dependency_requests_total's failing outcomes). */
export const FAILURE_REASONS = ['timeout', 'unavailable', 'server_error'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** A dependency gave no usable answer: the step failed, or its outcome is unknown. */
export class DependencyUnavailable extends Error {
  readonly dependency: string;
  readonly reason: FailureReason;
  /**
   * False only when no attempt can have reached the dependency (every connection was refused), so the
   * request certainly did nothing there; true (the default) when it may have.
   */
  readonly mayHaveArrived: boolean;
  constructor(dependency: string, reason: FailureReason, detail = '', mayHaveArrived = true) {
    super(`${dependency}: ${reason}${detail}`);
    this.name = 'DependencyUnavailable';
    this.dependency = dependency;
    this.reason = reason;
    this.mayHaveArrived = mayHaveArrived;
  }
}

/** A dependency answered and refused the request: trying again will not help. */
export class Refused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Refused';
  }
}

/** Where the confirmation goes; kept only in the outbox task that sends it. */
export interface Contact {
  to: string;
  name: string | null;
}

export interface Customer {
  segment: string;
  contact: Contact | null;
}

export interface CustomerDirectory {
  /** null: no such customer. */
  find(customerId: number): Promise<Customer | null>;
}

/** An item of the reservation's answer, priced. */
export interface ReservedItem {
  product_id: number;
  name: string;
  category?: string;
  unit_price_cents: number;
  currency: string;
}

export type Reservation =
  | { kind: 'reserved'; items: ReservedItem[] }
  | { kind: 'insufficient_stock' }
  | { kind: 'product_not_found'; productId: number | null }
  /** Refused for another reason; it may hold stock. */
  | { kind: 'rejected' };

export interface Inventory {
  /** Holds the stock of an order and answers its items priced; idempotent per order. */
  reserve(
    orderId: number,
    items: ReadonlyArray<{ product_id: number; quantity: number }>,
  ): Promise<Reservation>;
  /**
   * Commits several reservations in one call; answers each (in order): null when committed, a
   * `Refused` when it cannot be. Throws `DependencyUnavailable` when the call as a whole got no answer.
   */
  commitMany(
    orders: ReadonlyArray<{ orderId: number; trace: string | null }>,
  ): Promise<Array<Refused | null>>;
  /** Idempotent; releasing a reservation that holds nothing is not an error. */
  release(orderId: number): Promise<void>;
}

/** The card as the order brought it; only in memory, and only payment-service's vault keeps it. */
export type Card = CreateOrderRequest['payment_method'];

export interface ChargeRequest {
  /** Stable across retries and restarts: the same key can never charge twice. */
  key: string;
  orderId: number;
  amountCents: number;
  currency: string;
  /**
   * What to charge: the card (payment-service vaults it under the key before anything else, then
   * charges), a vault token (orders accepted before the one-call charge), or null: continue the charge
   * the key already started (the card is no longer held here).
   */
  method: { card: Card } | { token: string } | null;
}

export type ChargeAnswer =
  | { kind: 'charged'; paymentId: number }
  /** Another attempt with this key is still running. */
  | { kind: 'in_progress' }
  | { kind: 'declined'; reason: string | null }
  /** A card-less retry, and payment-service never started a charge under the key: nothing was charged. */
  | { kind: 'not_started' }
  | { kind: 'refused'; code: string };

export type RefundAnswer = { kind: 'refunded' } | { kind: 'refused'; code: string };

export interface Payments {
  /** One call: vaults the card (when given) and charges it, idempotent on the key. */
  charge(request: ChargeRequest): Promise<ChargeAnswer>;
  refund(paymentId: number): Promise<RefundAnswer>;
}

export interface Confirmation {
  to: string;
  name: string | null;
  order: Order;
}

export interface ConfirmationSender {
  /** Queues several in one call; answers each like commitMany. `trace`: the W3C traceparent of its work. */
  sendMany(
    confirmations: ReadonlyArray<{ confirmation: Confirmation; trace: string | null }>,
  ): Promise<Array<Refused | null>>;
}

/** Something was queued in the outbox: deliver it soon (the outbox worker listens). */
export interface OutboxNotifier {
  notify(): void;
}

export interface DomainLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Attributes on the span of the work in progress (a no-op without tracing). */
export interface DomainTrace {
  annotate(key: string, value: string | number | boolean): void;
}

/** An order with the bookkeeping the service needs but never shows. */
export interface OrderRecord {
  order: Order;
  idempotencyKey: string;
  requestHash: string;
  segment: string | null;
  /** The random half of the charge's idempotency key (not card data). */
  chargeSecret: string | null;
  /** A vault token: only orders accepted before the one-call charge have one. */
  paymentToken: string | null;
  chargeAttempts: number;
  traceparent: string | null;
  /** The order as the first reply showed it (what a replay of the key answers). */
  reply: Order | null;
}

export type OutboxKind = 'commit_reservation' | 'release_reservation' | 'send_confirmation';

export interface OutboxTask {
  id: number;
  orderId: number;
  kind: OutboxKind;
  payload: Record<string, unknown>;
  attempts: number;
  traceparent: string | null;
}

/** The orders and their outbox, written in transactions (a state change and its tasks commit together). */
export interface OrderStore {
  /** Creates a pending order for `key`, or returns the one that key already made. */
  begin(
    key: string,
    requestHash: string,
    customerId: number,
    traceparent: string | null,
  ): { record: OrderRecord; created: boolean };
  find(id: number): OrderRecord | undefined;
  listByCustomer(customerId: number, limit: number, offset: number): { items: Order[]; total: number };
  setDetails(id: number, segment: string, items: OrderItem[], totalCents: number, currency: string): void;
  /** `retryAt`: when the recovery loop may first retry the charge if this request cannot finish it. */
  awaitPayment(id: number, chargeSecret: string, brand: string, last4: string, retryAt: number): boolean;
  /** Completed, with stock commit and (when `confirmation` is given) the confirmation queued. */
  complete(
    id: number,
    paymentId: number,
    confirmation: Record<string, unknown> | null,
    traceparent: string | null,
  ): boolean;
  /** Failed; when stock may be held, its release is queued in the same transaction. */
  fail(id: number, failure: OrderFailure, releaseStock: boolean, traceparent: string | null): boolean;
  cancel(id: number): boolean;
  scheduleChargeRetry(id: number, at: number): void;
  saveReply(id: number, order: Order): void;
  dueCharges(now: number, limit: number): OrderRecord[];
  stalePending(olderThan: Date, limit: number): OrderRecord[];
}
