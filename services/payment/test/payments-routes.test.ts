import { createTelemetry } from '@vigil/telemetry';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';

// The payment routes through app.inject on the real app (in-memory database, processor at ~1 ms).
const CARD = { type: 'card', card_number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2034, cvv: '123' };
let app: FastifyInstance;
beforeAll(async () => {
  app = await buildApp({
    telemetry: createTelemetry({ service: 'payment-service', version: 'test', env: { LOG_LEVEL: 'fatal' } }),
    config: { PAYMENT_LATENCY_MEDIAN_MS: 1, PAYMENT_LATENCY_SIGMA: 0 },
  });
  await app.ready();
});
afterAll(() => app.close());

async function tokenize(card: Record<string, unknown> = CARD): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/payment-methods', payload: card });
  expect(res.statusCode).toBe(201);
  return res.json().token;
}

function charge(key: string | undefined, body: Record<string, unknown>) {
  return app.inject({
    method: 'POST',
    url: '/payments',
    headers: key === undefined ? {} : { 'idempotency-key': key },
    payload: body,
  });
}

describe('POST /payment-methods', () => {
  it('answers a token, brand and last four, never the number or the CVV', async () => {
    const res = await app.inject({ method: 'POST', url: '/payment-methods', payload: CARD });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2034 });
    expect(res.json().token).toMatch(/^tok_[a-f0-9]{32}$/);
    expect(res.body).not.toContain('4242424242424242');
    expect(res.body).not.toContain('"123"');
  });

  it('refuses a number failing Luhn (400 VALIDATION_FAILED) and an expired card (400 CARD_EXPIRED)', async () => {
    const luhn = await app.inject({
      method: 'POST',
      url: '/payment-methods',
      payload: { ...CARD, card_number: '4242424242424241' },
    });
    expect(luhn.statusCode).toBe(400);
    expect(luhn.json().error.code).toBe('VALIDATION_FAILED');
    expect(luhn.body).not.toContain('4242424242424241');
    const expired = await app.inject({
      method: 'POST',
      url: '/payment-methods',
      payload: { ...CARD, exp_year: 2001 },
    });
    expect(expired.statusCode).toBe(400);
    expect(expired.json().error.code).toBe('CARD_EXPIRED');
  });
});

describe('POST /payments', () => {
  it('charges once per key: a retry replays the first answer, a different charge under the key is refused', async () => {
    const token = await tokenize();
    const body = { order_id: 'o-1', amount_cents: 1999, currency: 'usd', payment_method_token: token };
    const first = await charge('key-1', body);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      status: 'succeeded',
      amount_cents: 1999,
      currency: 'USD',
      last4: '4242',
    });
    expect(first.headers.location).toBe(`/payments/${first.json().id}`);
    const again = await charge('key-1', body);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    const reused = await charge('key-1', { ...body, amount_cents: 5000 });
    expect(reused.statusCode).toBe(422);
    expect(reused.json().error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const list = await app.inject({ method: 'GET', url: '/payments?order_id=o-1' });
    expect(list.json().items).toHaveLength(1);
  });

  it('a test card that declines answers 402 PAYMENT_DECLINED with the reason', async () => {
    const token = await tokenize({ ...CARD, card_number: '4000000000009995' });
    const res = await charge('key-declined', {
      order_id: 'o-2',
      amount_cents: 500,
      payment_method_token: token,
    });
    expect(res.statusCode).toBe(402);
    expect(res.json().error).toMatchObject({
      code: 'PAYMENT_DECLINED',
      details: { payment: { status: 'declined', decline_reason: 'insufficient_funds' } },
    });
  });

  it('refuses without a key (400), with an unknown token (422) or a bad amount (400), and writes nothing', async () => {
    const token = await tokenize();
    const body = { order_id: 'o-3', amount_cents: 100, payment_method_token: token };
    const noKey = await charge(undefined, body);
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json().error.code).toBe('MISSING_IDEMPOTENCY_KEY');
    const unknown = await charge('key-3', { ...body, payment_method_token: `tok_${'0'.repeat(32)}` });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.code).toBe('UNKNOWN_PAYMENT_METHOD');
    const zero = await charge('key-3', { ...body, amount_cents: 0 });
    expect(zero.statusCode).toBe(400);
    expect(zero.json().error.code).toBe('VALIDATION_FAILED');
    expect((await app.inject({ method: 'GET', url: '/payments?order_id=o-3' })).json().items).toEqual([]);
  });
});

describe('POST /payments with the card (one call: vault, then charge)', () => {
  it('vaults the card under the key and charges it; a retry with the card or without it replays the one charge', async () => {
    const body = { order_id: 'o-card-1', amount_cents: 2500, currency: 'USD' };
    const first = await charge('key-card-1', { ...body, card: CARD });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      status: 'succeeded',
      brand: 'visa',
      last4: '4242',
      amount_cents: 2500,
    });
    expect(first.body).not.toContain('4242424242424242');
    expect(first.body).not.toContain('"123"');
    const withCard = await charge('key-card-1', { ...body, card: CARD });
    const withoutCard = await charge('key-card-1', body);
    for (const again of [withCard, withoutCard]) {
      expect(again.statusCode).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.json().id).toBe(first.json().id);
    }
    const reused = await charge('key-card-1', { ...body, amount_cents: 1 });
    expect(reused.json().error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const list = await app.inject({ method: 'GET', url: '/payments?order_id=o-card-1' });
    expect(list.json().items).toHaveLength(1);
  });

  it('a declining test card answers 402 once, and its card-less retry replays the decline', async () => {
    const body = { order_id: 'o-card-2', amount_cents: 900 };
    const declined = await charge('key-card-2', {
      ...body,
      card: { ...CARD, card_number: '4000000000000002' },
    });
    expect(declined.statusCode).toBe(402);
    expect(declined.json().error.details.payment.decline_reason).toBe('card_declined');
    const again = await charge('key-card-2', body);
    expect(again.statusCode).toBe(402);
    expect(again.json().error.details.payment.id).toBe(declined.json().error.details.payment.id);
  });

  it('an expired card, or card and token together, write nothing and leave the key free', async () => {
    const body = { order_id: 'o-card-3', amount_cents: 100 };
    const expired = await charge('key-card-3', { ...body, card: { ...CARD, exp_year: 2001 } });
    expect(expired.statusCode).toBe(400);
    expect(expired.json().error.code).toBe('CARD_EXPIRED');
    const both = await charge('key-card-3', { ...body, card: CARD, payment_method_token: await tokenize() });
    expect(both.statusCode).toBe(400);
    expect(both.json().error.code).toBe('VALIDATION_FAILED');
    expect((await app.inject({ method: 'GET', url: '/payments?order_id=o-card-3' })).json().items).toEqual(
      [],
    );
    expect((await charge('key-card-3', { ...body, card: CARD })).statusCode).toBe(201);
  });

  it('a card-less retry of a key that never started a charge is 422 CHARGE_NOT_STARTED and closes the key: the card arriving late charges nothing', async () => {
    const body = { order_id: 'o-card-4', amount_cents: 100 };
    const none = await charge('key-card-4', body);
    expect(none.statusCode).toBe(422);
    expect(none.json().error.code).toBe('CHARGE_NOT_STARTED');
    const late = await charge('key-card-4', { ...body, card: CARD });
    expect(late.statusCode).toBe(422);
    expect(late.json().error.code).toBe('CHARGE_NOT_STARTED');
    expect((await app.inject({ method: 'GET', url: '/payments?order_id=o-card-4' })).json().items).toEqual(
      [],
    );
  });
});

describe('refunds and reads', () => {
  it('refunds a succeeded payment (again is a no-op); a declined one is 409, an unknown one 404', async () => {
    const token = await tokenize();
    const paid = await charge('key-refund', {
      order_id: 'o-4',
      amount_cents: 700,
      payment_method_token: token,
    });
    const id = paid.json().id;
    const refund = await app.inject({ method: 'POST', url: `/payments/${id}/refund` });
    expect(refund.statusCode).toBe(200);
    expect(refund.json().status).toBe('refunded');
    const twice = await app.inject({ method: 'POST', url: `/payments/${id}/refund` });
    expect(twice.statusCode).toBe(200);
    expect(twice.json()).toEqual(refund.json());
    const declinedToken = await tokenize({ ...CARD, card_number: '4000000000000002' });
    const declined = await charge('key-refund-declined', {
      order_id: 'o-5',
      amount_cents: 700,
      payment_method_token: declinedToken,
    });
    const notRefundable = await app.inject({
      method: 'POST',
      url: `/payments/${declined.json().error.details.payment.id}/refund`,
    });
    expect(notRefundable.statusCode).toBe(409);
    expect(notRefundable.json().error.code).toBe('NOT_REFUNDABLE');
    expect((await app.inject({ method: 'GET', url: `/payments/${id}` })).json().status).toBe('refunded');
    const missing = await app.inject({ method: 'GET', url: '/payments/999999' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
  });
});
