import {
  CARD_BRANDS,
  CUSTOMER_SEGMENTS,
  categoryLabel,
  PRODUCT_CATEGORIES,
  type ProductCategoryLabel,
} from '@vigil/service-kit';
import { FUNNEL_STEPS, type OrderItem } from './order.ts';

/**
 * How complex an order is to place, by its number of distinct items (each one a line to price,
 * reserve and later commit): `simple` = 1, `standard` = 2-5, `complex` = 6 or more.
 */
export const COMPLEXITIES = ['simple', 'standard', 'complex'] as const;
export type Complexity = (typeof COMPLEXITIES)[number];

export function complexity(itemCount: number): Complexity {
  if (itemCount <= 1) return 'simple';
  return itemCount <= 5 ? 'standard' : 'complex';
}

/**
 * The category an order is counted under: that of its largest line (quantity x unit price; the
 * first such line on a tie), so each order counts once and the per-category sums add up to the
 * total.
 */
export function primaryCategory(
  items: readonly Pick<OrderItem, 'category' | 'quantity' | 'unit_price_cents'>[],
) {
  let best: (typeof items)[number] | undefined;
  for (const item of items) {
    if (!best || item.quantity * item.unit_price_cents > best.quantity * best.unit_price_cents) best = item;
  }
  return categoryLabel(best?.category);
}

export interface CreatedLabels {
  product_category: ProductCategoryLabel;
  payment_method: string;
  customer_segment: string;
}

export interface ValueLabels {
  product_category: ProductCategoryLabel;
  customer_segment: string;
}

/** Final statuses a placement can answer with. */
export const PLACEMENT_STATUSES = ['completed', 'awaiting_payment', 'failed'] as const;

/** Outcome of a checkout above the high-value threshold once it reached payment. */
export const HIGH_VALUE_OUTCOMES = ['completed', 'payment_failed'] as const;
export type HighValueOutcome = (typeof HIGH_VALUE_OUTCOMES)[number];

const SEGMENTS = [...CUSTOMER_SEGMENTS, 'unknown'];

/** Label values exported at 0 from start-up (docs/telemetry.md, "Business metrics"). */
export const KNOWN_LABELS = {
  created: { product_category: PRODUCT_CATEGORIES, payment_method: CARD_BRANDS, customer_segment: SEGMENTS },
  value: { product_category: PRODUCT_CATEGORIES, customer_segment: SEGMENTS },
  funnel: { step: FUNNEL_STEPS, status: ['success', 'failure'] },
  duration: { complexity: COMPLEXITIES, status: PLACEMENT_STATUSES },
  highValue: { outcome: HIGH_VALUE_OUTCOMES },
} as const;
