import { runService } from '@vigil/service-kit';
import packageJson from '../package.json' with { type: 'json' };
import { buildApp } from './app.ts';
import { readConfig, SERVICE_NAME } from './config.ts';

await runService({ name: SERVICE_NAME, version: packageJson.version, readConfig, buildApp });
