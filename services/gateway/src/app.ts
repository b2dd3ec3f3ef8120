import { createServiceApp } from '@vigil/service-kit';
import type { Telemetry } from '@vigil/telemetry';
import type { FastifyInstance } from 'fastify';
import { type GatewayConfig, readConfig } from './config.ts';
import { registerProxyRoutes } from './routes/proxy-routes.ts';

export interface BuildAppOptions {
  telemetry: Telemetry;
  /** Defaults to the defaults of config.ts (tests). */
  config?: Omit<GatewayConfig, 'HOST' | 'PORT' | 'VIGIL_DATA_DIR' | 'VIGIL_ADMIN_TOKEN'>;
}

/** The gateway: the single entry point, where every trace starts. */
export async function buildApp({
  telemetry,
  config = readConfig({}),
}: BuildAppOptions): Promise<FastifyInstance> {
  const { app } = await createServiceApp({ telemetry });
  const upstreamErrors = telemetry.counter({
    name: 'gateway_upstream_errors_total',
    help: 'Requests the gateway could not complete upstream, by upstream and reason (timeout, unavailable).',
    labelNames: ['upstream', 'reason'],
  });
  await registerProxyRoutes(app, {
    upstreams: {
      'user-service': config.USER_SERVICE_URL,
      'product-service': config.PRODUCT_SERVICE_URL,
      'order-service': config.ORDER_SERVICE_URL,
      'payment-service': config.PAYMENT_SERVICE_URL,
      'notification-service': config.NOTIFICATION_SERVICE_URL,
    },
    timeoutMs: config.GATEWAY_TIMEOUT_MS,
    ordersTimeoutMs: config.GATEWAY_ORDERS_TIMEOUT_MS,
    onUpstreamError: (upstream, reason) => upstreamErrors.inc({ upstream, reason }),
  });
  return app;
}
