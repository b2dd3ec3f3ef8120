import { serviceSuites } from '@vigil/service-kit/testing';
import { createTelemetry } from '@vigil/telemetry';
import { buildApp as buildUserService } from '@vigil/user-service';
import type { FastifyInstance } from 'fastify';
import { afterAll } from 'vitest';
import { buildApp } from '../src/app.ts';
import { readConfig } from '../src/config.ts';

// The gateway has no database (so no database-fault suite); its admin fault API is checked on a
// route proxied to a real user-service listening on a loopback port.
let upstream: FastifyInstance | undefined;
afterAll(async () => {
  await upstream?.close();
});

serviceSuites(
  { service: 'gateway', url: '/users/1', route: '/users/:id', otherUrl: '/users' },
  {
    build: async () => {
      upstream = await buildUserService({
        telemetry: createTelemetry({ service: 'user-service', version: 'test', env: { LOG_LEVEL: 'fatal' } }),
      });
      const address = await upstream.listen({ host: '127.0.0.1', port: 0 });
      return buildApp({
        telemetry: createTelemetry({ service: 'gateway', version: 'test', env: { LOG_LEVEL: 'fatal' } }),
        config: readConfig({ USER_SERVICE_URL: address }),
      });
    },
  },
);
