// The values business metrics may carry as labels. Each list is closed (anything else is
// reported as its catch-all), so every combination can be exported at 0 from start-up and the
// label sets stay bounded (docs/telemetry.md, "Business metrics").

/** Customer segments (user-service stores one of these per user). */
export const CUSTOMER_SEGMENTS = ['premium', 'regular', 'new'] as const;
export type CustomerSegment = (typeof CUSTOMER_SEGMENTS)[number];

/** Card brands payment-service recognises; `unknown` is its catch-all. */
export const CARD_BRANDS = ['visa', 'mastercard', 'amex', 'discover', 'unknown'] as const;
export type CardBrandLabel = (typeof CARD_BRANDS)[number];

/**
 * Product categories reported in metrics: the catalogue's seeded categories, plus `other` for any
 * category created later (product-service accepts any slug; a label per slug would be unbounded).
 */
export const PRODUCT_CATEGORIES = ['electronics', 'books', 'home', 'outdoor', 'toys', 'other'] as const;
export type ProductCategoryLabel = (typeof PRODUCT_CATEGORIES)[number];

function closed<T extends string>(values: readonly T[], fallback: T) {
  const known = new Set<string>(values);
  return (value: string | null | undefined): T =>
    value !== null && value !== undefined && known.has(value) ? (value as T) : fallback;
}

/** A category as a metric label: one of PRODUCT_CATEGORIES. */
export const categoryLabel = closed(PRODUCT_CATEGORIES, 'other');
/** A card brand as a metric label: one of CARD_BRANDS. */
export const cardBrandLabel = closed(CARD_BRANDS, 'unknown');
/** A segment as a metric label; `unknown` when user-service did not say. */
export const segmentLabel = closed<CustomerSegment | 'unknown'>([...CUSTOMER_SEGMENTS, 'unknown'], 'unknown');
