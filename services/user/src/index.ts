export { type BuildAppOptions, buildApp, openServiceDatabase } from './app.ts';
export { readConfig, SERVICE_NAME, type UserConfig } from './config.ts';
export { SEGMENTS, type Segment, type User } from './domain/user.ts';
