import type { SqliteDatabase } from '@vigil/service-kit';
import type { ListProductsQuery, Product } from '../domain/product.ts';

export interface ProductsRepository {
  list(query: ListProductsQuery): { items: Product[]; total: number };
  findById(id: number): Product | undefined;
}

// The row is already the response shape, so GET /products/:id does no per-request mapping.
const COLUMNS = 'id, sku, name, category, price_cents, price_cents / 100.0 AS price, currency';

export function createProductsRepository(db: SqliteDatabase): ProductsRepository {
  // Prepared once at startup: GET /products/:id is the benchmarked hot path.
  const byId = db.prepare<[number], Product>(`SELECT ${COLUMNS} FROM products WHERE id = ?`);
  const listAll = db.prepare<[number, number], Product>(
    `SELECT ${COLUMNS} FROM products ORDER BY id LIMIT ? OFFSET ?`,
  );
  const listByCategory = db.prepare<[string, number, number], Product>(
    `SELECT ${COLUMNS} FROM products WHERE category = ? ORDER BY id LIMIT ? OFFSET ?`,
  );
  const countAll = db.prepare<[], number>('SELECT count(*) FROM products').pluck();
  const countByCategory = db
    .prepare<[string], number>('SELECT count(*) FROM products WHERE category = ?')
    .pluck();

  return {
    list({ limit, offset, category }) {
      if (category) {
        return {
          items: listByCategory.all(category, limit, offset),
          total: countByCategory.get(category) ?? 0,
        };
      }
      return { items: listAll.all(limit, offset), total: countAll.get() ?? 0 };
    },
    findById: (id) => byId.get(id),
  };
}
