import type { Migration } from '@vigil/service-kit';

// Seed people are fictional; every address is on the reserved example.com domain.
const SEED_USERS: ReadonlyArray<[string, string, string]> = [
  ['Ada Example', 'ada@example.com', 'premium'],
  ['Brook Sample', 'brook@example.com', 'premium'],
  ['Casey Placeholder', 'casey@example.com', 'premium'],
  ['Dana Testperson', 'dana@example.com', 'premium'],
  ['Eli Fictional', 'eli@example.com', 'regular'],
  ['Frankie Demo', 'frankie@example.com', 'regular'],
  ['Gale Mockname', 'gale@example.com', 'regular'],
  ['Harper Dummy', 'harper@example.com', 'regular'],
  ['Indy Specimen', 'indy@example.com', 'new'],
  ['Jules Stand-in', 'jules@example.com', 'new'],
  ['Kit Nobody', 'kit@example.com', 'new'],
  ['Lee Anonymous', 'lee@example.com', 'new'],
];

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'create users',
    up: `CREATE TABLE users (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      email TEXT NOT NULL UNIQUE COLLATE NOCASE,
      segment TEXT NOT NULL CHECK (segment IN ('premium', 'regular', 'new')),
      created_at TEXT NOT NULL
    );
    CREATE INDEX users_by_segment ON users (segment, id);`,
  },
  {
    version: 2,
    name: 'seed users',
    up: (db) => {
      const insert = db.prepare('INSERT INTO users (name, email, segment, created_at) VALUES (?, ?, ?, ?)');
      const createdAt = '2026-01-01T00:00:00.000Z';
      for (const [name, email, segment] of SEED_USERS) insert.run(name, email, segment, createdAt);
    },
  },
];
