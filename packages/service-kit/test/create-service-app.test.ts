import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createServiceApp, httpError, parseId, parseOrThrow } from '../src/index.ts';

// Unit test of the app factory alone: the telemetry plugin is an empty plugin, the logger is real pino.
const logLines: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(chunk.toString());
    done();
  },
});
let app: FastifyInstance;

beforeAll(async () => {
  ({ app } = await createServiceApp({
    telemetry: { plugin: async () => {}, logger: pino(sink) },
    bodyLimit: 1024,
  }));
  app.post('/things', async (request, reply) => {
    const body = parseOrThrow(
      z.object({ name: z.string().min(1), tags: z.array(z.string()).max(2) }),
      request.body,
    );
    return reply.code(201).send(body);
  });
  app.get('/things/:id', async (request) => {
    const id = parseId((request.params as { id: string }).id);
    if (id !== 1) throw httpError(404, 'NOT_FOUND', `thing ${id} not found`, { id });
    return { id };
  });
  app.post('/ping', async (request) => ({ body: request.body ?? null }));
  app.get('/boom', async () => {
    throw new Error('SQLITE_ERROR: no such table: secret_table at /srv/app/db.ts:12');
  });
  app.get(
    '/schema',
    { schema: { querystring: { type: 'object', properties: { n: { type: 'integer' } } } } },
    async () => ({}),
  );
  await app.ready();
});

afterAll(async () => {
  await app.close();
});

function error(res: { json(): unknown }) {
  return (res.json() as { error: { code: string; message: string } }).error;
}

describe('createServiceApp error contract', () => {
  it('accepts valid JSON and parses it', async () => {
    const res = await app.inject({ method: 'POST', url: '/things', payload: { name: 'a', tags: [] } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ name: 'a', tags: [] });
  });

  it('malformed JSON → 400 INVALID_JSON', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(res.statusCode).toBe(400);
    expect(error(res).code).toBe('INVALID_JSON');
  });

  it('prototype-poisoning JSON → 400 INVALID_JSON', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: '{"__proto__":{"admin":true}}',
    });
    expect(res.statusCode).toBe(400);
    expect(error(res).code).toBe('INVALID_JSON');
  });

  it('empty JSON body means no body (validation names the body)', async () => {
    const ping = await app.inject({
      method: 'POST',
      url: '/ping',
      headers: { 'content-type': 'application/json' },
    });
    expect(ping.statusCode).toBe(200);
    expect(ping.json()).toEqual({ body: null });
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(error(res)).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/^body:/) });
  });

  it('validation failure names the nested field', async () => {
    const res = await app.inject({ method: 'POST', url: '/things', payload: { name: 'x', tags: ['a', 7] } });
    expect(res.statusCode).toBe(400);
    expect(error(res)).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/^tags\[1\]:/),
    });
  });

  it('Fastify schema validation also maps to VALIDATION_FAILED', async () => {
    const res = await app.inject({ method: 'GET', url: '/schema?n=abc' });
    expect(res.statusCode).toBe(400);
    expect(error(res)).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('querystring'),
    });
  });

  it('oversized body → 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      payload: { name: 'x'.repeat(2000), tags: [] },
    });
    expect(res.statusCode).toBe(413);
    expect(error(res).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('non-JSON content types → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await app.inject({
        method: 'POST',
        url: '/things',
        headers: { 'content-type': type },
        payload: 'name=a',
      });
      expect(res.statusCode, type).toBe(415);
      expect(error(res).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('unknown route → 404 ROUTE_NOT_FOUND', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/nowhere?x=1' });
    expect(res.statusCode).toBe(404);
    expect(error(res)).toEqual({ code: 'ROUTE_NOT_FOUND', message: 'no route for DELETE /nowhere' });
  });

  it('bad id → 400 INVALID_ID; httpError passes status, code, message and details', async () => {
    for (const id of ['abc', '0', '-1', '1.5', '01', '9'.repeat(20)]) {
      const res = await app.inject({ method: 'GET', url: `/things/${id}` });
      expect(res.statusCode, id).toBe(400);
      expect(error(res).code).toBe('INVALID_ID');
    }
    const res = await app.inject({ method: 'GET', url: '/things/2' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'thing 2 not found', details: { id: 2 } },
    });
  });

  it('long ids reach the handler; malformed URL encoding still gets the error shape', async () => {
    const long = await app.inject({ method: 'GET', url: `/things/${'a'.repeat(3000)}` });
    expect(long.statusCode).toBe(400);
    expect(error(long).code).toBe('INVALID_ID');
    const bad = await app.inject({ method: 'GET', url: '/things/%E0%A4%A' });
    expect(bad.statusCode).toBe(400);
    expect(error(bad).code).toBe('BAD_URL');
  });

  it('5xx says INTERNAL_ERROR, leaks nothing, and logs the real error', async () => {
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'internal error' } });
    expect(res.body).not.toMatch(/SQLITE|secret_table|\/srv|stack/);
    expect(logLines.join('')).toContain('no such table: secret_table');
  });
});
