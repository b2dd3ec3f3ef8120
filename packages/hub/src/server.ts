import { createHub, type Hub } from './app.ts';
import { loadHubConfig } from './config.ts';

const config = loadHubConfig();
let hub: Hub;
try {
  hub = await createHub(config);
} catch (err) {
  // e.g. the data directory is not writable or the database is not a hub store.
  process.stderr.write(`hub: cannot open the store in ${config.VIGIL_DATA_DIR}: ${(err as Error).message}\n`);
  process.exit(1);
}
const log = hub.query.log;

try {
  await hub.query.listen({ host: config.HOST, port: config.HUB_PORT });
  await hub.receiver.listen({ host: config.HOST, port: config.HUB_OTLP_PORT });
} catch (err) {
  log.fatal({ err }, 'hub could not listen');
  await hub.close().catch(() => {});
  process.exit(1);
}
log.info(
  {
    api: `http://${config.HOST}:${config.HUB_PORT}`,
    otlp: `http://${config.HOST}:${config.HUB_OTLP_PORT}`,
    db: hub.dbFile,
  },
  'hub listening',
);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'hub stopping');
  const force = setTimeout(() => process.exit(1), 15_000);
  force.unref();
  try {
    await hub.close();
    process.exit(0);
  } catch (err) {
    log.error({ err }, 'hub shutdown failed');
    process.exit(1);
  }
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
