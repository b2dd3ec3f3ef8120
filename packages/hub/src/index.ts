export { createHub, type Hub, type HubOptions } from './app.ts';
export { type HubConfig, hubEnvSchema, loadHubConfig, parseHubConfig } from './config.ts';
export { type HubDatabase, openHubDatabase } from './storage/database.ts';
export { uiStatic } from './ui-static.ts';
