import { z } from 'zod';
import type { Allocation } from './inventory.ts';

export type ReservationStatus = 'reserved' | 'released' | 'committed';

export interface ReservationItem {
  product_id: number;
  quantity: number;
  allocations: Allocation[];
  /** The product as it is priced now, so the caller needs no GET /products/:id per item. */
  name: string;
  /** Its catalogue category (order-service labels its business metrics with it). */
  category: string;
  unit_price_cents: number;
  currency: string;
}

export interface Reservation {
  order_id: string;
  status: ReservationStatus;
  items: ReservationItem[];
  created_at: string;
  updated_at: string;
}

export const orderIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'must be 1-64 characters of letters, digits, . _ : -');

export const reserveSchema = z.object({
  // Order ids may arrive as integers from callers that number orders; they are stored as text.
  order_id: z.union([
    orderIdSchema,
    z.number().int().positive().max(Number.MAX_SAFE_INTEGER).transform(String),
  ]),
  items: z
    .array(
      z.object({
        product_id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
        quantity: z.number().int().min(1).max(10_000),
      }),
    )
    .min(1, 'must list at least one item')
    .max(100, 'must list at most 100 items'),
});

export type ReserveRequest = z.output<typeof reserveSchema>;

export interface RequestedItem {
  product_id: number;
  quantity: number;
}

/** Merges repeated products and orders by product id, so equal requests compare equal. */
export function normalizeItems(items: readonly RequestedItem[]): RequestedItem[] {
  const byProduct = new Map<number, number>();
  for (const item of items)
    byProduct.set(item.product_id, (byProduct.get(item.product_id) ?? 0) + item.quantity);
  return [...byProduct.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([product_id, quantity]) => ({ product_id, quantity }));
}

export function sameItems(a: readonly RequestedItem[], b: readonly RequestedItem[]): boolean {
  return (
    a.length === b.length &&
    a.every((item, i) => item.product_id === b[i]?.product_id && item.quantity === b[i]?.quantity)
  );
}

/**
 * Many reservations committed in one call (order-service's outbox sends one per sweep). Each item may
 * carry the W3C traceparent of its order, so what is logged about it stays in that order's trace.
 */
export const commitBatchSchema = z.strictObject({
  items: z
    .array(
      z.strictObject({
        order_id: z.union([
          orderIdSchema,
          z.number().int().positive().max(Number.MAX_SAFE_INTEGER).transform(String),
        ]),
        traceparent: z
          .string()
          .regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, 'must be a W3C traceparent')
          .optional(),
      }),
    )
    .min(1, 'must list at least one reservation')
    .max(100, 'must list at most 100 reservations')
    .refine(
      (items) => new Set(items.map((i) => i.order_id)).size === items.length,
      'must not list the same order twice',
    ),
});

/** One reservation's result in a batch: committed (also when it already was), or why not. */
export type BatchItemResult =
  | { order_id: string; status: 'committed' }
  | { order_id: string; error: { code: string; status: number } };
