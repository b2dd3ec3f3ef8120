import { createServiceApp, openDatabase, type SqliteDatabase } from '@vigil/service-kit';
import type { Telemetry } from '@vigil/telemetry';
import type { FastifyInstance } from 'fastify';
import { Gauge } from 'prom-client';
import { createInventoryRepository } from './adapters/inventory-repository.ts';
import { migrations } from './adapters/migrations.ts';
import { createProductsRepository } from './adapters/products-repository.ts';
import { registerInventoryRoutes } from './routes/inventory-routes.ts';
import { registerProductsRoutes } from './routes/products-routes.ts';
import { registerReservationsRoutes } from './routes/reservations-routes.ts';

export interface BuildAppOptions {
  telemetry: Telemetry;
  /** SQLite file (default `:memory:`, for tests). */
  databaseFile?: string;
  /** An already opened database (see openServiceDatabase); the app closes it on shutdown. */
  database?: SqliteDatabase;
}

/** Opens the service's SQLite file (`:memory:` in tests) with its migrations and seed data applied. */
export function openServiceDatabase(file: string): SqliteDatabase {
  return openDatabase(file, migrations);
}

/** The product-service app without a listening socket (tests drive it with app.inject). */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { telemetry } = options;
  const { app, db } = await createServiceApp({
    telemetry,
    database: options.database ?? { file: options.databaseFile ?? ':memory:', migrations },
  });
  const inventory = createInventoryRepository(db);
  // Read from the database at scrape time, so the gauge is right even when another process
  // (a second instance on the same file, an operator's sqlite3 session) changed the stock.
  new Gauge({
    name: 'inventory_level',
    help: 'Units on hand (not reserved) per product and warehouse.',
    labelNames: ['product_id', 'warehouse'],
    registers: [telemetry.registry],
    collect() {
      if (!db.open) return;
      for (const { product_id, warehouse, quantity } of inventory.allLevels()) {
        this.set({ product_id: String(product_id), warehouse }, quantity);
      }
    },
  });
  registerProductsRoutes(app, createProductsRepository(db));
  registerInventoryRoutes(app, inventory);
  registerReservationsRoutes(app, inventory);
  return app;
}
