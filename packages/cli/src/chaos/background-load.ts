/**
 * Background load for chaos runs and the gameday: a constant mixed journey through the gateway
 * (browse products, look up a user, place an order, read it back). This is the one seam to the
 * load engine: when `vigil load`'s programmatic API is on main, `startBackgroundLoad` becomes
 * a call to it and nothing else changes.
 */

export interface LoadStats {
  readonly requests: number;
  readonly ok: number;
  readonly failed: number;
}

export interface BackgroundLoad {
  stats(): LoadStats;
  stop(): Promise<LoadStats>;
}

export interface LoadOptions {
  /** Journeys started per second (each is 4 requests). */
  readonly journeysPerSecond: number;
}

const CARD = { type: 'card', card_number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2034, cvv: '123' };

export function startBackgroundLoad(gatewayUrl: string, opts: LoadOptions): BackgroundLoad {
  let requests = 0;
  let ok = 0;
  let failed = 0;
  let n = 0;
  const run = `chaos-${Date.now()}`;
  const inflight = new Set<Promise<void>>();
  const call = async (path: string, init?: RequestInit): Promise<unknown> => {
    requests++;
    try {
      const res = await fetch(`${gatewayUrl}${path}`, { ...init, signal: AbortSignal.timeout(15_000) });
      const body = await res.json().catch(() => undefined);
      if (res.status < 500) ok++;
      else failed++;
      return res.ok ? body : undefined;
    } catch {
      failed++;
      return undefined;
    }
  };
  const journey = async (i: number) => {
    await call('/products');
    await call(`/users/${(i % 12) + 1}`);
    const order = (await call('/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `${run}-${i}` },
      body: JSON.stringify({
        customer_id: (i % 12) + 1,
        items: [{ product_id: (i % 5) + 1, quantity: 1 }],
        payment_method: CARD,
      }),
    })) as { id?: unknown } | undefined;
    if (order?.id !== undefined) await call(`/orders/${String(order.id)}`);
  };
  const timer = setInterval(
    () => {
      const p = journey(n++).finally(() => inflight.delete(p));
      inflight.add(p);
    },
    Math.max(10, Math.round(1000 / opts.journeysPerSecond)),
  );
  const stats = () => ({ requests, ok, failed });
  return {
    stats,
    async stop() {
      clearInterval(timer);
      await Promise.allSettled([...inflight]);
      return stats();
    },
  };
}
