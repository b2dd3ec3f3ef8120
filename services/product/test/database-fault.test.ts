import { databaseFaultSuite } from '@vigil/service-kit/testing';
import { createTelemetry } from '@vigil/telemetry';
import { buildApp, openServiceDatabase } from '../src/app.ts';

const database = openServiceDatabase(':memory:');
databaseFaultSuite(
  { service: 'product-service', url: '/products/1', route: '/products/:id', otherUrl: '/products' },
  () =>
    buildApp({
      telemetry: createTelemetry({
        service: 'product-service',
        version: 'test',
        env: { LOG_LEVEL: 'fatal' },
      }),
      database,
    }),
  () => database.close(),
);
