import { afterEach, describe, expect, it } from 'vitest';
import { createFaultRegistry } from '../../src/faults/fault-registry.ts';
import { faultSpecSchema } from '../../src/faults/fault-spec.ts';

const registry = createFaultRegistry();
afterEach(() => registry.clear());

describe('fault registry', () => {
  it('requires a bounded TTL and known kinds', () => {
    expect(faultSpecSchema.safeParse({ kind: 'readiness' }).success).toBe(false);
    expect(faultSpecSchema.safeParse({ kind: 'readiness', ttl_seconds: 3601 }).success).toBe(false);
    expect(faultSpecSchema.safeParse({ kind: 'bogus', ttl_seconds: 5 }).success).toBe(false);
    expect(faultSpecSchema.safeParse({ kind: 'memory', ttl_seconds: 5, megabytes: 100_000 }).success).toBe(
      false,
    );
    expect(
      faultSpecSchema.safeParse({ kind: 'latency', ttl_seconds: 5, latency_ms: 10, extra: 1 }).success,
    ).toBe(false);
  });

  it('matches latency and error faults by route template or path prefix and method', () => {
    registry.add(
      faultSpecSchema.parse({ kind: 'latency', ttl_seconds: 60, latency_ms: 100, route: '/orders/:id' }),
    );
    registry.add(
      faultSpecSchema.parse({
        kind: 'error',
        ttl_seconds: 60,
        status: 503,
        route: '/payments',
        method: 'post',
      }),
    );
    expect(registry.forRequest('GET', '/orders/:id', '/orders/5')?.latencyMs).toBe(100);
    expect(registry.forRequest('GET', '/orders', '/orders')).toBeUndefined();
    expect(registry.forRequest('POST', '/payments/:id/refund', '/payments/1/refund')?.error?.status).toBe(
      503,
    );
    expect(registry.forRequest('GET', '/payments/:id', '/payments/1')).toBeUndefined();
    expect(registry.forRequest('POST', '/paymentsx', '/paymentsx')).toBeUndefined();
  });

  it('counts active faults per kind and removes them on clear', () => {
    registry.add(faultSpecSchema.parse({ kind: 'readiness', ttl_seconds: 60 }));
    const dep = registry.add(
      faultSpecSchema.parse({ kind: 'dependency', ttl_seconds: 60, target: 'payment-service', mode: 'hang' }),
    );
    expect(registry.counts()).toMatchObject({ readiness: 1, dependency: 1, latency: 0 });
    expect(registry.dependency('payment-service')?.id).toBe(dep.id);
    expect(registry.dependency('user-service')).toBeUndefined();
    expect(registry.remove(dep.id)).toBe(true);
    expect(registry.remove(dep.id)).toBe(false);
    expect(registry.clear()).toBe(1);
    expect(registry.readinessFault()).toBeUndefined();
  });

  it('expires a fault on its TTL', async () => {
    registry.add(faultSpecSchema.parse({ kind: 'readiness', ttl_seconds: 1 }));
    const deadline = Date.now() + 3000;
    while (registry.list().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(registry.list()).toEqual([]);
  });

  it('probability 0 never applies', () => {
    registry.add(faultSpecSchema.parse({ kind: 'error', ttl_seconds: 60, probability: 0 }));
    for (let i = 0; i < 100; i++) expect(registry.forRequest('GET', '/x', '/x')).toBeUndefined();
  });
});
