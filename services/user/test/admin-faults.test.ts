import { adminFaultsSuite } from '@vigil/service-kit/testing';
import { createTelemetry } from '@vigil/telemetry';
import { buildApp } from '../src/app.ts';

adminFaultsSuite({ service: 'user-service', url: '/users/1', route: '/users/:id', otherUrl: '/users' }, () =>
  buildApp({
    telemetry: createTelemetry({ service: 'user-service', version: 'test', env: { LOG_LEVEL: 'fatal' } }),
    databaseFile: ':memory:',
  }),
);
