import { z } from 'zod';

/** True when `digits` (only 0-9) passes the Luhn checksum. */
export function luhnValid(digits: string): boolean {
  if (!/^[0-9]+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * A card as clients send it (`payment_method` of POST /orders, body of POST /payment-methods).
 * Spaces and dashes as people type them are accepted and stripped; the number must pass Luhn.
 */
export const cardSchema = z.strictObject({
  type: z.literal('card'),
  card_number: z
    .string()
    .max(40, 'must be at most 40 characters')
    .transform((s) => s.replace(/[ -]/g, ''))
    .pipe(z.string().regex(/^[0-9]{12,19}$/, 'must be 12-19 digits'))
    .refine(luhnValid, 'fails the Luhn check'),
  exp_month: z.number().int().min(1).max(12),
  exp_year: z.number().int().min(2000).max(2100),
  cvv: z.string().regex(/^[0-9]{3,4}$/, 'must be 3 or 4 digits'),
});

export type CardInput = z.output<typeof cardSchema>;

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'unknown';

/** The card network, from the number's prefix (payment-service's vault and order-service's metrics). */
export function cardBrand(pan: string): CardBrand {
  if (/^4/.test(pan)) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(pan)) return 'mastercard';
  if (/^3[47]/.test(pan)) return 'amex';
  if (/^6(011|5)/.test(pan)) return 'discover';
  return 'unknown';
}
