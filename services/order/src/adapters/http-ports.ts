import {
  type ChargeAnswer,
  type ChargeRequest,
  type ConfirmationSender,
  type CustomerDirectory,
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

/** product-service: reservations under /inventory/reservations, keyed by the order id. */
export function httpInventory(products: ServiceClient): Inventory {
  async function settle(orderId: number, action: 'commit' | 'release'): Promise<void> {
    const res = await products.call('POST', `/inventory/reservations/${orderId}/${action}`, {
      idempotent: true,
    });
    // Nothing was reserved (the reservation itself failed): nothing to release.
    if (res.status === 404 && action === 'release') return;
    if (res.status >= 300) throw new Refused(`${action} answered ${res.status}`);
  }
  return {
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
    commit: (orderId) => settle(orderId, 'commit'),
    release: (orderId) => settle(orderId, 'release'),
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

/** notification-service: POST /notifications, one confirmation per order (idempotency key). */
export function httpConfirmations(notifications: ServiceClient): ConfirmationSender {
  return {
    async send({ to, name, order }) {
      const res = await notifications.call('POST', '/notifications', {
        headers: { 'idempotency-key': `order-${order.id}-confirmation` },
        body: {
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
        },
        idempotent: true,
      });
      if (res.status !== 202) throw new Refused(`notification answered ${res.status}`);
    },
  };
}
