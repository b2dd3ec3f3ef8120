import { describe, expect, it } from 'vitest';
import { proxyRoutes } from '../../src/domain/routes-table.ts';

describe('gateway routes', () => {
  it('every route is unique and maps to the service owning its prefix', () => {
    const routes = proxyRoutes();
    const keys = routes.map((r) => `${r.method} ${r.url}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of routes) {
      const prefix = r.url.split('/')[1];
      const owner = {
        users: 'user-service',
        products: 'product-service',
        orders: 'order-service',
        payments: 'payment-service',
        'payment-methods': 'payment-service',
        notifications: 'notification-service',
      }[prefix!];
      expect(r.upstream, r.url).toBe(owner);
    }
  });

  it('uses route templates (bounded labels), never raw ids', () => {
    for (const r of proxyRoutes()) expect(r.url).not.toMatch(/\/[0-9]+/);
    expect(proxyRoutes().find((r) => r.method === 'GET' && r.url === '/orders/:id')).toBeTruthy();
  });
});
