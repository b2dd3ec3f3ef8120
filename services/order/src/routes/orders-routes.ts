import { context, propagation } from '@opentelemetry/api';
import { httpError, parseId, parseOrThrow } from '@vigil/service-kit';
import type { FastifyInstance } from 'fastify';
import type { Checkout } from '../domain/checkout.ts';
import {
  createOrderSchema,
  idempotencyKeySchema,
  listOrdersQuerySchema,
  type Order,
} from '../domain/order.ts';

/** HTTP status of an order's failure code (the domain knows codes, the routes know statuses). */
const FAILURE_STATUS: Record<string, number> = {
  CUSTOMER_NOT_FOUND: 422,
  PRODUCT_NOT_FOUND: 422,
  INSUFFICIENT_STOCK: 409,
  PAYMENT_DECLINED: 402,
  INVALID_PAYMENT_METHOD: 422,
  DEPENDENCY_UNAVAILABLE: 503,
  PAYMENT_INTERRUPTED: 503,
};

/** The reply to POST /orders for a placed order: 201 completed, 202 awaiting payment, else its failure. */
export function orderReply(order: Order): { status: number; body: unknown } {
  if (order.status === 'completed') return { status: 201, body: order };
  if (order.status === 'awaiting_payment') return { status: 202, body: order };
  const failure = order.failure ?? { code: 'ORDER_FAILED', message: 'the order failed' };
  return {
    status: FAILURE_STATUS[failure.code] ?? 422,
    body: { error: { code: failure.code, message: failure.message, details: { order } } },
  };
}

export function registerOrdersRoutes(app: FastifyInstance, checkout: Checkout): void {
  app.post('/orders', { config: { statuses: [201, 202] } }, async (request, reply) => {
    const rawKey = request.headers['idempotency-key'];
    if (rawKey === undefined)
      throw httpError(400, 'MISSING_IDEMPOTENCY_KEY', 'the Idempotency-Key header is required');
    const key = parseOrThrow(idempotencyKeySchema, rawKey, 'Idempotency-Key');
    const input = parseOrThrow(createOrderSchema, request.body);
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    const result = await checkout.place(key, input, carrier.traceparent ?? null);
    if (result.kind === 'key_reused')
      throw httpError(422, 'IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different order');
    if (result.kind === 'in_progress')
      throw httpError(409, 'ORDER_IN_PROGRESS', 'an order with this Idempotency-Key is still being placed');
    if (result.replayed) reply.header('idempotent-replayed', 'true');
    const { status, body } = orderReply(result.order);
    return reply.code(status).header('location', `/orders/${result.order.id}`).send(body);
  });

  app.get('/orders', async (request) => {
    const query = parseOrThrow(listOrdersQuerySchema, request.query, 'query');
    const page = checkout.list(query.customer_id, query.limit, query.offset);
    return { items: page.items, total: page.total, limit: query.limit, offset: query.offset };
  });

  app.get('/orders/:id', async (request) => {
    const id = parseId((request.params as { id?: string }).id);
    const order = checkout.find(id);
    if (!order) throw httpError(404, 'NOT_FOUND', `order ${id} not found`);
    return order;
  });

  app.post('/orders/:id/cancel', async (request) => {
    const id = parseId((request.params as { id?: string }).id);
    const result = await checkout.cancel(id);
    switch (result.kind) {
      case 'cancelled':
        return result.order;
      case 'not_found':
        throw httpError(404, 'NOT_FOUND', `order ${id} not found`);
      case 'not_cancellable':
        throw httpError(
          409,
          'ORDER_NOT_CANCELLABLE',
          `order ${id} is ${result.order.status}; only completed orders can be cancelled`,
        );
      case 'refund_refused':
        throw httpError(409, 'REFUND_REFUSED', `the payment could not be refunded (${result.code})`);
      case 'unavailable':
        throw httpError(503, 'DEPENDENCY_UNAVAILABLE', `${result.dependency} is unavailable`);
    }
  });
}
