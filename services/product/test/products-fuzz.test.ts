import { createPrng, type Prng, randomBodyText, randomUrlComponent } from '@vigil/service-kit/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './test-app.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 8002);
const ROUNDS = 500;
const KEYS = [
  'warehouse',
  'delta',
  'reason',
  'order_id',
  'items',
  'product_id',
  'quantity',
  'limit',
  'offset',
  'category',
];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  undefined,
  'application/xml',
];

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
});

type Request = { method: 'GET' | 'POST'; url: string; headers?: Record<string, string>; payload?: string };

function post(prng: Prng, url: string): Request {
  const type = prng.pick(CONTENT_TYPES);
  return {
    method: 'POST',
    url,
    headers: type ? { 'content-type': type } : {},
    payload: randomBodyText(prng, KEYS),
  };
}

function randomRequest(prng: Prng): Request {
  // Ids are sometimes valid so requests reach the handlers' body validation, not only the id check.
  const id = prng.next() < 0.4 ? String(1 + prng.int(22)) : randomUrlComponent(prng);
  switch (prng.int(7)) {
    case 0:
      return {
        method: 'GET',
        url: `/products?${prng.pick(KEYS)}=${randomUrlComponent(prng)}&${prng.pick(KEYS)}=${randomUrlComponent(prng)}`,
      };
    case 1:
      return { method: 'GET', url: `/products/${id}` };
    case 2:
      return { method: 'GET', url: `/products/${id}/inventory` };
    case 3:
      return post(prng, `/products/${id}/inventory/adjust`);
    case 4:
      return post(prng, '/inventory/reservations');
    case 5:
      return post(
        prng,
        `/inventory/reservations/${randomUrlComponent(prng)}/${prng.pick(['release', 'commit'])}`,
      );
    default:
      return { method: 'GET', url: `/inventory/reservations/${randomUrlComponent(prng)}` };
  }
}

describe(`bad input fuzz (seed ${SEED})`, () => {
  it('never answers 5xx, always with the error shape and a trace id, and stays up', async () => {
    const prng = createPrng(SEED);
    const codes = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      const request = randomRequest(prng);
      const res = await app.inject(request);
      const where = `round ${round}: ${request.method} ${request.url} ${request.payload ?? ''}`.slice(0, 300);
      expect(res.statusCode, where).toBeLessThan(500);
      expect(res.headers['x-trace-id'], where).toBeTruthy();
      if (res.statusCode >= 400) {
        const code = res.json().error.code;
        expect(code, where).toMatch(/^[A-Z_]+$/);
        codes.add(code);
      }
    }
    // The fuzz reached several distinct rejection paths, not just one.
    expect(codes.size, [...codes].join()).toBeGreaterThanOrEqual(4);
    expect((await app.inject({ method: 'GET', url: '/products/1' })).statusCode).toBe(200);
    const inventory = (await app.inject({ method: 'GET', url: '/products/1/inventory' })).json();
    expect(inventory.warehouses.every((w: { available: number }) => w.available >= 0)).toBe(true);
  });
});
