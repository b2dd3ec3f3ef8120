// Holds a service's SQLite database under a write lock for TTL seconds, then releases it and
// exits: the `db.lock` fault (writers wait their busy timeout, then fail with SQLITE_BUSY).
// Run detached by the chaos runner, so the lock ends on its TTL even if the runner dies.
import Database from 'better-sqlite3';

const [file, ttl] = process.argv.slice(2);
if (!file || !ttl) {
  console.error('usage: db-lock.ts <database file> <ttl seconds>');
  process.exit(2);
}
const db = new Database(file, { fileMustExist: true });
db.exec('BEGIN EXCLUSIVE');
console.log('locked');
const release = () => {
  db.exec('ROLLBACK');
  db.close();
  process.exit(0);
};
setTimeout(release, Number(ttl) * 1000);
for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, release);
