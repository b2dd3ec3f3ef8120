export { type BuildAppOptions, buildApp } from './app.ts';
export { readConfig, SERVICE_NAME } from './config.ts';
export { maskEmail, renderOrderConfirmation } from './domain/notification.ts';
