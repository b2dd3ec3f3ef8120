import { httpError, parseId, parseOrThrow } from '@vigil/service-kit';
import type { FastifyInstance } from 'fastify';
import type { ProductsRepository } from '../adapters/products-repository.ts';
import { listProductsQuerySchema } from '../domain/product.ts';

export function registerProductsRoutes(app: FastifyInstance, repository: ProductsRepository): void {
  app.get('/products', async (request) => {
    const query = parseOrThrow(listProductsQuerySchema, request.query, 'query');
    const page = repository.list(query);
    return { items: page.items, total: page.total, limit: query.limit, offset: query.offset };
  });

  app.get('/products/:id', async (request) => {
    const id = parseId((request.params as { id?: string }).id);
    const product = repository.findById(id);
    if (!product) throw httpError(404, 'NOT_FOUND', `product ${id} not found`);
    return product;
  });
}
