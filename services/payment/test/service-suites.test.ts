import { openDatabase } from '@vigil/service-kit';
import { adminFaultsSuite, databaseFaultSuite } from '@vigil/service-kit/testing';
import { createTelemetry } from '@vigil/telemetry';
import { migrations } from '../src/adapters/migrations.ts';
import { buildApp } from '../src/app.ts';

// The shared behaviour every service shows (packages/service-kit/src/testing/service-suites.ts).
const target = {
  service: 'payment-service',
  url: '/payments?order_id=1',
  route: '/payments',
  otherUrl: '/health/live',
};
const telemetry = () =>
  createTelemetry({ service: 'payment-service', version: 'test', env: { LOG_LEVEL: 'fatal' } });

adminFaultsSuite(target, () => buildApp({ telemetry: telemetry() }));

const database = openDatabase(':memory:', migrations);
databaseFaultSuite(
  target,
  () => buildApp({ telemetry: telemetry(), database }),
  () => database.close(),
);
