import { readFileSync, statSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { isPasswordHash } from './password.ts';

export const ROLES = ['viewer', 'responder', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export const USER_NAME = /^[a-z][a-z0-9._-]{0,63}$/;

const usersSchema = z.object({
  users: z
    .array(
      z.strictObject({
        name: z.string().regex(USER_NAME, 'must be lower-case letters, digits, ".", "_" or "-"'),
        role: z.enum(ROLES),
        password_hash: z.string().refine(isPasswordHash, 'must be a scrypt hash written by `vigil user add`'),
      }),
    )
    .default([]),
});

export type UsersFile = z.output<typeof usersSchema>;
export type ConsoleUser = UsersFile['users'][number];

/** Parses a users file; throws with the field path of the first problem. */
export function parseUsersFile(text: string): UsersFile {
  const parsed = usersSchema.safeParse(parse(text) ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.map(String).join('.') || 'file'}: ${issue.message}`);
  }
  const seen = new Set<string>();
  parsed.data.users.forEach((u, i) => {
    if (seen.has(u.name)) throw new Error(`users.${i}.name: duplicate user "${u.name}"`);
    seen.add(u.name);
  });
  return parsed.data;
}

/** The users file, re-read when it changes (so `vigil user add` needs no hub restart). */
export class UsersSource {
  readonly #file: string;
  #mtime = -1;
  #users = new Map<string, ConsoleUser>();
  #error: string | undefined;

  constructor(file: string) {
    this.#file = file;
  }

  get error(): string | undefined {
    this.#refresh();
    return this.#error;
  }

  get(name: string): ConsoleUser | undefined {
    this.#refresh();
    return this.#users.get(name);
  }

  #refresh(): void {
    let mtime: number;
    try {
      mtime = statSync(this.#file).mtimeMs;
    } catch {
      this.#users = new Map();
      this.#error = `no users file at ${this.#file} (create one with \`./vigil user add\` in the repository)`;
      this.#mtime = -1;
      return;
    }
    if (mtime === this.#mtime) return;
    this.#mtime = mtime;
    try {
      const file = parseUsersFile(readFileSync(this.#file, 'utf8'));
      this.#users = new Map(file.users.map((u) => [u.name, u]));
      this.#error = undefined;
    } catch (err) {
      // Keep the previous good set: a typo in the file must not lock everyone out mid-incident.
      this.#error = `${this.#file}: ${(err as Error).message}`;
    }
  }
}
