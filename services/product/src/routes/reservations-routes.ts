import { context, propagation } from '@opentelemetry/api';
import { httpError, parseOrThrow } from '@vigil/service-kit';
import type { FastifyInstance } from 'fastify';
import type { InventoryRepository } from '../adapters/inventory-repository.ts';
import { commitBatchSchema, orderIdSchema, reserveSchema } from '../domain/reservation.ts';

function orderIdParam(params: unknown): string {
  const result = orderIdSchema.safeParse((params as { order_id?: unknown }).order_id);
  if (!result.success)
    throw httpError(400, 'INVALID_ID', 'order_id must be 1-64 characters of letters, digits, . _ : -');
  return result.data;
}

export function registerReservationsRoutes(app: FastifyInstance, repository: InventoryRepository): void {
  app.post('/inventory/reservations', { config: { statuses: [200, 201] } }, async (request, reply) => {
    const input = parseOrThrow(reserveSchema, request.body);
    const { reservation, created } = repository.reserve(input);
    if (created) {
      request.log.info(
        { event: 'stock_reserved', order_id: reservation.order_id, items: reservation.items.length },
        'stock reserved',
      );
    }
    return reply.code(created ? 201 : 200).send(reservation);
  });

  app.get('/inventory/reservations/:order_id', async (request) => {
    const orderId = orderIdParam(request.params);
    const reservation = repository.findReservation(orderId);
    if (!reservation) throw httpError(404, 'NOT_FOUND', `no reservation for order ${orderId}`);
    return reservation;
  });

  app.post('/inventory/reservations/:order_id/release', async (request) => {
    const reservation = repository.release(orderIdParam(request.params));
    request.log.info({ event: 'stock_released', order_id: reservation.order_id }, 'reservation released');
    return reservation;
  });

  // Internal (the gateway does not route it): order-service's outbox commits a sweep's reservations in one call.
  app.post('/inventory/reservations/commit', async (request) => {
    const { items } = parseOrThrow(commitBatchSchema, request.body);
    const results = repository.commitMany(items.map((item) => item.order_id));
    results.forEach((result, i) => {
      if (!('status' in result)) return;
      // Logged in the trace of the order it belongs to, not the batch's.
      const traceparent = items[i]!.traceparent;
      const log = () =>
        request.log.info({ event: 'stock_committed', order_id: result.order_id }, 'reservation committed');
      if (traceparent) context.with(propagation.extract(context.active(), { traceparent }), log);
      else log();
    });
    return { items: results };
  });

  app.post('/inventory/reservations/:order_id/commit', async (request) => {
    const reservation = repository.commit(orderIdParam(request.params));
    request.log.info({ event: 'stock_committed', order_id: reservation.order_id }, 'reservation committed');
    return reservation;
  });
}
