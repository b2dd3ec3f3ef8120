import { createServiceApp, openDatabase } from '@vigil/service-kit';
import type { Telemetry } from '@vigil/telemetry';
import type { FastifyInstance } from 'fastify';
import { migrations } from './adapters/migrations.ts';
import { createUsersRepository } from './adapters/users-repository.ts';
import { registerUsersRoutes } from './routes/users-routes.ts';

export interface BuildAppOptions {
  telemetry: Telemetry;
  /** SQLite file, or `:memory:` in tests. */
  databaseFile: string;
}

/** The user-service app without a listening socket (tests drive it with app.inject). */
export async function buildApp({ telemetry, databaseFile }: BuildAppOptions): Promise<FastifyInstance> {
  const db = openDatabase(databaseFile, migrations);
  try {
    const app = await createServiceApp({ telemetry });
    app.addHook('onClose', async () => {
      db.close();
    });
    const ping = db.prepare('SELECT 1');
    telemetry.health.addCheck('database', () => {
      ping.get();
    });
    const usersCreated = telemetry.counter({
      name: 'users_created_total',
      help: 'Users created through POST /users, by segment.',
      labelNames: ['segment'],
    });
    registerUsersRoutes(app, {
      repository: createUsersRepository(db),
      onUserCreated: (segment) => usersCreated.inc({ segment }),
    });
    return app;
  } catch (err) {
    db.close();
    throw err;
  }
}
