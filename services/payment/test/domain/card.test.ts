import { luhnValid } from '@vigil/card';
import { describe, expect, it } from 'vitest';
import { cardSchema, inspectCard, TEST_CARD_OUTCOMES } from '../../src/domain/card.ts';
import { createProcessor, sampleLatencyMs } from '../../src/domain/processor.ts';

const card = (card_number: string) =>
  cardSchema.parse({ type: 'card', card_number, exp_month: 12, exp_year: 2034, cvv: '123' });

describe('card checks', () => {
  it('Luhn accepts real test numbers and rejects a changed digit', () => {
    expect(luhnValid('4242424242424242')).toBe(true);
    expect(luhnValid('5555555555554444')).toBe(true);
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(luhnValid('')).toBe(false);
    expect(luhnValid('42a2')).toBe(false);
  });

  it('every decline test card is Luhn-valid', () => {
    for (const pan of Object.keys(TEST_CARD_OUTCOMES)) expect(luhnValid(pan), pan).toBe(true);
  });

  it('keeps brand, last four and the simulated outcome, never the number', () => {
    const facts = inspectCard(card('4000 0000 0000 9995'));
    expect(facts).toEqual({
      brand: 'visa',
      last4: '9995',
      exp_month: 12,
      exp_year: 2034,
      outcome: 'insufficient_funds',
    });
    expect(JSON.stringify(facts)).not.toContain('4000000000009995');
    expect(inspectCard(card('5555555555554444')).outcome).toBeNull();
  });

  it('rejects an invalid or expired card with a 400 code', () => {
    const typo = cardSchema.safeParse({
      type: 'card',
      card_number: '4242424242424241',
      exp_month: 12,
      exp_year: 2034,
      cvv: '123',
    });
    expect(typo.success).toBe(false);
    expect(typo.error?.issues[0]?.message).toBe('fails the Luhn check');
    const expired = cardSchema.parse({
      type: 'card',
      card_number: '4242424242424242',
      exp_month: 1,
      exp_year: 2020,
      cvv: '123',
    });
    expect(() => inspectCard(expired)).toThrow(expect.objectContaining({ code: 'CARD_EXPIRED' }));
  });
});

describe('simulated processor', () => {
  it('latency is log-normal around the median', () => {
    const samples = Array.from({ length: 4000 }, () => sampleLatencyMs({ medianMs: 10, sigma: 0.5 })).sort(
      (a, b) => a - b,
    );
    const median = samples[2000]!;
    expect(median).toBeGreaterThan(8.5);
    expect(median).toBeLessThan(11.5);
    expect(samples[3960]!).toBeGreaterThan(2 * median);
    expect(samples[0]!).toBeGreaterThan(0);
  });

  it('decides deterministically from the card on file', () => {
    const processor = createProcessor({ medianMs: 0, sigma: 0 });
    expect(processor.decide(null)).toEqual({ approved: true });
    expect(processor.decide('suspected_fraud')).toEqual({ approved: false, reason: 'suspected_fraud' });
  });
});
