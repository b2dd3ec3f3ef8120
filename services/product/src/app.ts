import { createServiceApp, openDatabase } from '@vigil/service-kit';
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
  /** SQLite file, or `:memory:` in tests. */
  databaseFile: string;
}

/** The product-service app without a listening socket (tests drive it with app.inject). */
export async function buildApp({ telemetry, databaseFile }: BuildAppOptions): Promise<FastifyInstance> {
  const db = openDatabase(databaseFile, migrations);
  try {
    const app = await createServiceApp({ telemetry });
    app.addHook('onClose', async () => {
      db.close();
    });
    const ping = db.prepare('SELECT 1');
    telemetry.health.addCheck('database', () => {
      ping.get();
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
  } catch (err) {
    db.close();
    throw err;
  }
}
