import { randomInt } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { Agent, createServer, request as httpRequest, type Server } from 'node:http';
import { join } from 'node:path';
import { createPrng, freePort, randomBodyText, randomUrlComponent } from '@vigil/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  http,
  placeOrder,
  SERVICE_TOKEN,
  type ServiceName,
  type Stack,
  startStack,
  waitFor,
} from '../order-flow/support/stack.ts';

// Attacks from issue 10, each against the real processes of one shared stack (with the hub, so spans
// are exported and stored like in `vigil start`).

const SERVICES = ['gateway', 'user', 'product', 'order', 'payment', 'notification'] as const;
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };
const FAULT = { kind: 'error', ttl_seconds: 60, status: 503, route: '/users' };

const keepAlive = new Agent({ keepAlive: true, maxSockets: 8 });

/**
 * A request with nothing added (no service credential): what an attacker can send. node:http sends the
 * path byte for byte (fetch would resolve `..` and `.` segments before sending).
 */
function raw(
  method: string,
  url: string,
  init: { body?: string; headers?: Record<string, string> } = {},
): Promise<{
  status: number;
  body: { error?: { code?: string; message?: string } } & Record<string, unknown>;
}> {
  const target = new URL(url);
  const path = url.slice(target.origin.length);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method,
        path,
        // A length for every body: node:http would send a DELETE body unframed.
        headers: {
          ...init.headers,
          ...(init.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(init.body)) }),
        },
        timeout: 20_000,
        agent: keepAlive,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = null;
          try {
            body = text === '' ? null : JSON.parse(text);
          } catch {
            body = { text };
          }
          resolve({ status: res.statusCode ?? 0, body: (body ?? {}) as never });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    req.end(init.body);
  });
}

/** A random Luhn-valid 16-digit number (never a test card the services special-case). */
function randomCard(): string {
  const digits = [4, ...Array.from({ length: 14 }, () => randomInt(10))];
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    let d = digits[14 - i]!;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.join('') + String((10 - (sum % 10)) % 10);
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

let stack: Stack;
let gw: string;
let hook: Server;
let hookPort: number;
const hookHits: string[] = [];

beforeAll(async () => {
  hookPort = await freePort();
  // An allowed webhook receiver that redirects into payment-service (a refund): must not be followed.
  hook = createServer((req, res) => {
    hookHits.push(req.url ?? '');
    req.resume();
    res.writeHead(307, { location: `http://127.0.0.1:${stack.ports.payment}/payments/1/refund` }).end();
  });
  await new Promise<void>((resolve) => hook.listen(hookPort, '127.0.0.1', resolve));
  stack = await startStack({
    hub: true,
    env: {
      notification: {
        NOTIFY_WEBHOOK_ALLOW: `127.0.0.1:${hookPort}`,
        NOTIFY_MAX_ATTEMPTS: '2',
        NOTIFY_RETRY_BASE_MS: '50',
      },
    },
  });
  gw = stack.url('gateway');
}, 300_000);

afterAll(async () => {
  keepAlive.destroy();
  await stack?.close();
  await new Promise((resolve) => hook?.close(resolve));
});

describe('the gateway is the only public door', () => {
  it('internal APIs are not reachable through it, and trying changes nothing', async () => {
    const placed = await placeOrder(gw, 'attack-door-1');
    expect(placed.status).toBe(201);
    const orderId = placed.body.id as number;
    const paymentId = placed.body.payment.id as number;
    const stockBefore = (await http('GET', `${gw}/products/1/inventory`)).body.available as number;
    const attempts: Array<[string, string, unknown?]> = [
      ['POST', `/payments/${paymentId}/refund`],
      ['POST', `/orders/${orderId}/cancel`],
      ['POST', '/products/1/inventory/adjust', { warehouse: 'eu-west', delta: -5, reason: 'correction' }],
      ['POST', '/inventory/reservations', { order_id: '999', items: [{ product_id: 1, quantity: 1 }] }],
      ['POST', '/payments', { order_id: '1', amount_cents: 1, currency: 'USD', payment_method_token: 'x' }],
      ['GET', `/payments?order_id=${orderId}`],
      ['GET', `/payments/${paymentId}`],
      ['POST', '/payment-methods', { type: 'card' }],
      ['POST', '/notifications', { channel: 'email' }],
      ['GET', '/notifications'],
      ['GET', '/users/1/anything'],
    ];
    for (const [method, path, body] of attempts) {
      const res = await raw(method, gw + path, {
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
      });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error?.code, `${method} ${path}`).toBe('ROUTE_NOT_FOUND');
    }
    const payment = await http('GET', `${stack.url('payment')}/payments/${paymentId}`);
    expect(payment.body.status).toBe('succeeded');
    expect((await http('GET', `${gw}/orders/${orderId}`)).body.status).toBe('completed');
    expect((await http('GET', `${gw}/products/1/inventory`)).body.available).toBe(stockBefore);
    // The public API still works.
    expect((await raw('GET', `${gw}/products/1`)).status).toBe(200);
    expect((await raw('GET', `${gw}/users/1`)).status).toBe(200);
  });

  it('dot-segments and encoded separators are refused by every service and the gateway', async () => {
    const paths = [
      '/payments/../admin/faults',
      '/users/../metrics',
      '/users/./1',
      '/users/%2e%2e/metrics',
      '/users/%2E%2E%2Fmetrics',
      '/users/..%2fmetrics',
      '/users/..%5cmetrics',
      '/users/%252e%252e/metrics',
      '/users\\..\\metrics',
      '/users//1',
      '/users/%00',
    ];
    for (const name of SERVICES) {
      for (const path of paths) {
        const res = await raw('GET', stack.url(name) + path);
        expect(res.status, `${name} ${path}`).toBe(400);
        expect(res.body.error?.code, `${name} ${path}`).toBe('INVALID_PATH');
      }
    }
  });

  it('an encoded admin path reaches the admin check on all six services (no /%61dmin bypass)', async () => {
    for (const name of SERVICES) {
      for (const path of ['/%61dmin/faults', '/admin/%66aults', '/%41dmin/faults']) {
        const res = await raw('POST', stack.url(name) + path, {
          body: JSON.stringify(FAULT),
          headers: { 'content-type': 'application/json' },
        });
        expect([401, 404], `${name} ${path}`).toContain(res.status);
      }
      const listed = await http('GET', `${stack.url(name)}/admin/faults`, undefined, AUTH);
      expect(listed.body.items, name).toEqual([]);
      // The operator's token still works through the same route.
      expect((await raw('GET', `${stack.url(name)}/%61dmin/faults`, { headers: AUTH })).status).toBe(200);
    }
  });
});

describe('service-to-service trust', () => {
  it('internal endpoints refuse callers without the service credential', async () => {
    const calls: Array<[ServiceName, string, string]> = [
      ['payment', 'POST', '/payments/1/refund'],
      ['payment', 'GET', '/payments?order_id=1'],
      ['product', 'POST', '/products/1/inventory/adjust'],
      ['product', 'POST', '/inventory/reservations'],
      ['order', 'POST', '/orders/1/cancel'],
      ['notification', 'POST', '/notifications'],
      ['user', 'GET', '/users'],
    ];
    for (const [name, method, path] of calls) {
      const variants: Array<Record<string, string>> = [
        {},
        { 'x-vigil-service-token': 'guessed', 'x-vigil-caller': 'order-service' },
      ];
      for (const headers of variants) {
        const res = await raw(method, stack.url(name) + path, { headers });
        expect(res.status, `${name} ${method} ${path}`).toBe(401);
        expect(res.body.error?.code).toBe('SERVICE_CREDENTIAL_REQUIRED');
      }
    }
    // Probes and scrapes stay open; admin keeps its own token.
    expect((await raw('GET', `${stack.url('payment')}/health/ready`)).status).toBe(200);
    expect((await raw('GET', `${stack.url('payment')}/metrics`)).status).toBe(200);
    expect((await raw('GET', `${stack.url('payment')}/admin/faults`)).status).toBe(401);
  });

  it("another caller cannot claim the order flow's charge keys: the next order still completes", async () => {
    const last = (await placeOrder(gw, 'attack-claim-0')).body.id as number;
    const method = await http('POST', `${stack.url('payment')}/payment-methods`, {
      type: 'card',
      card_number: '4111111111111111',
      exp_month: 12,
      exp_year: 2034,
      cvv: '123',
    });
    for (const id of [last + 1, last + 2]) {
      const claim = await http(
        'POST',
        `${stack.url('payment')}/payments`,
        { order_id: String(id), amount_cents: 1, currency: 'USD', payment_method_token: method.body.token },
        { 'idempotency-key': `order-${id}` },
      );
      expect(claim.status).toBe(201);
    }
    const next = await placeOrder(gw, 'attack-claim-1');
    expect(next.status).toBe(201);
    expect(next.body.status).toBe('completed');
  });
});

describe('outbound requests are allow-listed by destination', () => {
  const data = {
    order_id: 77,
    total_cents: 100,
    currency: 'USD',
    items: [{ product_id: 1, quantity: 1, unit_price_cents: 100 }],
  };
  const notify = (url: string) =>
    http('POST', `${stack.url('notification')}/notifications`, {
      channel: 'webhook',
      template: 'order_confirmation',
      url,
      data,
    });

  it('refuses Vigil services, loopback, private, link-local and reserved targets', async () => {
    const targets = [
      `http://127.0.0.1:${stack.ports.payment}/payments/1/refund`,
      `http://localhost:${stack.ports.order}/orders/1/cancel`,
      `http://127.0.0.2:${hookPort}/`,
      'http://10.0.0.1/',
      'http://172.16.5.4/',
      'http://192.168.1.1/',
      'http://169.254.169.254/latest/meta-data',
      'http://100.64.0.1/',
      'http://0.0.0.0/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[fd00::1]/',
      'http://[fe80::1]/',
      'http://2130706433/',
      'http://0x7f000001/',
      `http://user:pw@127.0.0.1:${hookPort}/`,
    ];
    for (const url of targets) {
      const res = await notify(url);
      expect(res.status, url).toBeOneOf([400, 422]);
    }
  });

  it('does not follow a redirect from an allowed destination into the network', async () => {
    const paymentId = (await placeOrder(gw, 'attack-redirect-1')).body.payment.id as number;
    const queued = await notify(`http://127.0.0.1:${hookPort}/hook`);
    expect(queued.status).toBe(202);
    const dead = await waitFor(
      async () => {
        const n = await http('GET', `${stack.url('notification')}/notifications/${queued.body.id}`);
        return n.body.status === 'dead' ? n.body : undefined;
      },
      { timeoutMs: 15_000, description: 'redirecting webhook dead-lettered' },
    );
    expect(dead.attempts).toBe(2);
    expect(hookHits.filter((u) => u === '/hook')).toHaveLength(2);
    const payment = await http('GET', `${stack.url('payment')}/payments/${paymentId}`);
    expect(payment.body.status).toBe('succeeded');
    const one = await http('GET', `${stack.url('payment')}/payments/1`);
    expect(one.body.status).not.toBe('refunded');
  });
});

describe('the public API refuses cross-site writes and non-JSON', () => {
  it('body-less and JSON POSTs with a foreign Origin or Sec-Fetch-Site are refused', async () => {
    const foreign: Array<Record<string, string>> = [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of foreign) {
      const bodyless = await raw('POST', `${gw}/orders`, { headers });
      expect(bodyless.status, JSON.stringify(headers)).toBe(403);
      expect(bodyless.body.error?.code).toBe('CROSS_SITE_REQUEST');
      const json = await raw('POST', `${gw}/users`, {
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'x@example.com', name: 'X' }),
      });
      expect(json.status).toBe(403);
    }
    // Same origin (and no Origin at all, e.g. curl) is fine.
    const same = await raw('POST', `${gw}/orders`, {
      headers: { origin: gw, 'sec-fetch-site': 'same-origin', 'idempotency-key': 'k-same' },
    });
    expect(same.status).toBe(400);
    // A form post is not JSON.
    const form = await raw('POST', `${gw}/users`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a%40b.c',
    });
    expect(form.status).toBe(415);
  });

  it('a non-UTF-8 charset is refused, not misread', async () => {
    const body = Buffer.from(JSON.stringify({ email: 'u16@example.com', name: 'Ü' }), 'utf16le');
    for (const base of [gw, stack.url('user')]) {
      const res = await fetch(`${base}/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-16', 'x-vigil-service-token': 'n/a' },
        body,
      });
      expect(res.status).toBe(415);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNSUPPORTED_CHARSET');
    }
  });

  it('deeply nested JSON is a client error, never a 502 from the gateway', async () => {
    const before = await raw('GET', `${gw}/metrics`);
    const depth = 200_000;
    for (const path of ['/orders', '/users']) {
      const res = await raw('POST', gw + path, {
        headers: { 'content-type': 'application/json', 'idempotency-key': 'deep-1' },
        body: `${'['.repeat(depth)}${']'.repeat(depth)}`,
      });
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      const obj = await raw('POST', gw + path, {
        headers: { 'content-type': 'application/json', 'idempotency-key': 'deep-2' },
        body: `{"items":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`,
      });
      expect(obj.status, path).toBeLessThan(500);
    }
    const after = await raw('GET', `${gw}/metrics`);
    const errors = (text: unknown) =>
      String((text as { text?: string }).text ?? '').match(/^gateway_upstream_errors_total\{.*$/gm) ?? [];
    expect(errors(after.body)).toEqual(errors(before.body));
  });

  it('400 messages never echo JavaScript internals', async () => {
    const bodies = [
      '[]',
      'null',
      '"x"',
      '1',
      '{"__proto__":{"a":1}}',
      '{"constructor":{"prototype":1}}',
      '{',
    ];
    const targets: Array<[ServiceName, string]> = [
      ['gateway', '/orders'],
      ['gateway', '/users'],
      ['order', '/orders'],
      ['payment', '/payments'],
      ['payment', '/payment-methods'],
      ['notification', '/notifications'],
      ['product', '/inventory/reservations'],
      ['user', '/users'],
    ];
    for (const [name, path] of targets) {
      for (const body of bodies) {
        const res = await http('POST', stack.url(name) + path, body, {
          'idempotency-key': `msg-${randomInt(1e9)}`,
        });
        expect(res.status, `${name} ${path} ${body}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${name} ${path} ${body}`).toBeLessThan(500);
        expect(JSON.stringify(res.body), `${name} ${path} ${body}`).not.toMatch(
          /TypeError|ReferenceError|SyntaxError|Cannot read|is not a function|Unexpected token|at [\w.]+ \(|\.ts:\d+|Object\.|prototype/,
        );
      }
    }
  });
});

describe('card numbers never reach logs, spans or files', () => {
  it('a random card sent in paths, queries, headers and bodies is found nowhere afterwards', async () => {
    const card = randomCard();
    const dotted = card.replace(/(\d{4})(?=\d)/g, '$1.');
    const slashed = card.replace(/(\d{4})(?=\d)/g, '$1/');
    const spaced = card.replace(/(\d{4})(?=\d)/g, '$1 ');
    const traceIds: string[] = [];
    const send = async (
      method: string,
      url: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) => {
      const res = await fetch(url, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          'x-card': card,
          referer: `https://shop.example/?card=${card}`,
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      await res.arrayBuffer();
      const id = res.headers.get('x-trace-id');
      if (id) traceIds.push(id);
      return res.status;
    };
    await send('GET', `${gw}/products/${card}`);
    await send('GET', `${gw}/products/x${card}y`);
    await send('GET', `${gw}/products/${dotted}`);
    await send('GET', `${gw}/products/${encodeURIComponent(spaced)}`);
    await send('GET', `${gw}/orders/${slashed}`);
    await send('GET', `${gw}/products?q=${card}&limit=${dotted}`);
    await send('GET', `${gw}/orders?customer_id=${encodeURIComponent(spaced)}`);
    await send('GET', `${gw}/users/${card}/orders`);
    await send('POST', `${gw}/users`, { email: `c${card}@example.com`, name: `n ${spaced}` });
    await send(
      'POST',
      `${gw}/orders`,
      { customer_id: card, items: [{ product_id: card, quantity: 1 }] },
      {
        'idempotency-key': `k${card}`,
      },
    );
    await send(
      'POST',
      `${gw}/orders`,
      {
        customer_id: 1,
        items: [{ product_id: 1, quantity: 1 }],
        payment_method: { type: 'card', card_number: `${card}x`, exp_month: 12, exp_year: 2034, cvv: '123' },
      },
      { 'idempotency-key': `pii-${randomInt(1e9)}` },
    );
    await send('GET', `${stack.url('product')}/products/${card}`, undefined, {
      'x-vigil-service-token': 'wrong',
    });
    await send('GET', `${stack.url('order')}/orders?customer_id=${dotted}`);
    // The hub has every request's trace (spans exported, stored) before the files are searched.
    await waitFor(
      async () => {
        for (const id of traceIds) {
          const res = await fetch(`${stack.hubApi}/api/traces/${id}`);
          if (res.status !== 200) return false;
        }
        return true;
      },
      { timeoutMs: 20_000, description: 'all traces stored in the hub' },
    );
    const spans = await Promise.all(
      traceIds.map(async (id) => await (await fetch(`${stack.hubApi}/api/traces/${id}`)).text()),
    );
    expect(spans.join('\n')).toContain('[REDACTED:card]');
    const needles = [
      card,
      dotted,
      slashed,
      spaced,
      encodeURIComponent(spaced),
      card.slice(0, 8) + card.slice(8),
    ];
    const haystacks: Array<[string, string]> = [
      ['logs', stack.logs()],
      ['spans', spans.join('\n')],
      ...filesUnder(stack.dir).map((f): [string, string] => [f, readFileSync(f).toString('latin1')]),
    ];
    for (const [where, text] of haystacks) {
      for (const needle of needles) expect(text.includes(needle), `${needle} in ${where}`).toBe(false);
    }
  });
});

// Every route of every service, as templates (`:id` gets fuzzed), and the keys their bodies use.
const ROUTES: Record<(typeof SERVICES)[number], Array<[string, string]>> = {
  gateway: [
    ['GET', '/users'],
    ['POST', '/users'],
    ['GET', '/users/:id'],
    ['GET', '/products'],
    ['GET', '/products/:id'],
    ['GET', '/products/:id/inventory'],
    ['POST', '/orders'],
    ['GET', '/orders'],
    ['GET', '/orders/:id'],
  ],
  user: [
    ['GET', '/users'],
    ['POST', '/users'],
    ['GET', '/users/:id'],
  ],
  product: [
    ['GET', '/products'],
    ['GET', '/products/:id'],
    ['GET', '/products/:id/inventory'],
    ['POST', '/products/:id/inventory/adjust'],
    ['POST', '/inventory/reservations'],
    ['GET', '/inventory/reservations/:id'],
    ['POST', '/inventory/reservations/:id/commit'],
    ['POST', '/inventory/reservations/:id/release'],
  ],
  order: [
    ['POST', '/orders'],
    ['GET', '/orders'],
    ['GET', '/orders/:id'],
    ['POST', '/orders/:id/cancel'],
  ],
  payment: [
    ['POST', '/payment-methods'],
    ['POST', '/payments'],
    ['GET', '/payments'],
    ['GET', '/payments/:id'],
    ['POST', '/payments/:id/refund'],
  ],
  notification: [
    ['POST', '/notifications'],
    ['GET', '/notifications'],
    ['GET', '/notifications/:id'],
  ],
};
const COMMON = ['/health/ready', '/health/live', '/metrics', '/admin/faults', '/admin/faults/:id'];
const KEYS = [
  'customer_id',
  'items',
  'product_id',
  'quantity',
  'payment_method',
  'type',
  'card_number',
  'exp_month',
  'exp_year',
  'cvv',
  'email',
  'name',
  'segment',
  'warehouse',
  'delta',
  'reason',
  'order_id',
  'amount_cents',
  'currency',
  'payment_method_token',
  'channel',
  'template',
  'to',
  'url',
  'data',
];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; boundary=x',
  '',
];

describe('fuzz over every route', () => {
  it('thousands of seeded random requests: zero 5xx, zero restarts', async () => {
    const seed = Number(process.env.VIGIL_FUZZ_SEED ?? 20261201);
    const prng = createPrng(seed);
    const pids = Object.fromEntries(SERVICES.map((n) => [n, stack.service(n).child.pid]));
    const cases = Number(process.env.VIGIL_FUZZ_CASES ?? 2000);
    const failures: string[] = [];
    let next = 0;
    const one = async (): Promise<void> => {
      const name = prng.pick(SERVICES);
      const [method, template] =
        prng.next() < 0.9
          ? prng.pick(ROUTES[name])
          : [prng.pick(['GET', 'POST', 'DELETE', 'PUT']), prng.pick(COMMON)];
      let path = template.replace(/:id/g, () =>
        prng.next() < 0.3 ? String(prng.int(20)) : randomUrlComponent(prng),
      );
      if (prng.next() < 0.3)
        path += `?${prng.pick(['limit', 'offset', 'customer_id', 'order_id', 'status', 'segment', 'q'])}=${randomUrlComponent(prng)}`;
      const headers: Record<string, string> = {};
      if (name !== 'gateway' && prng.next() < 0.85)
        Object.assign(headers, { 'x-vigil-service-token': SERVICE_TOKEN });
      if (prng.next() < 0.5)
        headers['idempotency-key'] = prng.next() < 0.7 ? `fz-${prng.int(1e9)}` : randomUrlComponent(prng);
      if (prng.next() < 0.1) headers.origin = prng.pick(['https://evil.example', 'null', stack.url(name)]);
      let body: string | undefined;
      if (method !== 'GET' && prng.next() < 0.9) {
        body = randomBodyText(prng, KEYS);
        const type = prng.pick(CONTENT_TYPES);
        if (type) headers['content-type'] = type;
      }
      const res = await raw(method, stack.url(name) + path, { headers, body }).catch((err: Error) => ({
        status: 0,
        body: { error: { message: err.message } },
      }));
      if (res.status >= 500 || res.status === 0) {
        failures.push(
          `${res.status} ${name} ${method} ${path} ${JSON.stringify(headers)} ${body?.slice(0, 200)}`,
        );
      }
    };
    const worker = async () => {
      while (next++ < cases) await one();
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    expect(failures, `seed ${seed}`).toEqual([]);
    for (const name of SERVICES) {
      expect(stack.service(name).child.exitCode, name).toBeNull();
      expect(stack.service(name).child.pid, name).toBe(pids[name]);
      expect((await raw('GET', `${stack.url(name)}/health/ready`)).status, name).toBe(200);
    }
  }, 300_000);
});
