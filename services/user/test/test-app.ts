import { createTelemetry } from '@vigil/telemetry';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';

/** The real app with real telemetry on an in-memory, freshly seeded database. */
export async function buildTestApp(): Promise<FastifyInstance> {
  const telemetry = createTelemetry({
    service: 'user-service',
    version: 'test',
    env: { LOG_LEVEL: 'warn', VIGIL_TELEMETRY: 'on' },
  });
  const app = await buildApp({ telemetry, databaseFile: ':memory:' });
  await app.ready();
  return app;
}
