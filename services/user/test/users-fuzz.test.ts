import { createPrng, randomBodyText, randomUrlComponent } from '@vigil/service-kit/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './test-app.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const ROUNDS = 400;
const KEYS = ['name', 'email', 'segment', 'limit', 'offset', 'id'];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  undefined,
  'multipart/form-data',
];

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
});

describe(`bad input fuzz (seed ${SEED})`, () => {
  it('never answers 5xx, always with the error shape and a trace id, and stays up', async () => {
    const prng = createPrng(SEED);
    for (let round = 0; round < ROUNDS; round++) {
      let request: {
        method: 'GET' | 'POST';
        url: string;
        headers?: Record<string, string>;
        payload?: string;
      };
      switch (prng.int(3)) {
        case 0:
          request = {
            method: 'GET',
            url: `/users?${prng.pick(KEYS)}=${randomUrlComponent(prng)}&${prng.pick(KEYS)}=${randomUrlComponent(prng)}`,
          };
          break;
        case 1:
          request = { method: 'GET', url: `/users/${randomUrlComponent(prng)}` };
          break;
        default: {
          const type = prng.pick(CONTENT_TYPES);
          request = {
            method: 'POST',
            url: '/users',
            headers: type ? { 'content-type': type } : {},
            payload: randomBodyText(prng, KEYS),
          };
        }
      }
      const res = await app.inject(request);
      const where = `round ${round}: ${request.method} ${request.url} ${request.payload ?? ''}`.slice(0, 300);
      expect(res.statusCode, where).toBeLessThan(500);
      expect(res.headers['x-trace-id'], where).toBeTruthy();
      if (res.statusCode >= 400) expect(res.json().error.code, where).toMatch(/^[A-Z_]+$/);
    }
    const after = await app.inject({ method: 'GET', url: '/users/1' });
    expect(after.statusCode).toBe(200);
    expect({} as Record<string, unknown>).not.toHaveProperty('polluted');
  });
});
