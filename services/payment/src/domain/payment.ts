import { cardSchema } from '@vigil/card';
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

export const chargeSchema = z
  .strictObject({
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
    payment_method_token: z
      .string()
      .regex(/^tok_[a-f0-9]{32}$/, 'must be a token from POST /payment-methods')
      .optional(),
    /**
     * The card itself: vaulted under the charge's key before anything else happens, then charged (one
     * call instead of tokenize + charge). Without `card` or `payment_method_token` the request continues
     * the charge its key already started with a card (a retry that no longer has the card).
     */
    card: cardSchema.optional(),
  })
  .refine((c) => c.card === undefined || c.payment_method_token === undefined, {
    message: 'send either card or payment_method_token, not both',
    path: ['card'],
  });

/** How the charge names what it charges. */
export function chargeMethod(charge: ChargeRequest): 'token' | 'card' | 'continue' {
  if (charge.payment_method_token !== undefined) return 'token';
  return charge.card === undefined ? 'continue' : 'card';
}

export type ChargeRequest = z.output<typeof chargeSchema>;

export const listPaymentsQuerySchema = z.strictObject({
  order_id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'must be 1-64 characters of letters, digits, . _ : -'),
});
