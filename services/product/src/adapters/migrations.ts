import type { Migration } from '@vigil/service-kit';

export const WAREHOUSES = ['us-east', 'us-west', 'eu-central'] as const;

// [sku, name, category, price in cents]
const SEED_PRODUCTS: ReadonlyArray<[string, string, string, number]> = [
  ['ELEC-0001', 'Wireless Mouse', 'electronics', 2499],
  ['ELEC-0002', 'Mechanical Keyboard', 'electronics', 8999],
  ['ELEC-0003', 'USB-C Hub', 'electronics', 3999],
  ['ELEC-0004', 'Noise-Cancelling Headphones', 'electronics', 19999],
  ['ELEC-0005', '27-inch Monitor', 'electronics', 27999],
  ['BOOK-0001', 'Site Reliability Engineering', 'books', 4499],
  ['BOOK-0002', 'Observability Engineering', 'books', 4999],
  ['BOOK-0003', 'Designing Data-Intensive Applications', 'books', 5299],
  ['BOOK-0004', 'The Pragmatic Programmer', 'books', 3999],
  ['HOME-0001', 'Coffee Grinder', 'home', 5999],
  ['HOME-0002', 'Desk Lamp', 'home', 3499],
  ['HOME-0003', 'Ergonomic Chair', 'home', 24999],
  ['HOME-0004', 'Standing Desk Mat', 'home', 4999],
  ['OUTD-0001', 'Trail Backpack', 'outdoor', 7999],
  ['OUTD-0002', 'Insulated Water Bottle', 'outdoor', 2999],
  ['OUTD-0003', 'Camping Lantern', 'outdoor', 3299],
  ['TOYS-0001', 'Building Blocks Set', 'toys', 4999],
  ['TOYS-0002', 'Puzzle 1000 Pieces', 'toys', 1999],
  ['TOYS-0003', 'Remote Control Car', 'toys', 6999],
  ['TOYS-0004', 'Board Game Classic', 'toys', 2999],
];

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'create products and inventory',
    up: `CREATE TABLE products (
      id INTEGER PRIMARY KEY,
      sku TEXT NOT NULL UNIQUE,
      name TEXT NOT NULL,
      category TEXT NOT NULL,
      price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
      currency TEXT NOT NULL DEFAULT 'USD'
    );
    CREATE INDEX products_by_category ON products (category, id);
    CREATE TABLE warehouses (name TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TABLE inventory (
      product_id INTEGER NOT NULL REFERENCES products (id),
      warehouse TEXT NOT NULL REFERENCES warehouses (name),
      quantity INTEGER NOT NULL CHECK (quantity >= 0),
      PRIMARY KEY (product_id, warehouse)
    ) WITHOUT ROWID;
    CREATE TABLE inventory_adjustments (
      id INTEGER PRIMARY KEY,
      product_id INTEGER NOT NULL REFERENCES products (id),
      warehouse TEXT NOT NULL REFERENCES warehouses (name),
      delta INTEGER NOT NULL,
      reason TEXT NOT NULL,
      quantity_after INTEGER NOT NULL,
      created_at TEXT NOT NULL
    );`,
  },
  {
    version: 2,
    name: 'create reservations',
    up: `CREATE TABLE reservations (
      order_id TEXT PRIMARY KEY,
      status TEXT NOT NULL CHECK (status IN ('reserved', 'released', 'committed')),
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE reservation_items (
      order_id TEXT NOT NULL REFERENCES reservations (order_id),
      product_id INTEGER NOT NULL REFERENCES products (id),
      warehouse TEXT NOT NULL REFERENCES warehouses (name),
      quantity INTEGER NOT NULL CHECK (quantity > 0),
      PRIMARY KEY (order_id, product_id, warehouse)
    ) WITHOUT ROWID;
    CREATE INDEX reservation_items_by_product ON reservation_items (product_id);`,
  },
  {
    version: 3,
    name: 'seed products and inventory',
    up: (db) => {
      const insertWarehouse = db.prepare('INSERT INTO warehouses (name) VALUES (?)');
      for (const warehouse of WAREHOUSES) insertWarehouse.run(warehouse);
      const insertProduct = db.prepare(
        'INSERT INTO products (sku, name, category, price_cents) VALUES (?, ?, ?, ?) RETURNING id',
      );
      const insertStock = db.prepare(
        'INSERT INTO inventory (product_id, warehouse, quantity) VALUES (?, ?, ?)',
      );
      for (const [sku, name, category, cents] of SEED_PRODUCTS) {
        const { id } = insertProduct.get(sku, name, category, cents) as { id: number };
        // Deterministic, uneven stock so allocation across warehouses is exercised.
        WAREHOUSES.forEach((warehouse, i) => {
          insertStock.run(id, warehouse, ((id * 37 + i * 53) % 90) + 10);
        });
      }
    },
  },
];
