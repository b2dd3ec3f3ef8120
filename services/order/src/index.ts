export { type BuildAppOptions, buildApp } from './app.ts';
export { readConfig, SERVICE_NAME } from './config.ts';
export { canTransition, ORDER_STATUSES, type Order, type OrderStatus } from './domain/order.ts';
