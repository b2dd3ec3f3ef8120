import { httpError, parseOrThrow } from '@vigil/service-kit';
import type { FastifyInstance } from 'fastify';
import type { InventoryRepository } from '../adapters/inventory-repository.ts';
import { orderIdSchema, reserveSchema } from '../domain/reservation.ts';

function orderIdParam(params: unknown): string {
  const result = orderIdSchema.safeParse((params as { order_id?: unknown }).order_id);
  if (!result.success)
    throw httpError(400, 'INVALID_ID', 'order_id must be 1-64 characters of letters, digits, . _ : -');
  return result.data;
}

export function registerReservationsRoutes(app: FastifyInstance, repository: InventoryRepository): void {
  app.post('/inventory/reservations', async (request, reply) => {
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

  app.post('/inventory/reservations/:order_id/commit', async (request) => {
    const reservation = repository.commit(orderIdParam(request.params));
    request.log.info({ event: 'stock_committed', order_id: reservation.order_id }, 'reservation committed');
    return reservation;
  });
}
