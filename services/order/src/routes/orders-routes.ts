import { context, propagation } from '@opentelemetry/api';
import { httpError, parseId, parseOrThrow } from '@vigil/service-kit';
import type { FastifyInstance } from 'fastify';
import type { OrdersRepository } from '../adapters/orders-repository.ts';
import { DependencyError, type ServiceClient } from '../adapters/service-client.ts';
import type { Checkout } from '../domain/checkout.ts';
import { createOrderSchema, idempotencyKeySchema, listOrdersQuerySchema } from '../domain/order.ts';

export interface OrdersRoutesOptions {
  repository: OrdersRepository;
  checkout: Checkout;
  payments: ServiceClient;
}

export function registerOrdersRoutes(app: FastifyInstance, options: OrdersRoutesOptions): void {
  const { repository, checkout } = options;

  app.post('/orders', async (request, reply) => {
    const rawKey = request.headers['idempotency-key'];
    if (rawKey === undefined)
      throw httpError(400, 'MISSING_IDEMPOTENCY_KEY', 'the Idempotency-Key header is required');
    const key = parseOrThrow(idempotencyKeySchema, rawKey, 'Idempotency-Key');
    const input = parseOrThrow(createOrderSchema, request.body);
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    const result = await checkout.place(key, input, carrier.traceparent ?? null);
    if ((result as { replayed?: boolean }).replayed) reply.header('idempotent-replayed', 'true');
    const order = (result.body as { id?: number }).id;
    if (typeof order === 'number') reply.header('location', `/orders/${order}`);
    return reply.code(result.status).send(result.body);
  });

  app.get('/orders', async (request) => {
    const query = parseOrThrow(listOrdersQuerySchema, request.query, 'query');
    const page = repository.listByCustomer(query.customer_id, query.limit, query.offset);
    return { items: page.items, total: page.total, limit: query.limit, offset: query.offset };
  });

  app.get('/orders/:id', async (request) => {
    const id = parseId((request.params as { id?: string }).id);
    const record = repository.find(id);
    if (!record) throw httpError(404, 'NOT_FOUND', `order ${id} not found`);
    return record.order;
  });

  app.post('/orders/:id/cancel', async (request) => {
    const id = parseId((request.params as { id?: string }).id);
    const record = repository.find(id);
    if (!record) throw httpError(404, 'NOT_FOUND', `order ${id} not found`);
    const { order } = record;
    if (order.status === 'cancelled') return order;
    if (order.status !== 'completed' || order.payment.id === null) {
      throw httpError(
        409,
        'ORDER_NOT_CANCELLABLE',
        `order ${id} is ${order.status}; only completed orders can be cancelled`,
      );
    }
    try {
      const res = await options.payments.call('POST', `/payments/${order.payment.id}/refund`, {
        idempotent: true,
      });
      if (res.status !== 200)
        throw httpError(409, 'REFUND_REFUSED', `the payment could not be refunded (${res.status})`);
    } catch (err) {
      if (err instanceof DependencyError)
        throw httpError(503, 'DEPENDENCY_UNAVAILABLE', `${err.dependency} is unavailable`);
      throw err;
    }
    repository.cancel(id);
    request.log.info({ event: 'order_cancelled', order_id: id }, 'order cancelled and refunded');
    return repository.find(id)!.order;
  });
}
