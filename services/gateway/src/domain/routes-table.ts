export type Upstream =
  | 'user-service'
  | 'product-service'
  | 'order-service'
  | 'payment-service'
  | 'notification-service';

export interface ProxyRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Fastify route template; it is also the `route` label of the RED metrics. */
  url: string;
  upstream: Upstream;
  /** Overrides the default upstream deadline (placing an order waits on payment). */
  timeout?: 'orders';
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

// Known endpoints get their own templates so dashboards read `/orders/:id`, not `/orders/*`.
const KNOWN: readonly ProxyRoute[] = [
  { method: 'GET', url: '/users', upstream: 'user-service' },
  { method: 'POST', url: '/users', upstream: 'user-service' },
  { method: 'GET', url: '/users/:id', upstream: 'user-service' },
  { method: 'GET', url: '/products', upstream: 'product-service' },
  { method: 'GET', url: '/products/:id', upstream: 'product-service' },
  { method: 'GET', url: '/products/:id/inventory', upstream: 'product-service' },
  { method: 'POST', url: '/orders', upstream: 'order-service', timeout: 'orders' },
  { method: 'GET', url: '/orders', upstream: 'order-service' },
  { method: 'GET', url: '/orders/:id', upstream: 'order-service' },
  { method: 'POST', url: '/orders/:id/cancel', upstream: 'order-service' },
  { method: 'POST', url: '/payment-methods', upstream: 'payment-service' },
  { method: 'POST', url: '/payments', upstream: 'payment-service' },
  { method: 'GET', url: '/payments', upstream: 'payment-service' },
  { method: 'GET', url: '/payments/:id', upstream: 'payment-service' },
  { method: 'POST', url: '/payments/:id/refund', upstream: 'payment-service' },
  { method: 'POST', url: '/notifications', upstream: 'notification-service' },
  { method: 'GET', url: '/notifications', upstream: 'notification-service' },
  { method: 'GET', url: '/notifications/:id', upstream: 'notification-service' },
];

const PREFIXES: ReadonlyArray<[string, Upstream]> = [
  ['/users', 'user-service'],
  ['/products', 'product-service'],
  ['/orders', 'order-service'],
  ['/payments', 'payment-service'],
  ['/notifications', 'notification-service'],
];

/** Every route the gateway serves: the known ones, then a bounded catch-all per prefix. */
export function proxyRoutes(): ProxyRoute[] {
  const routes = [...KNOWN];
  const taken = new Set(KNOWN.map((r) => `${r.method} ${r.url}`));
  for (const [prefix, upstream] of PREFIXES) {
    for (const method of METHODS) {
      for (const url of [prefix, `${prefix}/*`]) {
        if (!taken.has(`${method} ${url}`)) routes.push({ method, url, upstream });
      }
    }
  }
  return routes;
}
