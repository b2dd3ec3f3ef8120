// Computes the service dependency graph on its own read-only connection and thread: over a day
// of a large store the join takes seconds, which must not stall ingest and queries on the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { DEPENDENCIES_SQL } from './dependencies-sql.ts';

const db = new Database((workerData as { file: string }).file, { readonly: true });
db.pragma('busy_timeout = 5000');
const stmt = db.prepare(DEPENDENCIES_SQL);

parentPort!.on('message', (msg: { id: number; startNs: number; endNs: number }) => {
  try {
    parentPort!.postMessage({ id: msg.id, data: stmt.all(msg.startNs, msg.endNs) });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: (err as Error).message });
  }
});
