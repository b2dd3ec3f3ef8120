import { join } from 'node:path';
import { createTelemetry, type Telemetry } from '@vigil/telemetry';
import type { FastifyInstance } from 'fastify';

/** What runService needs of a service's config (serviceEnvShape). */
export interface RunnableConfig {
  readonly HOST: string;
  readonly PORT: number;
  readonly VIGIL_DATA_DIR: string;
}

export interface ServiceContext<C> {
  readonly telemetry: Telemetry;
  readonly config: C;
  /** `<VIGIL_DATA_DIR>/<name without -service>.sqlite`, for services with a database. */
  readonly databaseFile: string;
}

export interface RunServiceOptions<C extends RunnableConfig> {
  /** The `service` label and topology name, e.g. 'user-service'. */
  readonly name: string;
  readonly version: string;
  /** Reads and checks the environment; exits 78 naming the variable when invalid (loadConfig). */
  readonly readConfig: () => C;
  readonly buildApp: (context: ServiceContext<C>) => Promise<FastifyInstance>;
}

/**
 * A service's whole `server.ts`: read the config, create telemetry, build the app, listen, and on
 * SIGTERM/SIGINT shut down in order. A failure to start is logged as fatal and exits 1.
 */
export async function runService<C extends RunnableConfig>(options: RunServiceOptions<C>): Promise<void> {
  const config = options.readConfig();
  const telemetry = createTelemetry({ service: options.name, version: options.version });
  try {
    const app = await options.buildApp({
      telemetry,
      config,
      databaseFile: join(config.VIGIL_DATA_DIR, `${options.name.replace(/-service$/, '')}.sqlite`),
    });
    await telemetry.start(app, { port: config.PORT, host: config.HOST });
  } catch (err) {
    telemetry.logger.fatal({ err }, `${options.name} failed to start`);
    await telemetry.shutdown();
    process.exit(1);
  }
}
