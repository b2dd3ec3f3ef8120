import { createServiceApp, openDatabase, type SqliteDatabase } from '@vigil/service-kit';
import type { Telemetry } from '@vigil/telemetry';
import type { FastifyInstance } from 'fastify';
import { migrations } from './adapters/migrations.ts';
import { createUsersRepository } from './adapters/users-repository.ts';
import { SEGMENTS } from './domain/user.ts';
import { registerUsersRoutes } from './routes/users-routes.ts';

export interface BuildAppOptions {
  telemetry: Telemetry;
  /** SQLite file (default `:memory:`, for tests). */
  databaseFile?: string;
  /** An already opened database (see openServiceDatabase); the app closes it on shutdown. */
  database?: SqliteDatabase;
}

/** Opens the service's SQLite file (`:memory:` in tests) with its migrations and seed data applied. */
export function openServiceDatabase(file: string): SqliteDatabase {
  return openDatabase(file, migrations);
}

/** The user-service app without a listening socket (tests drive it with app.inject). */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { telemetry } = options;
  const { app, db } = await createServiceApp({
    telemetry,
    database: options.database ?? { file: options.databaseFile ?? ':memory:', migrations },
  });
  const usersCreated = telemetry.counter({
    name: 'users_created_total',
    help: 'Users created through POST /users, by segment.',
    labelNames: ['segment'],
    known: { segment: SEGMENTS },
  });
  registerUsersRoutes(app, {
    repository: createUsersRepository(db),
    onUserCreated: (segment) => usersCreated.inc({ segment }),
  });
  return app;
}
