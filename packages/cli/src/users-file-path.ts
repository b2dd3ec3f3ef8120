import { resolve } from 'node:path';

/** The console's users file (`vigil user add` writes it; the hub reads VIGIL_HUB_USERS_FILE). */
export function usersFile(varDir: string): string {
  return resolve(varDir, 'users.yaml');
}
