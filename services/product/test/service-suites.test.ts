import { serviceSuites } from '@vigil/service-kit/testing';
import { createTelemetry } from '@vigil/telemetry';
import { buildApp, openServiceDatabase } from '../src/app.ts';

// The shared behaviour every service shows (packages/service-kit/src/testing/service-suites.ts).
serviceSuites(
  { service: 'product-service', url: '/products/1', route: '/products/:id', otherUrl: '/products' },
  {
    build: (database) =>
      buildApp({
        telemetry: createTelemetry({
          service: 'product-service',
          version: 'test',
          env: { LOG_LEVEL: 'fatal' },
        }),
        database,
      }),
    openDatabase: () => openServiceDatabase(':memory:'),
  },
);
