// The writer thread: owns the only writing connection (inserts and retention deletes), so SQLite
// work runs on the second core while the main thread parses HTTP and decodes OTLP.
import { parentPort, workerData } from 'node:worker_threads';
import { openHubDatabase } from './database.ts';
import { Retention } from './retention.ts';
import { createRowWriter, type WriteBatch } from './row-writer.ts';
import type { FromWriter, ToWriter, WriterInit } from './writer-protocol.ts';

const init = workerData as WriterInit;
const port = parentPort!;
const send = (msg: FromWriter) => port.postMessage(msg);

const db = openHubDatabase(init.file);
// Checkpoint every ~64 MiB of WAL instead of 4 MiB: hot index pages are copied back once per
// checkpoint, not once per commit (journal_size_limit then trims the file).
db.pragma('wal_autocheckpoint = 16384');
const write = createRowWriter(db);
const retention = new Retention(db, init.retention);
retention.onDeleted((table, n) =>
  send({ type: 'retention', spans: table === 'spans' ? n : 0, logs: table === 'logs' ? n : 0 }),
);
retention.onError((err) => send({ type: 'retention_error', message: err.message }));

let pending: ({ id: number } & WriteBatch)[] = [];
let scheduled = false;
let closing = false;

function flush(): void {
  scheduled = false;
  // Take up to `batch` items per transaction; the rest goes in the next turn.
  let n = 0;
  let count = 0;
  while (count < pending.length && (count === 0 || n < init.batch)) {
    const b = pending[count++]!;
    n += (b.spans?.length ?? 0) + (b.logs?.length ?? 0);
  }
  const batches = pending.slice(0, count);
  pending = pending.slice(count);
  if (batches.length > 0) {
    const ids = batches.map((b) => b.id);
    try {
      const stored = write(batches);
      send({ type: 'done', ids, spans: stored.spans, logs: stored.logs });
    } catch (err) {
      send({ type: 'failed', ids, message: (err as Error).message });
    }
  }
  if (pending.length > 0) schedule();
  else if (closing) finish();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(flush);
}

function finish(): void {
  retention.stop();
  db.close();
  send({ type: 'closed' });
  port.close();
}

port.on('message', (msg: ToWriter) => {
  if (msg.type === 'write') {
    pending.push(msg);
    schedule();
  } else if (msg.type === 'close') {
    closing = true;
    if (pending.length === 0 && !scheduled) finish();
  }
});

retention.start();
send({ type: 'ready' });
