import { serviceSuites } from '@vigil/service-kit/testing';
import { createTelemetry } from '@vigil/telemetry';
import { buildApp, openServiceDatabase } from '../src/app.ts';

// The shared behaviour every service shows (packages/service-kit/src/testing/service-suites.ts).
serviceSuites(
  { service: 'user-service', url: '/users/1', route: '/users/:id', otherUrl: '/users' },
  {
    build: (database) =>
      buildApp({
        telemetry: createTelemetry({ service: 'user-service', version: 'test', env: { LOG_LEVEL: 'fatal' } }),
        database,
      }),
    openDatabase: () => openServiceDatabase(':memory:'),
  },
);
