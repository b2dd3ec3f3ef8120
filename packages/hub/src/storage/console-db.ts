import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
// The subpath, not the package's index: the escalation thread opens console.db too, and loading
// the whole service kit (Fastify, telemetry) there would cost seconds of its start-up.
import { type Migration, openDatabase, type SqliteDatabase } from '@vigil/service-kit/database';
import Database from 'better-sqlite3';

export type ConsoleDatabase = SqliteDatabase;

/**
 * The console's own store (console.db beside hub.db): sessions, audit log, Alertmanager's
 * notifications, incidents, their timelines and the escalation engine's persisted timers and
 * deliveries. A separate file so the
 * span/log writer's large transactions never hold up a webhook, a login or an escalation step.
 */
export const CONSOLE_MIGRATIONS: Migration[] = [
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
  {
    // Before version 2 the notifications were in hub.db's own alert_notifications table: copied
    // here once (same columns), in this migration's transaction; dropLegacyNotifications() then
    // removes the old table. They take the ids just below the ones already here, so the list
    // (newest first, by id) stays in the order they arrived and the keep-newest pruning holds.
    version: 3,
    name: 'alert notifications from hub.db',
    up: (db) => importLegacyNotifications(db, legacyHubFile(db)),
  },
];

/** `main`: the hub's own connection, which also finishes the move out of hub.db (migration 3). */
export function openConsoleDatabase(
  file: string,
  opts: { main?: boolean } = { main: true },
): ConsoleDatabase {
  const db = openDatabase(file, CONSOLE_MIGRATIONS);
  if (opts.main) dropLegacyNotifications(legacyHubFile(db));
  return db;
}

/** hub.db beside console.db (the data directory), or undefined for an in-memory store. */
function legacyHubFile(db: ConsoleDatabase): string | undefined {
  return db.memory ? undefined : join(dirname(db.name), 'hub.db');
}

function hasLegacyTable(db: Database.Database): boolean {
  return !!db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alert_notifications'")
    .get();
}

function importLegacyNotifications(db: ConsoleDatabase, hubFile: string | undefined): void {
  if (!hubFile || !existsSync(hubFile)) return;
  const hub = new Database(hubFile, { readonly: true, fileMustExist: true });
  try {
    hub.pragma('busy_timeout = 5000');
    if (!hasLegacyTable(hub)) return;
    const rows = hub
      .prepare(
        'SELECT id, received_ms, receiver, status, group_key, payload FROM alert_notifications ORDER BY id',
      )
      .all() as Array<{
      id: number;
      received_ms: number;
      receiver: string;
      status: string;
      group_key: string;
      payload: string;
    }>;
    if (rows.length === 0) return;
    const below =
      (db.prepare('SELECT COALESCE(MIN(id), 1) FROM alert_notifications').pluck().get() as number) - 1;
    const shift = below - rows.at(-1)!.id;
    const insert = db.prepare(
      'INSERT INTO alert_notifications (id, received_ms, receiver, status, group_key, payload) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const r of rows)
      insert.run(r.id + shift, r.received_ms, r.receiver, r.status, r.group_key, r.payload);
  } finally {
    hub.close();
  }
}

/** Drops hub.db's old alert_notifications once migration 3 has copied it (idempotent). */
function dropLegacyNotifications(hubFile: string | undefined): void {
  if (!hubFile || !existsSync(hubFile)) return;
  const hub = new Database(hubFile, { fileMustExist: true });
  try {
    hub.pragma('busy_timeout = 5000');
    if (hasLegacyTable(hub)) hub.exec('DROP TABLE alert_notifications');
  } finally {
    hub.close();
  }
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
