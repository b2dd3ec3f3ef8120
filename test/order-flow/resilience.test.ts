import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  http,
  type JsonResponse,
  placeOrder,
  type Stack,
  setStock,
  startStack,
  waitFor,
} from './support/stack.ts';

const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };

let stack: Stack;
let gw: string;

beforeAll(async () => {
  stack = await startStack({
    hub: true,
    env: {
      gateway: { GATEWAY_TIMEOUT_MS: '1000' },
      notification: { NOTIFY_MAX_ATTEMPTS: '8', NOTIFY_WEBHOOK_ALLOW: '127.0.0.1/32' },
    },
  });
  gw = stack.url('gateway');
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

async function metric(base: string, name: string, labels: Record<string, string>): Promise<number> {
  const res = await fetch(`${base}/metrics`);
  const text = await res.text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      total += Number(line.split(' ').at(-1));
  }
  return total;
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.replace(/[^0-9]/g, '')) / 1024;
}

describe('dependency failures', () => {
  it('payment killed mid-load, then restarted: every accepted order ends terminal, none charged twice', async () => {
    await setStock(stack.url('product'), 5, 1000);
    // Slow charges (300 ms) and a steady stream of orders, so the kill always lands mid-charge.
    const slow = { kind: 'latency', ttl_seconds: 60, latency_ms: 300, route: '/payments', method: 'POST' };
    expect((await http('POST', `${stack.url('payment')}/admin/faults`, slow, AUTH)).status).toBe(201);
    const responses: Array<Promise<JsonResponse>> = [];
    let firstAnswered = false;
    let killedAt = -1;
    // Once the first order is answered the pipeline is warm and later orders sit in their charges: kill then.
    for (let i = 0; i < 200 && (killedAt < 0 || i < killedAt + 15); i++) {
      const response = placeOrder(gw, `kill-${i}`, {
        customer_id: (i % 12) + 1,
        items: [{ product_id: 5, quantity: 1 }],
      });
      if (i === 0) void response.then(() => (firstAnswered = true));
      responses.push(response);
      if (killedAt < 0 && firstAnswered) {
        await stack.stop('payment', 'SIGKILL');
        killedAt = i;
      }
      await new Promise((r) => setTimeout(r, 15));
    }
    const results = await Promise.all(responses);
    await stack.start('payment');
    for (const r of results) expect([201, 202, 503], JSON.stringify(r.body)).toContain(r.status);
    const accepted = results.filter((r) => r.status === 201 || r.status === 202);
    // Charges in flight at the kill leave orders awaiting payment; orders after it fail before any charge.
    expect(results.filter((r) => r.status === 202).length).toBeGreaterThan(0);
    expect(results.filter((r) => r.status === 503).length).toBeGreaterThan(0);
    const ids = results.map((r) => (r.status === 503 ? r.body.error.details.order.id : r.body.id) as number);
    const finals = await waitFor(
      async () => {
        const orders = await Promise.all(ids.map((id) => http('GET', `${gw}/orders/${id}`)));
        return orders.every((o) => ['completed', 'failed'].includes(o.body.status))
          ? orders.map((o) => o.body)
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, description: 'every order terminal after payment restarts' },
    );
    const acceptedIds = new Set(accepted.map((r) => r.body.id as number));
    for (const r of results.filter((x) => x.status === 202)) {
      expect(finals.find((o) => o.id === r.body.id)?.status, 'awaiting order completes after recovery').toBe(
        'completed',
      );
    }
    let completed = 0;
    for (const order of finals) {
      const charges = await http('GET', `${stack.url('payment')}/payments?order_id=${order.id}`);
      expect(charges.body.items.length, `charges of order ${order.id}`).toBeLessThanOrEqual(1);
      if (order.status === 'completed') {
        completed++;
        expect(charges.body.items[0].status).toBe('succeeded');
      }
      // Accepted orders only fail for a business reason, never because payment was down.
      if (acceptedIds.has(order.id) && order.status === 'failed')
        expect(order.failure.code).not.toBe('ABANDONED');
    }
    await waitFor(
      async () =>
        (await http('GET', `${stack.url('product')}/products/5/inventory`)).body.available ===
        1000 - completed,
      {
        timeoutMs: 15_000,
        description: 'stock of failed orders released',
      },
    );
  }, 90_000);

  it('payment slower than the order timeout: the order waits in awaiting_payment, then completes with one charge', async () => {
    const slow = { kind: 'latency', ttl_seconds: 12, latency_ms: 4000, route: '/payments', method: 'POST' };
    expect((await http('POST', `${stack.url('payment')}/admin/faults`, slow, AUTH)).status).toBe(201);
    const res = await placeOrder(gw, 'slow-payment-1', { items: [{ product_id: 8, quantity: 1 }] });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('awaiting_payment');
    const order = await waitFor(
      async () => {
        const o = await http('GET', `${gw}/orders/${res.body.id}`);
        return o.body.status === 'completed' ? o.body : undefined;
      },
      {
        timeoutMs: 30_000,
        intervalMs: 250,
        description: 'slow-payment order completed by the recovery loop',
      },
    );
    // The timed-out attempts reached payment-service too; the idempotency key made them one charge.
    const charges = await http('GET', `${stack.url('payment')}/payments?order_id=${order.id}`);
    expect(charges.body.items).toHaveLength(1);
    expect(charges.body.items[0].status).toBe('succeeded');
    expect(
      await metric(stack.url('order'), 'dependency_requests_total', {
        dependency: 'payment-service',
        outcome: 'timeout',
      }),
    ).toBeGreaterThan(0);
  }, 60_000);

  it('SMTP sink stopped then started: every confirmation is delivered exactly once', async () => {
    await stack.stop('smtp-sink');
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        placeOrder(gw, `smtp-${i}`, { items: [{ product_id: 6, quantity: 1 }] }),
      ),
    );
    for (const r of results) expect(r.status).toBe(201);
    const notify = stack.url('notification');
    await waitFor(async () => (await metric(notify, 'notifications_sent_total', { status: 'retry' })) > 0, {
      timeoutMs: 15_000,
      description: 'failed deliveries counted as retries',
    });
    await stack.start('smtp-sink');
    const ids = results.map((r) => r.body.id as number);
    await waitFor(() => ids.every((id) => stack.mail().some((m) => m.includes(`Order #${id} confirmed`))), {
      timeoutMs: 30_000,
      intervalMs: 200,
      description: 'all confirmations delivered after the sink returns',
    });
    await waitFor(
      async () => (await http('GET', `${notify}/notifications?status=pending`)).body.items.length === 0,
      {
        timeoutMs: 10_000,
        description: 'outbox drained',
      },
    );
    for (const id of ids)
      expect(stack.mail().filter((m) => m.includes(`Order #${id} confirmed`))).toHaveLength(1);
  }, 90_000);
});

describe('notification outbox', () => {
  it('delivers webhooks, dead-letters one that keeps failing, and refuses hosts off the allow-list', async () => {
    const received: Array<{ url: string; key: string | undefined; body: string }> = [];
    const hook = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        received.push({
          url: req.url ?? '',
          key: req.headers['idempotency-key'] as string | undefined,
          body,
        });
        res.writeHead(req.url === '/ok' ? 204 : 500).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    const port = (hook.address() as { port: number }).port;
    try {
      const notify = stack.url('notification');
      const data = {
        order_id: 4242,
        total_cents: 100,
        currency: 'USD',
        items: [{ product_id: 1, quantity: 1, unit_price_cents: 100 }],
      };
      const ok = await http('POST', `${notify}/notifications`, {
        channel: 'webhook',
        template: 'order_confirmation',
        url: `http://127.0.0.1:${port}/ok`,
        data,
      });
      expect(ok.status).toBe(202);
      const failing = await http('POST', `${notify}/notifications`, {
        channel: 'webhook',
        template: 'order_confirmation',
        url: `http://127.0.0.1:${port}/fail`,
        data,
      });
      expect(failing.status).toBe(202);
      await waitFor(
        async () => (await http('GET', `${notify}/notifications/${ok.body.id}`)).body.status === 'sent',
        {
          description: 'webhook delivered',
        },
      );
      const delivered = received.find((r) => r.url === '/ok')!;
      expect(delivered.key).toBe(`notification-${ok.body.id}`);
      expect(JSON.parse(delivered.body)).toMatchObject({ event: 'order_confirmation', order_id: 4242 });
      const dead = await waitFor(
        async () => {
          const n = await http('GET', `${notify}/notifications/${failing.body.id}`);
          return n.body.status === 'dead' ? n.body : undefined;
        },
        { timeoutMs: 20_000, description: 'failing webhook dead-lettered' },
      );
      expect(dead.attempts).toBe(8);
      expect(received.filter((r) => r.url === '/fail')).toHaveLength(8);
      expect(await metric(notify, 'notifications_sent_total', { channel: 'webhook', status: 'dead' })).toBe(
        1,
      );
      const offList = await http('POST', `${notify}/notifications`, {
        channel: 'webhook',
        template: 'order_confirmation',
        url: 'http://169.254.169.254/latest',
        data,
      });
      expect(offList.status).toBe(422);
      expect(offList.body.error.code).toBe('WEBHOOK_HOST_NOT_ALLOWED');
    } finally {
      await new Promise((r) => hook.close(r));
    }
  });
});

describe('fault injection', () => {
  const services = ['gateway', 'user', 'product', 'order', 'payment', 'notification'] as const;

  it('refuses the admin API without the right token, and changes nothing', async () => {
    for (const name of services) {
      const base = stack.url(name);
      const spec = { kind: 'readiness', ttl_seconds: 30 };
      expect((await http('POST', `${base}/admin/faults`, spec)).status).toBe(401);
      expect(
        (await http('POST', `${base}/admin/faults`, spec, { authorization: 'Bearer wrong' })).status,
      ).toBe(401);
      expect((await http('GET', `${base}/admin/faults`)).status).toBe(401);
      expect((await http('DELETE', `${base}/admin/faults`)).status).toBe(401);
      expect((await http('GET', `${base}/admin/faults`, undefined, AUTH)).body.items).toEqual([]);
      expect((await http('GET', `${base}/health/ready`)).status).toBe(200);
    }
  });

  it('validates fault specs: a TTL is required and bounded', async () => {
    const base = stack.url('user');
    for (const spec of [
      { kind: 'readiness' },
      { kind: 'latency', ttl_seconds: 99_999, latency_ms: 5 },
      { kind: 'nope', ttl_seconds: 5 },
      'x',
    ]) {
      const res = await http('POST', `${base}/admin/faults`, spec, AUTH);
      expect(res.status, JSON.stringify(spec)).toBe(400);
    }
  });

  it('readiness: every service reports not ready while the fault lives, and the gauge shows it', async () => {
    for (const name of services) {
      const base = stack.url(name);
      const created = await http(
        'POST',
        `${base}/admin/faults`,
        { kind: 'readiness', ttl_seconds: 30 },
        AUTH,
      );
      expect(created.status).toBe(201);
      expect((await http('GET', `${base}/health/ready`)).status).toBe(503);
      expect(await metric(base, 'fault_injection_active', { kind: 'readiness' })).toBe(1);
      expect((await http('DELETE', `${base}/admin/faults/${created.body.id}`, undefined, AUTH)).status).toBe(
        200,
      );
      expect((await http('GET', `${base}/health/ready`)).status).toBe(200);
      expect(await metric(base, 'fault_injection_active', { kind: 'readiness' })).toBe(0);
    }
  });

  it('latency: the request slows down and its span carries fault.injected', async () => {
    const product = stack.url('product');
    await http(
      'POST',
      `${product}/admin/faults`,
      { kind: 'latency', ttl_seconds: 30, latency_ms: 800, route: '/products/:id' },
      AUTH,
    );
    const started = performance.now();
    const res = await http('GET', `${gw}/products/1`);
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(790);
    const fast = performance.now();
    expect((await http('GET', `${gw}/products`)).status).toBe(200);
    expect(performance.now() - fast).toBeLessThan(790);
    await http('DELETE', `${product}/admin/faults`, undefined, AUTH);
    const traceId = res.headers.get('x-trace-id');
    const tagged = await waitFor(
      async () => {
        const t = await http('GET', `${stack.hubApi}/api/traces/${traceId}`);
        const spans = (t.body?.data?.[0]?.spans ?? []) as Array<{
          tags: Array<{ key: string; value: unknown }>;
        }>;
        return spans.find((s) =>
          s.tags.some((tag) => tag.key === 'fault.injected' && String(tag.value).startsWith('latency/')),
        );
      },
      { timeoutMs: 15_000, intervalMs: 250, description: 'span with fault.injected in the hub' },
    );
    expect(tagged).toBeTruthy();
  });

  it('error: the route answers the injected status and the RED metrics count it', async () => {
    const order = stack.url('order');
    const before = await metric(order, 'http_requests_total', { route: '/orders/:id', status: '503' });
    await http(
      'POST',
      `${order}/admin/faults`,
      { kind: 'error', ttl_seconds: 30, status: 503, route: '/orders/:id' },
      AUTH,
    );
    const res = await http('GET', `${gw}/orders/1`);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('FAULT_INJECTED');
    expect((await http('GET', `${gw}/orders?customer_id=1`)).status).toBe(200);
    expect(
      await metric(order, 'http_requests_total', { route: '/orders/:id', status: '503' }),
    ).toBeGreaterThan(before);
    await http('DELETE', `${order}/admin/faults`, undefined, AUTH);
    expect((await http('GET', `${gw}/orders/1`)).status).toBe(200);
  });

  it('dependency refuse: order-service fails fast and counts the refused calls', async () => {
    const order = stack.url('order');
    await http(
      'POST',
      `${order}/admin/faults`,
      { kind: 'dependency', ttl_seconds: 30, target: 'payment-service', mode: 'refuse' },
      AUTH,
    );
    const res = await placeOrder(gw, 'dep-refuse-1', { items: [{ product_id: 7, quantity: 1 }] });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(
      await metric(order, 'dependency_requests_total', {
        dependency: 'payment-service',
        outcome: 'unavailable',
      }),
    ).toBeGreaterThan(0);
    await http('DELETE', `${order}/admin/faults`, undefined, AUTH);
    expect((await placeOrder(gw, 'dep-refuse-2', { items: [{ product_id: 7, quantity: 1 }] })).status).toBe(
      201,
    );
  });

  it('dependency hang: the gateway times out with 504 UPSTREAM_TIMEOUT', async () => {
    await http(
      'POST',
      `${gw}/admin/faults`,
      { kind: 'dependency', ttl_seconds: 30, target: 'user-service', mode: 'hang' },
      AUTH,
    );
    const started = performance.now();
    const res = await http('GET', `${gw}/users/1`);
    expect(res.status).toBe(504);
    expect(res.body.error.code).toBe('UPSTREAM_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(
      await metric(gw, 'gateway_upstream_errors_total', { upstream: 'user-service', reason: 'timeout' }),
    ).toBeGreaterThan(0);
    await http('DELETE', `${gw}/admin/faults`, undefined, AUTH);
    expect((await http('GET', `${gw}/users/1`)).status).toBe(200);
  });

  it('cpu: the process burns CPU while the fault lives', async () => {
    const user = stack.service('user');
    const pid = user.child.pid!;
    const res = await http(
      'POST',
      `${user.url}/admin/faults`,
      { kind: 'cpu', ttl_seconds: 3, utilization: 0.9 },
      AUTH,
    );
    expect(res.status).toBe(201);
    const start = cpuSeconds(pid);
    await waitFor(
      async () => (await http('GET', `${user.url}/admin/faults`, undefined, AUTH)).body.items.length === 0,
      {
        timeoutMs: 10_000,
        description: 'cpu fault expires on its TTL',
      },
    );
    // An idle service uses ~0.01 s of CPU in 3 s; the bar stays low so a crowded CI machine still passes.
    expect(cpuSeconds(pid) - start).toBeGreaterThan(0.3);
  });

  it('memory: RSS grows by the requested amount', async () => {
    const product = stack.service('product');
    const pid = product.child.pid!;
    const before = rssMb(pid);
    const res = await http(
      'POST',
      `${product.url}/admin/faults`,
      { kind: 'memory', ttl_seconds: 30, megabytes: 96 },
      AUTH,
    );
    expect(res.status).toBe(201);
    expect(rssMb(pid) - before).toBeGreaterThan(80);
    expect(await metric(product.url, 'fault_injection_active', { kind: 'memory' })).toBe(1);
    expect((await http('DELETE', `${product.url}/admin/faults`, undefined, AUTH)).body.cleared).toBe(1);
    expect(await metric(product.url, 'fault_injection_active', { kind: 'memory' })).toBe(0);
  });
});
