export { type BuildAppOptions, buildApp } from './app.ts';
export { readConfig, SERVICE_NAME } from './config.ts';
export { proxyRoutes } from './domain/routes-table.ts';
