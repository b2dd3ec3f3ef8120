import { adminFaultsSuite } from '@vigil/service-kit/testing';
import { createTelemetry } from '@vigil/telemetry';
import { buildApp } from '../src/app.ts';

adminFaultsSuite(
  { service: 'product-service', url: '/products/1', route: '/products/:id', otherUrl: '/products' },
  () =>
    buildApp({
      telemetry: createTelemetry({
        service: 'product-service',
        version: 'test',
        env: { LOG_LEVEL: 'fatal' },
      }),
      databaseFile: ':memory:',
    }),
);
