import { join } from 'node:path';
import { openDatabase } from '@vigil/service-kit/database';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CONSOLE_MIGRATIONS } from '../src/storage/console-db.ts';
import { openHubDatabase } from '../src/storage/database.ts';
import { startTestHub, type TestHub, tempDir } from './helpers.ts';

// Before console.db migration 2 the hub kept Alertmanager's notifications in hub.db's own
// alert_notifications table. A data directory from then, already used by a hub of migration 2 (so
// console.db has newer notifications of its own): the next start copies the old rows into
// console.db once, below the newer ones, and drops the old table; a restart copies nothing again.

// hub.db's old table had the columns migration 2 gave console.db's (that is what makes the copy 1:1).
const OLD_SCHEMA = CONSOLE_MIGRATIONS.find((m) => m.version === 2)!.up as string;

function payload(service: string, status: 'firing' | 'resolved') {
  return {
    version: '4',
    groupKey: `{}:{service="${service}"}`,
    truncatedAlerts: 0,
    status,
    receiver: 'vigil-hub',
    groupLabels: { service },
    commonLabels: { alertname: 'ServiceDown', service },
    commonAnnotations: {},
    externalURL: 'http://127.0.0.1:9093',
    alerts: [],
  };
}

function insert(
  db: Database.Database,
  id: number,
  receivedMs: number,
  service: string,
  status: 'firing' | 'resolved',
) {
  const p = payload(service, status);
  db.prepare(
    'INSERT INTO alert_notifications (id, received_ms, receiver, status, group_key, payload) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(id, receivedMs, p.receiver, p.status, p.groupKey, JSON.stringify(p));
}

let hub: TestHub | undefined;
afterAll(async () => {
  await hub?.close();
});

describe('notifications stored in hub.db before console.db existed', () => {
  it('are moved into console.db once, in arrival order below the newer ones, and the old table is dropped', async () => {
    const dir = tempDir('hub-notifications-migration-');
    const t0 = Date.parse('2026-12-01T10:00:00Z');
    // hub.db as the older hub left it: ids 41-43 (earlier ones pruned).
    const old = openHubDatabase(join(dir, 'hub.db'));
    old.exec(OLD_SCHEMA);
    insert(old, 41, t0, 'user-service', 'firing');
    insert(old, 42, t0 + 1000, 'order-service', 'firing');
    insert(old, 43, t0 + 2000, 'user-service', 'resolved');
    old.close();
    // console.db at migration 2 with two notifications of its own.
    const cdb = openDatabase(join(dir, 'console.db'), CONSOLE_MIGRATIONS.slice(0, 2));
    insert(cdb, 1, t0 + 60_000, 'gateway', 'firing');
    insert(cdb, 2, t0 + 61_000, 'gateway', 'resolved');
    cdb.close();

    const read = async () => {
      const res = await fetch(`${hub!.apiUrl}/api/alerts/notifications?limit=100`, {
        headers: { authorization: `Bearer ${hub!.webhookToken}` },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        data: Array<{ id: number; receivedAt: string; status: string; groupLabels: { service: string } }>;
      };
      return body.data.map((n) => `${n.groupLabels.service} ${n.status} ${n.receivedAt}`);
    };
    const expected = [
      `gateway resolved ${new Date(t0 + 61_000).toISOString()}`,
      `gateway firing ${new Date(t0 + 60_000).toISOString()}`,
      `user-service resolved ${new Date(t0 + 2000).toISOString()}`,
      `order-service firing ${new Date(t0 + 1000).toISOString()}`,
      `user-service firing ${new Date(t0).toISOString()}`,
    ];

    hub = await startTestHub({}, dir);
    expect(await read()).toEqual(expected);
    const tables = () => {
      const db = new Database(join(dir, 'hub.db'), { readonly: true });
      try {
        return db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
      } finally {
        db.close();
      }
    };
    expect(tables()).not.toContain('alert_notifications');
    expect(tables()).toContain('spans');

    // A restart finds nothing to move: the same five, once each.
    await hub.hub.close();
    hub = await startTestHub({}, dir);
    expect(await read()).toEqual(expected);
  });
});
