import { httpError, isHttpError, type SqliteDatabase } from '@vigil/service-kit';
import {
  type Allocation,
  allocate,
  type InventoryAdjustment,
  type WarehouseLevel,
} from '../domain/inventory.ts';
import {
  type BatchItemResult,
  normalizeItems,
  type Reservation,
  type ReservationItem,
  type ReservationStatus,
  type ReserveRequest,
  sameItems,
} from '../domain/reservation.ts';

export interface StockLevel {
  product_id: number;
  warehouse: string;
  quantity: number;
}

export interface ProductInventory {
  product_id: number;
  /** Units on hand (not reserved) across warehouses. */
  available: number;
  /** Units held by active reservations across warehouses. */
  reserved: number;
  warehouses: Array<{ warehouse: string; available: number; reserved: number }>;
}

export interface AdjustResult {
  product_id: number;
  warehouse: string;
  delta: number;
  reason: string;
  quantity: number;
}

export interface ReserveResult {
  reservation: Reservation;
  /** False when an identical reservation for this order already existed (idempotent replay). */
  created: boolean;
}

export interface InventoryRepository {
  allLevels(): StockLevel[];
  forProduct(productId: number): ProductInventory | undefined;
  adjust(productId: number, adjustment: InventoryAdjustment): AdjustResult;
  reserve(request: ReserveRequest): ReserveResult;
  release(orderId: string): Reservation;
  commit(orderId: string): Reservation;
  /** Commits each reservation in one transaction; one that cannot commit does not stop the others. */
  commitMany(orderIds: readonly string[]): BatchItemResult[];
  findReservation(orderId: string): Reservation | undefined;
}

interface ReservationRow {
  order_id: string;
  status: ReservationStatus;
  created_at: string;
  updated_at: string;
}

interface ReservationItemRow {
  product_id: number;
  warehouse: string;
  quantity: number;
  name: string;
  category: string;
  price_cents: number;
  currency: string;
}

function insufficient(productId: number, requested: number, available: number) {
  return httpError(
    409,
    'INSUFFICIENT_STOCK',
    `product ${productId}: ${requested} requested, ${available} available`,
    { product_id: productId, requested, available },
  );
}

/**
 * Stock and reservations. Every change runs in one IMMEDIATE transaction (the write lock is taken
 * up front), so concurrent requests and processes serialize and stock can never go below zero;
 * a CHECK constraint backs that up.
 */
export function createInventoryRepository(db: SqliteDatabase): InventoryRepository {
  // All statements are prepared once at startup.
  const allLevels = db.prepare<[], StockLevel>(
    'SELECT product_id, warehouse, quantity FROM inventory ORDER BY product_id, warehouse',
  );
  const productExists = db.prepare<[number], number>('SELECT 1 FROM products WHERE id = ?').pluck();
  const warehouseExists = db.prepare<[string], number>('SELECT 1 FROM warehouses WHERE name = ?').pluck();
  const levelsOf = db.prepare<[number], WarehouseLevel>(
    'SELECT warehouse, quantity FROM inventory WHERE product_id = ? ORDER BY warehouse',
  );
  const reservedOf = db.prepare<[number], WarehouseLevel>(
    `SELECT ri.warehouse, sum(ri.quantity) AS quantity FROM reservation_items ri
     JOIN reservations r ON r.order_id = ri.order_id
     WHERE ri.product_id = ? AND r.status = 'reserved' GROUP BY ri.warehouse`,
  );
  const levelOf = db
    .prepare<[number, string], number>(
      'SELECT quantity FROM inventory WHERE product_id = ? AND warehouse = ?',
    )
    .pluck();
  const upsertLevel = db.prepare<[number, string, number]>(
    `INSERT INTO inventory (product_id, warehouse, quantity) VALUES (?, ?, ?)
     ON CONFLICT (product_id, warehouse) DO UPDATE SET quantity = excluded.quantity`,
  );
  const addToLevel = db.prepare<[number, number, string]>(
    'UPDATE inventory SET quantity = quantity + ? WHERE product_id = ? AND warehouse = ?',
  );
  const recordAdjustment = db.prepare<[number, string, number, string, number, string]>(
    `INSERT INTO inventory_adjustments (product_id, warehouse, delta, reason, quantity_after, created_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const reservationById = db.prepare<[string], ReservationRow>(
    'SELECT order_id, status, created_at, updated_at FROM reservations WHERE order_id = ?',
  );
  // Priced from the products table in the same read: the reservation answers what the order needs.
  const reservationItems = db.prepare<[string], ReservationItemRow>(
    `SELECT ri.product_id, ri.warehouse, ri.quantity, p.name, p.category, p.price_cents, p.currency
       FROM reservation_items ri JOIN products p ON p.id = ri.product_id
      WHERE ri.order_id = ? ORDER BY ri.product_id, ri.warehouse`,
  );
  const insertReservation = db.prepare<[string, string, string]>(
    `INSERT INTO reservations (order_id, status, created_at, updated_at) VALUES (?, 'reserved', ?, ?)`,
  );
  const insertReservationItem = db.prepare<[string, number, string, number]>(
    'INSERT INTO reservation_items (order_id, product_id, warehouse, quantity) VALUES (?, ?, ?, ?)',
  );
  const setReservationStatus = db.prepare<[ReservationStatus, string, string]>(
    'UPDATE reservations SET status = ?, updated_at = ? WHERE order_id = ?',
  );

  function loadReservation(orderId: string): Reservation | undefined {
    const row = reservationById.get(orderId);
    if (!row) return undefined;
    const items: ReservationItem[] = [];
    for (const {
      product_id,
      warehouse,
      quantity,
      name,
      category,
      price_cents,
      currency,
    } of reservationItems.all(orderId)) {
      let item = items.at(-1);
      if (item?.product_id !== product_id) {
        item = {
          product_id,
          quantity: 0,
          allocations: [],
          name,
          category,
          unit_price_cents: price_cents,
          currency,
        };
        items.push(item);
      }
      item.quantity += quantity;
      item.allocations.push({ warehouse, quantity });
    }
    return { ...row, items };
  }

  const adjustTx = db.transaction((productId: number, { warehouse, delta, reason }: InventoryAdjustment) => {
    if (!productExists.get(productId)) throw httpError(404, 'NOT_FOUND', `product ${productId} not found`);
    if (!warehouseExists.get(warehouse))
      throw httpError(404, 'NOT_FOUND', `warehouse ${warehouse} not found`);
    const current = levelOf.get(productId, warehouse) ?? 0;
    const quantity = current + delta;
    if (quantity < 0) throw insufficient(productId, -delta, current);
    upsertLevel.run(productId, warehouse, quantity);
    recordAdjustment.run(productId, warehouse, delta, reason, quantity, new Date().toISOString());
    return { product_id: productId, warehouse, delta, reason, quantity };
  });

  const reserveTx = db.transaction((request: ReserveRequest): ReserveResult => {
    const wanted = normalizeItems(request.items);
    const existing = loadReservation(request.order_id);
    if (existing) {
      if (!sameItems(existing.items, wanted)) {
        throw httpError(
          409,
          'IDEMPOTENCY_CONFLICT',
          `order ${request.order_id} already has a reservation with different items`,
        );
      }
      return { reservation: existing, created: false };
    }
    // Plan every item first: all-or-nothing, nothing is written unless every product has stock.
    const plan: Array<{ product_id: number; quantity: number; allocations: Allocation[] }> = [];
    for (const item of wanted) {
      if (!productExists.get(item.product_id)) {
        throw httpError(404, 'NOT_FOUND', `product ${item.product_id} not found`, {
          product_id: item.product_id,
        });
      }
      const levels = levelsOf.all(item.product_id);
      const allocations = allocate(levels, item.quantity);
      if (!allocations) {
        const available = levels.reduce((sum, level) => sum + level.quantity, 0);
        throw insufficient(item.product_id, item.quantity, available);
      }
      plan.push({ ...item, allocations });
    }
    const now = new Date().toISOString();
    insertReservation.run(request.order_id, now, now);
    for (const item of plan) {
      for (const { warehouse, quantity } of item.allocations) {
        addToLevel.run(-quantity, item.product_id, warehouse);
        insertReservationItem.run(request.order_id, item.product_id, warehouse, quantity);
      }
    }
    // Read back so a replay returns exactly the document this first answer did.
    return { reservation: loadReservation(request.order_id)!, created: true };
  });

  const transitionTx = db.transaction((orderId: string, to: 'released' | 'committed') => {
    const reservation = loadReservation(orderId);
    if (!reservation) throw httpError(404, 'NOT_FOUND', `no reservation for order ${orderId}`);
    if (reservation.status === to) return reservation;
    if (reservation.status !== 'reserved') {
      throw httpError(
        409,
        reservation.status === 'committed' ? 'RESERVATION_COMMITTED' : 'RESERVATION_RELEASED',
        `reservation for order ${orderId} is already ${reservation.status}`,
      );
    }
    if (to === 'released') {
      for (const item of reservation.items) {
        for (const { warehouse, quantity } of item.allocations)
          addToLevel.run(quantity, item.product_id, warehouse);
      }
    }
    const now = new Date().toISOString();
    setReservationStatus.run(to, now, orderId);
    return { ...reservation, status: to, updated_at: now };
  });

  // Each item is a savepoint of the one transaction (a nested better-sqlite3 transaction): a refused
  // item rolls back alone.
  const commitManyTx = db.transaction((orderIds: readonly string[]): BatchItemResult[] =>
    orderIds.map((orderId) => {
      try {
        transitionTx(orderId, 'committed');
        return { order_id: orderId, status: 'committed' as const };
      } catch (err) {
        if (!isHttpError(err)) throw err;
        return { order_id: orderId, error: { code: err.code, status: err.statusCode } };
      }
    }),
  );

  return {
    allLevels: () => allLevels.all(),
    forProduct(productId) {
      if (!productExists.get(productId)) return undefined;
      const reserved = new Map(reservedOf.all(productId).map((r) => [r.warehouse, r.quantity]));
      const warehouses = levelsOf.all(productId).map(({ warehouse, quantity }) => ({
        warehouse,
        available: quantity,
        reserved: reserved.get(warehouse) ?? 0,
      }));
      return {
        product_id: productId,
        available: warehouses.reduce((sum, w) => sum + w.available, 0),
        reserved: warehouses.reduce((sum, w) => sum + w.reserved, 0),
        warehouses,
      };
    },
    adjust: (productId, adjustment) => adjustTx.immediate(productId, adjustment),
    reserve: (request) => reserveTx.immediate(request),
    release: (orderId) => transitionTx.immediate(orderId, 'released'),
    commit: (orderId) => transitionTx.immediate(orderId, 'committed'),
    commitMany: (orderIds) => commitManyTx.immediate(orderIds),
    findReservation: loadReservation,
  };
}
