import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appliedMigrations, type Migration, openDatabase } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'service-kit-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const migrations: Migration[] = [
  {
    version: 1,
    name: 'table',
    up: 'CREATE TABLE t (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES t (id))',
  },
  { version: 2, name: 'seed', up: (db) => db.prepare('INSERT INTO t (id) VALUES (1)').run() },
];

describe('openDatabase', () => {
  it('creates the parent directory, enables WAL and foreign keys, applies migrations once', () => {
    const file = join(dir, 'nested', 'deeper', 'a.sqlite');
    const db = openDatabase(file, migrations);
    expect(existsSync(file)).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(Number(db.pragma('busy_timeout', { simple: true }))).toBeGreaterThan(0);
    expect(() => db.prepare('INSERT INTO t (id, parent) VALUES (2, 99)').run()).toThrow(/FOREIGN KEY/);
    db.close();
    const again = openDatabase(file, migrations);
    expect(appliedMigrations(again)).toEqual([1, 2]);
    expect(again.prepare('SELECT count(*) FROM t').pluck().get()).toBe(1);
    again.close();
  });

  it('rolls back a failing migration completely and does not record it', () => {
    const file = join(dir, 'b.sqlite');
    const broken: Migration[] = [
      ...migrations,
      {
        version: 3,
        name: 'half',
        up: (db) => {
          db.prepare('INSERT INTO t (id) VALUES (3)').run();
          throw new Error('boom');
        },
      },
    ];
    expect(() => openDatabase(file, broken)).toThrow('boom');
    const db = openDatabase(file, migrations);
    expect(appliedMigrations(db)).toEqual([1, 2]);
    expect(db.prepare('SELECT count(*) FROM t WHERE id = 3').pluck().get()).toBe(0);
    db.close();
  });

  it('refuses migrations out of order', () => {
    expect(() => openDatabase(':memory:', [migrations[1]!, migrations[0]!])).toThrow(/must increase/);
  });
});
