import { openDatabase } from '@vigil/service-kit';
import { serviceSuites } from '@vigil/service-kit/testing';
import { createTelemetry } from '@vigil/telemetry';
import { migrations } from '../src/adapters/migrations.ts';
import { buildApp } from '../src/app.ts';

// The shared behaviour every service shows (packages/service-kit/src/testing/service-suites.ts).
const target = {
  service: 'order-service',
  url: '/orders?customer_id=1',
  route: '/orders',
  otherUrl: '/health/live',
};

serviceSuites(target, {
  build: (database) =>
    buildApp({
      telemetry: createTelemetry({ service: 'order-service', version: 'test', env: { LOG_LEVEL: 'fatal' } }),
      database,
    }),
  openDatabase: () => openDatabase(':memory:', migrations),
});
