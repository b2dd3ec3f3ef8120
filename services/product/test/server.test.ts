import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  promtoolCheckMetrics,
  type RunningService,
  runToExit,
  startService,
  stopAllServices,
} from '@vigil/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ENTRY = 'services/product/src/server.ts';
const dataDir = mkdtempSync(join(tmpdir(), 'product-service-'));
let first: RunningService;
let second: RunningService;

beforeAll(async () => {
  first = await startService({ entry: ENTRY, env: { VIGIL_DATA_DIR: dataDir } });
  // A second process on the same SQLite file: reservations must serialize across processes too.
  second = await startService({ entry: ENTRY, env: { VIGIL_DATA_DIR: dataDir } });
});
afterAll(async () => {
  await stopAllServices();
  rmSync(dataDir, { recursive: true, force: true });
});

// The fields these tests read from product-service responses.
interface Body {
  order_id: string;
  available: number;
  reserved: number;
  warehouses: Array<{ warehouse: string; available: number }>;
  error: { code: string };
}

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: Body }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as Body };
}

function postJson(url: string, payload: unknown): Promise<{ status: number; body: Body }> {
  return json(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
}

describe('product-service as real processes', () => {
  it('serves GET /products/:id with x-trace-id', async () => {
    const res = await fetch(`${first.url}/products/1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-trace-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(((await res.json()) as { sku: string }).sku).toBe('ELEC-0001');
  });

  it('200 concurrent orders for 50 units across two processes: exactly 50 succeed, release restores', async () => {
    const productId = 15;
    const inventory = (await json(`${first.url}/products/${productId}/inventory`)).body;
    for (const w of inventory.warehouses) {
      if (w.available > 0) {
        const r = await postJson(`${first.url}/products/${productId}/inventory/adjust`, {
          warehouse: w.warehouse,
          delta: -w.available,
          reason: 'audit',
        });
        expect(r.status).toBe(200);
      }
    }
    await postJson(`${first.url}/products/${productId}/inventory/adjust`, {
      warehouse: 'us-east',
      delta: 50,
      reason: 'restock',
    });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        postJson(`${(i % 2 === 0 ? first : second).url}/inventory/reservations`, {
          order_id: `load-${i}`,
          items: [{ product_id: productId, quantity: 1 }],
        }),
      ),
    );
    const won = results.filter((r) => r.status === 201);
    expect(won).toHaveLength(50);
    expect(
      results.filter((r) => r.status === 409 && r.body.error.code === 'INSUFFICIENT_STOCK'),
    ).toHaveLength(150);
    expect((await json(`${second.url}/products/${productId}/inventory`)).body).toMatchObject({
      available: 0,
      reserved: 50,
    });
    await Promise.all(
      won.map((r, i) =>
        postJson(
          `${(i % 2 === 0 ? second : first).url}/inventory/reservations/${r.body.order_id}/release`,
          {},
        ),
      ),
    );
    expect((await json(`${first.url}/products/${productId}/inventory`)).body).toMatchObject({
      available: 50,
      reserved: 0,
    });
  });

  it('exposes RED metrics by route template and inventory levels that promtool accepts', async () => {
    for (const id of [2, 3, 4, 9999]) await (await fetch(`${first.url}/products/${id}`)).arrayBuffer();
    const text = await (await fetch(`${first.url}/metrics`)).text();
    expect(text).toMatch(/http_requests_total\{[^}]*route="\/products\/:id"[^}]*\}/);
    expect(text).not.toMatch(/route="\/products\/2"/);
    expect(text).toMatch(/inventory_level\{product_id="15",warehouse="us-east"\} 50/);
    const lint = await promtoolCheckMetrics(text);
    expect(lint.output).toBe('');
    expect(lint.code).toBe(0);
  });

  it('exits 0 on SIGTERM', async () => {
    expect(await first.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(await second.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('refuses to start on invalid config with a message naming the variable', async () => {
    const result = await runToExit(ENTRY, { PORT: '99999', VIGIL_DATA_DIR: dataDir });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stderr).toMatch(/product-service: invalid configuration: PORT: /);
  });
});
