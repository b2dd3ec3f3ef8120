import { z } from 'zod';

export const ADJUSTMENT_REASONS = ['restock', 'correction', 'damaged', 'returned', 'audit'] as const;

export const warehouseSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a lowercase warehouse slug');

export const adjustInventorySchema = z.object({
  warehouse: warehouseSchema,
  delta: z
    .number()
    .int()
    .min(-1_000_000)
    .max(1_000_000)
    .refine((n) => n !== 0, 'must not be 0'),
  reason: z.enum(ADJUSTMENT_REASONS),
});

export type InventoryAdjustment = z.output<typeof adjustInventorySchema>;

export interface WarehouseLevel {
  warehouse: string;
  quantity: number;
}

export interface Allocation {
  warehouse: string;
  quantity: number;
}

/**
 * Splits `quantity` across warehouses, fullest first (ties by name) so stock drains evenly.
 * Returns undefined when the warehouses together hold too little.
 */
export function allocate(levels: readonly WarehouseLevel[], quantity: number): Allocation[] | undefined {
  const sorted = [...levels].sort(
    (a, b) => b.quantity - a.quantity || a.warehouse.localeCompare(b.warehouse),
  );
  const allocations: Allocation[] = [];
  let remaining = quantity;
  for (const level of sorted) {
    if (remaining === 0) break;
    const take = Math.min(level.quantity, remaining);
    if (take > 0) {
      allocations.push({ warehouse: level.warehouse, quantity: take });
      remaining -= take;
    }
  }
  return remaining === 0 ? allocations : undefined;
}
