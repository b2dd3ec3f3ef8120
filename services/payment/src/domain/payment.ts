import { z } from 'zod';
import type { CardBrand, DeclineReason } from './card.ts';

export type PaymentStatus = 'processing' | 'succeeded' | 'declined' | 'refunded';

export interface Payment {
  id: number;
  order_id: string;
  amount_cents: number;
  currency: string;
  method: 'card';
  brand: CardBrand;
  last4: string;
  status: PaymentStatus;
  decline_reason: DeclineReason | null;
  created_at: string;
  updated_at: string;
}

export const idempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be 1-128 characters of letters, digits, . _ : -');

export const chargeSchema = z.strictObject({
  order_id: z.union([
    z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'must be 1-64 characters of letters, digits, . _ : -'),
    z.number().int().positive().max(Number.MAX_SAFE_INTEGER).transform(String),
  ]),
  amount_cents: z.number().int().min(1).max(100_000_000),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'must be a 3-letter ISO 4217 code')
    .transform((c) => c.toUpperCase())
    .default('USD'),
  payment_method_token: z.string().regex(/^tok_[a-f0-9]{32}$/, 'must be a token from POST /payment-methods'),
});

export type ChargeRequest = z.output<typeof chargeSchema>;

export const listPaymentsQuerySchema = z.strictObject({
  order_id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'must be 1-64 characters of letters, digits, . _ : -'),
});
