import { createHash } from 'node:crypto';
import { cardSchema } from '@vigil/card';
import { z } from 'zod';

export const ORDER_STATUSES = ['pending', 'awaiting_payment', 'completed', 'failed', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Allowed moves of the order state machine; anything else is a bug. */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['awaiting_payment', 'failed'],
  awaiting_payment: ['completed', 'failed'],
  completed: ['cancelled'],
  failed: [],
  cancelled: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export const FUNNEL_STEPS = ['cart', 'shipping', 'payment', 'confirmation'] as const;
export type FunnelStep = (typeof FUNNEL_STEPS)[number];

export interface OrderItem {
  product_id: number;
  name: string;
  /** The product's category (absent on orders stored before it was recorded). */
  category?: string;
  quantity: number;
  unit_price_cents: number;
}

export interface OrderFailure {
  code: string;
  message: string;
}

export interface Order {
  id: number;
  status: OrderStatus;
  customer_id: number;
  items: OrderItem[];
  total_cents: number;
  total: number;
  currency: string;
  payment: { id: number | null; brand: string | null; last4: string | null };
  failure: OrderFailure | null;
  created_at: string;
  updated_at: string;
}

const positiveId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const createOrderSchema = z.strictObject({
  customer_id: positiveId,
  items: z
    .array(z.strictObject({ product_id: positiveId, quantity: z.number().int().min(1).max(100) }))
    .min(1, 'must list at least one item')
    .max(50, 'must list at most 50 items')
    .refine(
      (items) => new Set(items.map((i) => i.product_id)).size === items.length,
      'must not list the same product twice',
    ),
  // The one card schema (@vigil/card): a typo in the number never reserves stock.
  payment_method: cardSchema,
});

export type CreateOrderRequest = z.output<typeof createOrderSchema>;

export const idempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be 1-128 characters of letters, digits, . _ : -');

export const listOrdersQuerySchema = z.strictObject({
  customer_id: z
    .string()
    .regex(/^[1-9][0-9]{0,14}$/, 'must be a positive integer')
    .transform(Number),
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, 'must be an integer between 1 and 100')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 100, 'must be an integer between 1 and 100')
    .default(20),
  offset: z
    .string()
    .regex(/^[0-9]{1,7}$/, 'must be an integer between 0 and 1000000')
    .transform(Number)
    .default(0),
});

export function totalCents(items: readonly OrderItem[]): number {
  return items.reduce((sum, item) => sum + item.quantity * item.unit_price_cents, 0);
}

/** Fingerprint of what a key was first used for (no card number: last four and expiry only). */
export function requestHash(input: CreateOrderRequest): string {
  const card = input.payment_method;
  return createHash('sha256')
    .update(
      JSON.stringify([
        input.customer_id,
        input.items.map((i) => [i.product_id, i.quantity]),
        card.card_number.slice(-4),
        card.exp_month,
        card.exp_year,
      ]),
    )
    .digest('hex');
}
