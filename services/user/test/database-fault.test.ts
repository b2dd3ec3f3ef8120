import { databaseFaultSuite } from '@vigil/service-kit/testing';
import { createTelemetry } from '@vigil/telemetry';
import { buildApp, openServiceDatabase } from '../src/app.ts';

const database = openServiceDatabase(':memory:');
databaseFaultSuite(
  { service: 'user-service', url: '/users/1', route: '/users/:id', otherUrl: '/users' },
  () =>
    buildApp({
      telemetry: createTelemetry({ service: 'user-service', version: 'test', env: { LOG_LEVEL: 'fatal' } }),
      database,
    }),
  () => database.close(),
);
