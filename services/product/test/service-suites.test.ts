import { adminFaultsSuite, databaseFaultSuite } from '@vigil/service-kit/testing';
import { createTelemetry } from '@vigil/telemetry';
import { buildApp, openServiceDatabase } from '../src/app.ts';

// The shared behaviour every service shows (packages/service-kit/src/testing/service-suites.ts).
const target = {
  service: 'product-service',
  url: '/products/1',
  route: '/products/:id',
  otherUrl: '/products',
};
const telemetry = () =>
  createTelemetry({ service: 'product-service', version: 'test', env: { LOG_LEVEL: 'fatal' } });

adminFaultsSuite(target, () => buildApp({ telemetry: telemetry(), databaseFile: ':memory:' }));

const database = openServiceDatabase(':memory:');
databaseFaultSuite(
  target,
  () => buildApp({ telemetry: telemetry(), database }),
  () => database.close(),
);
