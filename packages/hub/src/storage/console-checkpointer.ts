// console.db's WAL checkpoints on their own thread. The main thread's connection never checkpoints
// (wal_autocheckpoint = 0): otherwise every ~1000 pages one webhook, login or escalation step
// would pay for copying the WAL back into the database and its fsync, on the event loop.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const port = parentPort!;
const db = new Database(file);
db.pragma('busy_timeout = 1000');

const timer = setInterval(() => {
  try {
    // PASSIVE: copies what it can without waiting for or blocking the writer.
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    port.postMessage({ error: (err as Error).message });
  }
}, intervalMs);

port.on('message', (msg) => {
  if (msg !== 'close') return;
  clearInterval(timer);
  db.close();
  port.close();
});
