export type Upstream =
  | 'user-service'
  | 'product-service'
  | 'order-service'
  | 'payment-service'
  | 'notification-service';

export interface ProxyRoute {
  method: 'GET' | 'POST';
  /** Fastify route template; it is also the `route` label of the RED metrics. */
  url: string;
  upstream: Upstream;
  /** Overrides the default upstream deadline (placing an order waits on payment). */
  timeout?: 'orders';
  /** What the upstream answers when it works, if not 200 (RED series from start-up). */
  statuses?: readonly number[];
}

/**
 * The public API: the only routes the gateway serves, an explicit allow-list. Anything else (refunds,
 * stock adjustments, reservations, payments, notifications, order cancellation, admin, metrics of the
 * services behind it) is internal and answered 404 by the gateway itself, never forwarded.
 */
const PUBLIC_ROUTES: readonly ProxyRoute[] = [
  { method: 'GET', url: '/users', upstream: 'user-service' },
  { method: 'POST', url: '/users', upstream: 'user-service', statuses: [201] },
  { method: 'GET', url: '/users/:id', upstream: 'user-service' },
  { method: 'GET', url: '/products', upstream: 'product-service' },
  { method: 'GET', url: '/products/:id', upstream: 'product-service' },
  { method: 'GET', url: '/products/:id/inventory', upstream: 'product-service' },
  { method: 'POST', url: '/orders', upstream: 'order-service', timeout: 'orders', statuses: [201, 202] },
  { method: 'GET', url: '/orders', upstream: 'order-service' },
  { method: 'GET', url: '/orders/:id', upstream: 'order-service' },
];

/** Every route the gateway serves. */
export function proxyRoutes(): readonly ProxyRoute[] {
  return PUBLIC_ROUTES;
}
