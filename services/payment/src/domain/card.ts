import { httpError } from '@vigil/service-kit';
import { z } from 'zod';
import { luhnValid } from './luhn.ts';

export const DECLINE_REASONS = ['insufficient_funds', 'card_declined', 'suspected_fraud'] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

/**
 * Test cards (all Luhn-valid) that make the simulated processor decline; every other valid
 * number is approved. Same numbers as the big processors' sandboxes, so they feel familiar.
 */
export const TEST_CARD_OUTCOMES: Readonly<Record<string, DeclineReason>> = {
  '4000000000009995': 'insufficient_funds',
  '4000000000000002': 'card_declined',
  '4100000000000019': 'suspected_fraud',
};

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'unknown';

export function cardBrand(pan: string): CardBrand {
  if (/^4/.test(pan)) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(pan)) return 'mastercard';
  if (/^3[47]/.test(pan)) return 'amex';
  if (/^6(011|5)/.test(pan)) return 'discover';
  return 'unknown';
}

export const cardSchema = z.strictObject({
  type: z.literal('card'),
  // Spaces and dashes as people type them are accepted and stripped.
  card_number: z
    .string()
    .max(40, 'must be at most 40 characters')
    .transform((s) => s.replace(/[ -]/g, ''))
    .pipe(z.string().regex(/^[0-9]{12,19}$/, 'must be 12-19 digits')),
  exp_month: z.number().int().min(1).max(12),
  exp_year: z.number().int().min(2000).max(2100),
  cvv: z.string().regex(/^[0-9]{3,4}$/, 'must be 3 or 4 digits'),
});

export type CardInput = z.output<typeof cardSchema>;

export interface CardFacts {
  brand: CardBrand;
  last4: string;
  exp_month: number;
  exp_year: number;
  /** What the simulated card network will answer for this card; null = approve. */
  outcome: DeclineReason | null;
}

/** Checks a card and keeps only what may be stored: never the number or the CVV. */
export function inspectCard(card: CardInput, now: Date = new Date()): CardFacts {
  if (!luhnValid(card.card_number))
    throw httpError(400, 'INVALID_CARD_NUMBER', 'card_number: fails the Luhn check');
  const expired =
    card.exp_year < now.getUTCFullYear() ||
    (card.exp_year === now.getUTCFullYear() && card.exp_month < now.getUTCMonth() + 1);
  if (expired) throw httpError(400, 'CARD_EXPIRED', 'exp_month/exp_year: the card has expired');
  return {
    brand: cardBrand(card.card_number),
    last4: card.card_number.slice(-4),
    exp_month: card.exp_month,
    exp_year: card.exp_year,
    outcome: TEST_CARD_OUTCOMES[card.card_number] ?? null,
  };
}
