import {
  type ChargeAnswer,
  type ChargeRequest,
  type Confirmation,
  type ConfirmationSender,
  type CustomerDirectory,
  DependencyUnavailable,
  type Inventory,
  type Payments,
  type RefundAnswer,
  Refused,
  type Reservation,
  type ReservedItem,
} from '../domain/ports.ts';
import type { ServiceClient } from './service-client.ts';

// The checkout's ports over HTTP: each maps one service's answers to the domain's terms.

interface ErrorBody {
  error?: { code?: unknown; details?: Record<string, unknown> };
}

function errorCode(body: unknown, status: number): string {
  const code = (body as ErrorBody | null)?.error?.code;
  return typeof code === 'string' ? code : String(status);
}

/** user-service: GET /users/:id. */
export function httpCustomerDirectory(users: ServiceClient): CustomerDirectory {
  return {
    async find(customerId) {
      const res = await users.call<{ segment?: unknown; email?: unknown; name?: unknown }>(
        'GET',
        `/users/${customerId}`,
        { idempotent: true },
      );
      if (res.status !== 200) return null;
      const { segment, email, name } = res.body;
      return {
        segment: typeof segment === 'string' ? segment : 'unknown',
        contact:
          typeof email === 'string'
            ? { to: email, name: typeof name === 'string' ? name.slice(0, 100) : null }
            : null,
      };
    },
  };
}

type BatchAnswer = { status?: unknown; id?: unknown; error?: { code?: unknown } };

/**
 * One call for a sweep's items (each with its order's traceparent), answered item by item: null when
 * `done(item)`, otherwise a `Refused` naming the item's code. A non-200 refuses them all.
 */
async function batchCall(
  client: ServiceClient,
  path: string,
  items: ReadonlyArray<{ body: Record<string, unknown>; trace: string | null }>,
  done: (answer: BatchAnswer | undefined) => boolean,
): Promise<Array<Refused | null>> {
  const res = await client.call<{ items?: BatchAnswer[] }>('POST', path, {
    body: { items: items.map(({ body, trace }) => ({ ...body, ...(trace ? { traceparent: trace } : {}) })) },
    idempotent: true,
  });
  // No such route: a callee older than this caller (a rolling deploy). Retried, never dead-lettered.
  if (res.status === 404)
    throw new DependencyUnavailable(client.name, 'unavailable', ` (${path} answered 404)`);
  if (res.status !== 200) throw new Refused(`${path} answered ${res.status}`);
  return items.map((_, i) => {
    const answer = res.body.items?.[i];
    return done(answer) ? null : new Refused(`${path} answered ${String(answer?.error?.code ?? 'nothing')}`);
  });
}

/** product-service: reservations under /inventory/reservations, keyed by the order id. */
export function httpInventory(products: ServiceClient): Inventory {
  return {
    commitMany: (orders) =>
      batchCall(
        products,
        '/inventory/reservations/commit',
        orders.map(({ orderId, trace }) => ({ body: { order_id: String(orderId) }, trace })),
        (answer) => answer?.status === 'committed',
      ),
    async reserve(orderId, items): Promise<Reservation> {
      const res = await products.call<{ items?: ReservedItem[] }>('POST', '/inventory/reservations', {
        body: {
          order_id: String(orderId),
          items: items.map((i) => ({ product_id: i.product_id, quantity: i.quantity })),
        },
        idempotent: true,
      });
      if (res.status === 409 && errorCode(res.body, 409) === 'INSUFFICIENT_STOCK')
        return { kind: 'insufficient_stock' };
      if (res.status === 404) {
        const productId = (res.body as ErrorBody | null)?.error?.details?.product_id;
        return { kind: 'product_not_found', productId: typeof productId === 'number' ? productId : null };
      }
      if (res.status >= 300) return { kind: 'rejected' };
      return { kind: 'reserved', items: res.body.items ?? [] };
    },
    async release(orderId) {
      const res = await products.call('POST', `/inventory/reservations/${orderId}/release`, {
        idempotent: true,
      });
      // Nothing was reserved (the reservation itself failed): nothing to release.
      if (res.status === 404) return;
      if (res.status >= 300) throw new Refused(`release answered ${res.status}`);
    },
  };
}

/** payment-service: one call (/payments) vaults the card and charges it. */
export function httpPayments(payments: ServiceClient): Payments {
  return {
    async charge(request: ChargeRequest): Promise<ChargeAnswer> {
      const method = request.method;
      const res = await payments.call<{ id: number }>('POST', '/payments', {
        headers: { 'idempotency-key': request.key },
        body: {
          order_id: String(request.orderId),
          amount_cents: request.amountCents,
          currency: request.currency,
          ...(method === null
            ? {}
            : 'card' in method
              ? { card: method.card }
              : { payment_method_token: method.token }),
        },
        // The idempotency key makes the retry safe.
        idempotent: true,
      });
      if (res.status === 201 || res.status === 200) return { kind: 'charged', paymentId: res.body.id };
      if (res.status === 409) return { kind: 'in_progress' };
      if (res.status === 402) {
        const reason = (res.body as ErrorBody | null)?.error?.details?.payment as
          | { decline_reason?: unknown }
          | undefined;
        return {
          kind: 'declined',
          reason: typeof reason?.decline_reason === 'string' ? reason.decline_reason : null,
        };
      }
      const code = errorCode(res.body, res.status);
      if (code === 'CHARGE_NOT_STARTED') return { kind: 'not_started' };
      return { kind: 'refused', code };
    },
    async refund(paymentId: number): Promise<RefundAnswer> {
      const res = await payments.call('POST', `/payments/${paymentId}/refund`, { idempotent: true });
      return res.status === 200 ? { kind: 'refunded' } : { kind: 'refused', code: String(res.status) };
    },
  };
}

/** The confirmation e-mail of an order, as notification-service takes it. */
function confirmationBody({ to, name, order }: Confirmation) {
  return {
    channel: 'email',
    template: 'order_confirmation',
    to,
    data: {
      order_id: order.id,
      ...(name ? { customer_name: name } : {}),
      total_cents: order.total_cents,
      currency: order.currency,
      // Only the fields a confirmation shows: notification-service accepts no others (strict schema).
      items: order.items.map(({ product_id, name, quantity, unit_price_cents }) => ({
        product_id,
        name,
        quantity,
        unit_price_cents,
      })),
    },
  };
}

/** One confirmation per order: its idempotency key. */
const confirmationKey = (orderId: number) => `order-${orderId}-confirmation`;

/** notification-service: POST /notifications/batch, a sweep's confirmations at once (one key per order). */
export function httpConfirmations(notifications: ServiceClient): ConfirmationSender {
  return {
    sendMany: (confirmations) =>
      batchCall(
        notifications,
        '/notifications/batch',
        confirmations.map(({ confirmation, trace }) => ({
          body: {
            idempotency_key: confirmationKey(confirmation.order.id),
            notification: confirmationBody(confirmation),
          },
          trace,
        })),
        (answer) => typeof answer?.id === 'number',
      ),
  };
}
