import { httpError, parseId, parseOrThrow } from '@vigil/service-kit';
import type { FastifyInstance } from 'fastify';
import type { InventoryRepository } from '../adapters/inventory-repository.ts';
import { adjustInventorySchema } from '../domain/inventory.ts';

export function registerInventoryRoutes(app: FastifyInstance, repository: InventoryRepository): void {
  app.get('/products/:id/inventory', async (request) => {
    const id = parseId((request.params as { id?: string }).id);
    const inventory = repository.forProduct(id);
    if (!inventory) throw httpError(404, 'NOT_FOUND', `product ${id} not found`);
    return inventory;
  });

  app.post('/products/:id/inventory/adjust', async (request) => {
    const id = parseId((request.params as { id?: string }).id);
    const adjustment = parseOrThrow(adjustInventorySchema, request.body);
    const result = repository.adjust(id, adjustment);
    request.log.info({ event: 'inventory_adjusted', ...result }, 'inventory adjusted');
    return result;
  });
}
