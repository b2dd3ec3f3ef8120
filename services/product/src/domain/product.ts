import { paginationShape } from '@vigil/service-kit';
import { z } from 'zod';

export interface Product {
  id: number;
  sku: string;
  name: string;
  category: string;
  price_cents: number;
  /** price_cents / 100, for display and order totals in dollars. */
  price: number;
  currency: string;
}

export const listProductsQuerySchema = z.object({
  ...paginationShape(),
  category: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a lowercase category slug')
    .optional(),
});

export type ListProductsQuery = z.output<typeof listProductsQuerySchema>;
