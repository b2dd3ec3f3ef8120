import type { SqliteDatabase } from '@vigil/service-kit';
import type { ListUsersQuery, NewUser, User } from '../domain/user.ts';

export interface UsersPage {
  items: User[];
  total: number;
}

export interface UsersRepository {
  list(query: ListUsersQuery): UsersPage;
  findById(id: number): User | undefined;
  /** The stored user, or `undefined` when the email is already taken. */
  insert(user: NewUser): User | undefined;
}

const COLUMNS = 'id, name, email, segment, created_at';

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown })?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function createUsersRepository(db: SqliteDatabase): UsersRepository {
  // Statements are prepared once at startup, not per request.
  const listAll = db.prepare<[number, number], User>(
    `SELECT ${COLUMNS} FROM users ORDER BY id LIMIT ? OFFSET ?`,
  );
  const listBySegment = db.prepare<[string, number, number], User>(
    `SELECT ${COLUMNS} FROM users WHERE segment = ? ORDER BY id LIMIT ? OFFSET ?`,
  );
  const countAll = db.prepare<[], number>('SELECT count(*) FROM users').pluck();
  const countBySegment = db.prepare<[string], number>('SELECT count(*) FROM users WHERE segment = ?').pluck();
  const byId = db.prepare<[number], User>(`SELECT ${COLUMNS} FROM users WHERE id = ?`);
  const insertUser = db.prepare<[string, string, string, string], User>(
    `INSERT INTO users (name, email, segment, created_at) VALUES (?, ?, ?, ?) RETURNING ${COLUMNS}`,
  );

  return {
    list({ limit, offset, segment }) {
      if (segment) {
        return { items: listBySegment.all(segment, limit, offset), total: countBySegment.get(segment) ?? 0 };
      }
      return { items: listAll.all(limit, offset), total: countAll.get() ?? 0 };
    },
    findById: (id) => byId.get(id),
    insert({ name, email, segment }) {
      try {
        return insertUser.get(name, email, segment, new Date().toISOString());
      } catch (err) {
        if (isUniqueViolation(err)) return undefined;
        throw err;
      }
    },
  };
}
