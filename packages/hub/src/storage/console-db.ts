import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
// The subpath, not the package's index: the escalation thread opens console.db too, and loading
// the whole service kit (Fastify, telemetry) there would cost seconds of its start-up.
import { type Migration, openDatabase, type SqliteDatabase } from '@vigil/service-kit/database';

export type ConsoleDatabase = SqliteDatabase;

/**
 * The console's own store (console.db beside hub.db): sessions, audit log, Alertmanager's
 * notifications, incidents, their timelines and the escalation engine's persisted timers and
 * deliveries. A separate file so the
 * span/log writer's large transactions never hold up a webhook, a login or an escalation step.
 */
const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'console',
    up: `
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user TEXT NOT NULL,
  role TEXT NOT NULL,
  csrf TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL
);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  user TEXT,
  action TEXT NOT NULL,
  target TEXT,
  outcome TEXT NOT NULL,
  detail TEXT
);
CREATE TABLE incidents (
  id INTEGER PRIMARY KEY,
  group_key TEXT NOT NULL,
  alertmanager TEXT NOT NULL,
  title TEXT NOT NULL,
  alertname TEXT NOT NULL,
  service TEXT NOT NULL,
  severity TEXT NOT NULL,
  team TEXT NOT NULL,
  group_labels TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('triggered','acknowledged','resolved')),
  policy TEXT,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  acked_by TEXT,
  ack_silence TEXT,
  resolved_ms INTEGER
);
CREATE UNIQUE INDEX incidents_open_group ON incidents (group_key) WHERE status != 'resolved';
CREATE INDEX incidents_updated ON incidents (updated_ms);
CREATE TABLE timeline (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  at_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  actor TEXT,
  message TEXT NOT NULL,
  dedup TEXT NOT NULL,
  UNIQUE (incident_id, dedup)
);
CREATE TABLE escalations (
  incident_id INTEGER PRIMARY KEY REFERENCES incidents(id),
  policy TEXT NOT NULL,
  generation INTEGER NOT NULL,
  round INTEGER NOT NULL,
  step INTEGER NOT NULL,
  due_ms INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending','stopped','done'))
);
CREATE INDEX escalations_due ON escalations (due_ms) WHERE state = 'pending';
CREATE TABLE deliveries (
  key TEXT PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  channel TEXT NOT NULL,
  type TEXT NOT NULL,
  target TEXT NOT NULL,
  action TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending','delivered','failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_ms INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  due_ms INTEGER NOT NULL,
  sent_ms INTEGER,
  last_error TEXT
);
CREATE INDEX deliveries_pending ON deliveries (next_ms) WHERE state = 'pending';
`,
  },
  {
    // Alertmanager's notifications beside the incidents they update: one transaction per
    // notification (the record, the incident, its timeline and its escalation row).
    version: 2,
    name: 'alert notifications',
    up: `
CREATE TABLE alert_notifications (
  id INTEGER PRIMARY KEY,
  received_ms INTEGER NOT NULL,
  receiver TEXT NOT NULL,
  status TEXT NOT NULL,
  group_key TEXT NOT NULL,
  payload TEXT NOT NULL
);
`,
  },
];

export function openConsoleDatabase(file: string): ConsoleDatabase {
  return openDatabase(file, MIGRATIONS);
}

/**
 * Moves console.db's WAL checkpoints off the event loop: the given connection stops
 * checkpointing, a worker thread checkpoints every `intervalMs`. Returns its stop function.
 */
export function startCheckpointer(
  db: ConsoleDatabase,
  file: string,
  intervalMs: number,
  onError: (message: string) => void,
): () => Promise<void> {
  db.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(new URL('./console-checkpointer.ts', import.meta.url), {
    workerData: { file, intervalMs },
  });
  worker.on('message', (m: { error?: string }) => m.error && onError(m.error));
  worker.on('error', (err) => onError(err.message));
  worker.unref();
  return async () => {
    const exited = once(worker, 'exit');
    worker.postMessage('close');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
    await worker.terminate();
  };
}
