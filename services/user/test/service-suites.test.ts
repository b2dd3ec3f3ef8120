import { adminFaultsSuite, databaseFaultSuite } from '@vigil/service-kit/testing';
import { createTelemetry } from '@vigil/telemetry';
import { buildApp, openServiceDatabase } from '../src/app.ts';

// The shared behaviour every service shows (packages/service-kit/src/testing/service-suites.ts).
const target = { service: 'user-service', url: '/users/1', route: '/users/:id', otherUrl: '/users' };
const telemetry = () =>
  createTelemetry({ service: 'user-service', version: 'test', env: { LOG_LEVEL: 'fatal' } });

adminFaultsSuite(target, () => buildApp({ telemetry: telemetry(), databaseFile: ':memory:' }));

const database = openServiceDatabase(':memory:');
databaseFaultSuite(
  target,
  () => buildApp({ telemetry: telemetry(), database }),
  () => database.close(),
);
