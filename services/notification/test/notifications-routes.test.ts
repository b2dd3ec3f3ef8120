import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '@vigil/service-kit/testing';
import { type SmtpSink, startSmtpSink } from '@vigil/smtp-sink';
import { createTelemetry } from '@vigil/telemetry';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { readConfig } from '../src/config.ts';

// The notification routes through app.inject on the real app, delivering to a real SMTP sink on loopback.
const DATA = {
  order_id: 41,
  customer_name: 'Ada',
  total_cents: 2500,
  currency: 'USD',
  items: [{ product_id: 1, name: 'Mug', quantity: 2, unit_price_cents: 1250 }],
};
const EMAIL = { channel: 'email', template: 'order_confirmation', to: 'Ada@Example.com', data: DATA };
let app: FastifyInstance;
let sink: SmtpSink;
let mailDir: string;

beforeAll(async () => {
  mailDir = mkdtempSync(join(tmpdir(), 'vigil-notification-routes-'));
  sink = await startSmtpSink({ host: '127.0.0.1', port: await freePort(), directory: mailDir });
  app = await buildApp({
    telemetry: createTelemetry({
      service: 'notification-service',
      version: 'test',
      env: { LOG_LEVEL: 'fatal' },
    }),
    config: readConfig({ SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port), NOTIFY_POLL_MS: '50' }),
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await sink?.close();
  rmSync(mailDir, { recursive: true, force: true });
});

function post(body: unknown, key?: string) {
  return app.inject({
    method: 'POST',
    url: '/notifications',
    headers: key ? { 'idempotency-key': key } : {},
    payload: body as Record<string, unknown>,
  });
}

describe('POST /notifications', () => {
  it('queues an email (202, recipient masked), delivers it over SMTP and reports it sent', async () => {
    const res = await post(EMAIL, 'order-41-confirmation');
    expect(res.statusCode).toBe(202);
    const queued = res.json();
    expect(res.headers.location).toBe(`/notifications/${queued.id}`);
    expect(JSON.stringify(queued)).not.toContain('ada@example.com');
    const sent = await waitFor(
      async () => {
        const n = (await app.inject({ method: 'GET', url: `/notifications/${queued.id}` })).json();
        return n.status === 'sent' ? n : undefined;
      },
      { timeoutMs: 10_000, description: 'notification sent' },
    );
    expect(sent.id).toBe(queued.id);
    const mail = readdirSync(mailDir).map((f) => readFileSync(join(mailDir, f), 'utf8'));
    expect(mail).toHaveLength(1);
    expect(mail[0]).toContain('Order #41 confirmed');
    expect(mail[0]).toContain('ada@example.com');
    const list = await app.inject({ method: 'GET', url: '/notifications?status=sent' });
    expect(list.json().items.map((n: { id: number }) => n.id)).toContain(queued.id);
  });

  it('the same key twice is one notification (the second answer is a replay)', async () => {
    const first = await post({ ...EMAIL, data: { ...DATA, order_id: 42 } }, 'order-42-confirmation');
    const second = await post({ ...EMAIL, data: { ...DATA, order_id: 42 } }, 'order-42-confirmation');
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json().id).toBe(first.json().id);
  });

  it('refuses bad input with a 4xx code and queues nothing', async () => {
    const before = (await app.inject({ method: 'GET', url: '/notifications' })).json().items.length;
    const cases: Array<[unknown, number, string]> = [
      [{ ...EMAIL, to: 'not-an-address' }, 400, 'VALIDATION_FAILED'],
      [{ ...EMAIL, template: 'newsletter' }, 400, 'VALIDATION_FAILED'],
      [{ ...EMAIL, data: { ...DATA, extra: 1 } }, 400, 'VALIDATION_FAILED'],
      [
        { channel: 'webhook', template: 'order_confirmation', url: 'http://127.0.0.1:9/hook', data: DATA },
        422,
        'WEBHOOK_HOST_NOT_ALLOWED',
      ],
    ];
    for (const [body, status, code] of cases) {
      const res = await post(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(res.json().error.code).toBe(code);
    }
    const bad = await post(EMAIL, 'has spaces');
    expect(bad.statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/notifications' })).json().items).toHaveLength(before);
  });

  it('answers 404 NOT_FOUND for an unknown notification and 400 for a bad status filter', async () => {
    const missing = await app.inject({ method: 'GET', url: '/notifications/999999' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
    const badFilter = await app.inject({ method: 'GET', url: '/notifications?status=lost' });
    expect(badFilter.statusCode).toBe(400);
  });
});

describe('POST /notifications/batch', () => {
  it('queues several in one call, answers each alone (a bad one is refused alone, a repeated key replays) and delivers them', async () => {
    const batch = (items: unknown) =>
      app.inject({ method: 'POST', url: '/notifications/batch', payload: { items } });
    const traceparent = '00-0123456789abcdef0123456789abcdef-0123456789abcdef-01';
    const mail = (id: number) => ({ ...EMAIL, data: { ...DATA, order_id: id } });
    const res = await batch([
      { idempotency_key: 'order-51-confirmation', traceparent, notification: mail(51) },
      { idempotency_key: 'order-52-confirmation', notification: { ...mail(52), to: 'nope' } },
      { idempotency_key: 'order-53-confirmation', notification: mail(53) },
    ]);
    expect(res.statusCode).toBe(200);
    const [a, bad, c] = res.json().items;
    expect(a).toEqual({ id: expect.any(Number), replayed: false });
    expect(bad).toEqual({ error: { code: 'VALIDATION_FAILED', status: 400 } });
    expect(c).toEqual({ id: expect.any(Number), replayed: false });
    const again = await batch([{ idempotency_key: 'order-51-confirmation', notification: mail(51) }]);
    expect(again.json().items).toEqual([{ id: a.id, replayed: true }]);
    await waitFor(
      async () => {
        const statuses = await Promise.all(
          [a.id, c.id].map(
            async (id) => (await app.inject({ method: 'GET', url: `/notifications/${id}` })).json().status,
          ),
        );
        return statuses.every((s) => s === 'sent') ? true : undefined;
      },
      { timeoutMs: 10_000, description: 'batched notifications sent' },
    );
    const sent = readdirSync(mailDir).map((f) => readFileSync(join(mailDir, f), 'utf8'));
    expect(sent.filter((m) => m.includes('Order #51 confirmed'))).toHaveLength(1);
    expect(sent.filter((m) => m.includes('Order #53 confirmed'))).toHaveLength(1);
    expect(sent.some((m) => m.includes('Order #52 confirmed'))).toBe(false);
    for (const items of [[], Array.from({ length: 101 }, () => ({ notification: mail(60) }))]) {
      const refused = await batch(items);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.code).toBe('VALIDATION_FAILED');
    }
  });
});
