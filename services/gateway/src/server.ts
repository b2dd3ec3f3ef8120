import { createTelemetry } from '@vigil/telemetry';
import packageJson from '../package.json' with { type: 'json' };
import { buildApp } from './app.ts';
import { readConfig, SERVICE_NAME } from './config.ts';

const config = readConfig();
const telemetry = createTelemetry({ service: SERVICE_NAME, version: packageJson.version });
try {
  const app = await buildApp({ telemetry, config });
  await telemetry.start(app, { port: config.PORT, host: config.HOST });
} catch (err) {
  telemetry.logger.fatal({ err }, 'gateway failed to start');
  await telemetry.shutdown();
  process.exit(1);
}
