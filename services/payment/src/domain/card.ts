import { type CardBrand, type CardInput, cardBrand } from '@vigil/card';
import { httpError } from '@vigil/service-kit';

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

export { type CardBrand, type CardInput, cardBrand, cardSchema } from '@vigil/card';

export interface CardFacts {
  brand: CardBrand;
  last4: string;
  exp_month: number;
  exp_year: number;
  /** What the simulated card network will answer for this card; null = approve. */
  outcome: DeclineReason | null;
}

/** Checks a parsed card (cardSchema did Luhn) for expiry and keeps only what may be stored: never the number or the CVV. */
export function inspectCard(card: CardInput, now: Date = new Date()): CardFacts {
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
